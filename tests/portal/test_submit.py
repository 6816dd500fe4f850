"""Raising a demand (我要反映): what is stored on success, and that nothing is stored when anything is
wrong, with the message next to the field to fix."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from minyi.cases.models import Attachment, Case, CaseEvent
from minyi.cases.workflow import Status
from tests.org.helpers import build_lakeside
from tests.portal.helpers import (
    HTML,
    JPEG,
    PHP,
    PNG,
    WEBP,
    demand,
    photo,
    stored_files,
    submit,
)


def field_errors(response, name: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(name, [])]


def test_a_complete_demand_is_registered_from_the_web_and_the_browser_is_sent_to_the_success_page(
    client, world, clock
):
    response = submit(client, world)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:submitted")  # no id, number or code in the address
    case = Case.objects.get()
    assert (case.channel, case.demand_type, case.status) == ("web", "complaint", Status.RECEIVED)
    assert case.title == "小区暖气不热"
    assert case.area == world.east_grid
    assert case.address == "幸福小区3号楼"
    assert (case.requester_name, case.requester_phone) == ("张三", "13812341234")
    assert not case.is_anonymous and not case.is_confidential
    assert case.received_at == clock.set("2026-11-25 09:00")
    event = CaseEvent.objects.get(case=case)
    assert (event.operation, event.actor, event.actor_label) == ("create", None, "Citizen")


@pytest.mark.parametrize(
    ("place", "area"),
    [
        ({"grid": None}, "east_community"),
        ({"grid": None, "community": None}, "east"),
        ({"grid": None, "community": None, "street": None}, None),
    ],
)
def test_the_place_is_the_deepest_level_chosen_and_may_be_left_out(client, world, place, area):
    submit(client, world, **{key: "" for key in place})

    assert Case.objects.get().area == (getattr(world, area) if area else None)


def test_an_anonymous_demand_keeps_neither_name_nor_phone(client, world):
    response = submit(client, world, is_anonymous="on")

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.is_anonymous
    assert (case.requester_name, case.requester_phone) == ("", "")


def test_an_anonymous_demand_needs_no_name_or_phone(client, world):
    submit(client, world, is_anonymous="on", requester_name="", requester_phone="")

    assert Case.objects.get().is_anonymous


def test_a_report_of_wrongdoing_is_always_confidential_and_the_form_says_so(client, world):
    page = client.get(reverse("portal:submit")).content.decode()
    assert "A report of wrongdoing is always kept confidential." in page

    submit(client, world, demand_type="report")  # the box is not ticked

    assert Case.objects.get().is_confidential


def test_other_demands_are_confidential_only_when_asked(client, world):
    submit(client, world, title="不保密")
    submit(client, world, title="请保密", is_confidential="on")

    assert dict(Case.objects.values_list("title", "is_confidential")) == {"不保密": False, "请保密": True}


@pytest.mark.parametrize(
    ("changes", "needs_contact"),
    [
        ({}, True),  # a phone number given under the promise that the unit may call
        ({"requester_phone": ""}, False),  # a name only: nobody can call
        ({"is_confidential": "on"}, False),  # only the centre sees the number
        ({"demand_type": "report"}, False),  # a reporter is always kept from the units
        ({"is_anonymous": "on"}, False),
    ],
)
def test_the_handling_unit_may_call_a_citizen_who_gave_a_phone_number(client, world, changes, needs_contact):
    page = client.get(reverse("portal:submit")).content.decode()
    assert "The handling unit may call you to understand the problem or tell you the result." in page

    submit(client, world, **changes)

    assert Case.objects.get().needs_contact is needs_contact


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"demand_type": ""}, "demand_type", "This field is required."),
        ({"demand_type": "gossip"}, "demand_type", "Select a valid choice."),
        ({"title": "  "}, "title", "This field is required."),
        ({"title": "长" * 201}, "title", "at most 200 characters"),
        ({"description": ""}, "description", "This field is required."),
        ({"requester_name": "", "requester_phone": ""}, "requester_name", "Give your name or phone number"),
        ({"requester_phone": "call me maybe"}, "requester_phone", "may hold only digits"),
        ({"requester_phone": "12"}, "requester_phone", "not a whole phone number"),
        ({"requester_phone": "1381234"}, "requester_phone", "not a whole phone number"),
        ({"street": "999999"}, "street", "Choose a street from the list."),
        ({"community": "abc"}, "community", "Choose a community of the street you chose."),
        ("west street, east community", "community", "Choose a community of the street you chose."),
        ("west grid in east community", "grid", "Choose a grid of the community you chose."),
        ("grid without community", "grid", "Choose a grid of the community you chose."),
    ],
)
def test_each_mistake_stores_nothing_and_is_explained_next_to_its_field(
    client, world, media, changes, field, message
):
    if changes == "west street, east community":
        changes = {"street": world.west.pk}
    elif changes == "west grid in east community":
        changes = {"grid": world.west_grid.pk}
    elif changes == "grid without community":
        changes = {"community": "", "grid": world.east_grid.pk}

    response = client.post(reverse("portal:submit"), {**demand(world, **changes), "photos": photo()})

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field)), response.context["form"].errors
    page = response.content.decode()
    assert "Nothing has been sent yet" in page
    assert 'class="field field-error"' in page
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_what_was_typed_stays_in_the_form_after_a_mistake(client, world):
    response = submit(client, world, demand_type="")

    page = response.content.decode()
    assert 'value="小区暖气不热"' in page
    assert "幸福小区3号楼暖气温度只有十四度" in page
    assert f'<option value="{world.east_community.pk}" selected>' in page  # the communities of 东城街道


def test_a_refusal_of_the_service_is_shown_next_to_its_field(client, world, monkeypatch):
    from minyi.core.errors import InvalidInput
    from minyi.portal import views

    def refuse(**kwargs):
        raise InvalidInput("The title is too long: keep it under 200 characters.", field="title")

    monkeypatch.setattr(views, "case_create", refuse)
    response = submit(client, world)

    assert field_errors(response, "title") == ["The title is too long: keep it under 200 characters."]


# --- photos ----------------------------------------------------------------------------------------


def test_jpeg_png_and_webp_photos_are_stored_under_names_and_types_of_our_own(client, world, media):
    photos = [
        photo("IMG_0001.JPG", JPEG, "image/jpeg"),
        photo("screen.png", PNG, "application/octet-stream"),  # the browser's word does not count
        photo("x.jpeg", WEBP, "image/jpeg"),  # nor the name: this is a WebP
    ]
    response = client.post(reverse("portal:submit"), {**demand(world), "photos": photos})

    assert response.status_code == 302
    rows = list(Attachment.objects.order_by("pk").values_list("name", "content_type"))
    assert rows == [
        ("photo-1.jpg", "image/jpeg"),
        ("photo-2.png", "image/png"),
        ("photo-3.webp", "image/webp"),
    ]
    assert len(stored_files(media)) == 3


def test_more_photos_than_allowed_are_refused(client, world, settings, media):
    settings.MINYI_PORTAL_MAX_PHOTOS = 2
    photos = [photo(f"{n}.jpg") for n in range(3)]

    response = client.post(reverse("portal:submit"), {**demand(world), "photos": photos})

    assert field_errors(response, "photos") == [
        "You chose 3 photos, but at most 2 photos may be sent: leave some out."
    ]
    assert Case.objects.count() == 0 and stored_files(media) == []


def test_a_photo_over_the_size_limit_is_refused(client, world, settings, media):
    settings.MINYI_PORTAL_MAX_PHOTO_MB = 1
    big = photo("big.jpg", JPEG + b"\x00" * (1024 * 1024))

    response = client.post(reverse("portal:submit"), {**demand(world), "photos": [photo(), big]})

    assert field_errors(response, "photos") == [
        "“big.jpg” is 1.0 MB; a photo may be at most 1 MB. "
        "Choose a smaller photo or take it at a lower resolution."
    ]
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0 and stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("shell.jpg", PHP, "image/jpeg"),
        ("page.jpg", HTML, "image/jpeg"),
        ("page.png", HTML, "image/png"),
        ("notes.webp", b"RIFF\x00\x00\x00\x00WAVEfmt ", "image/webp"),  # RIFF, but a sound
        ("empty.jpg", b"\xff\xd8", "image/jpeg"),  # too short to be a JPEG
    ],
)
def test_a_file_that_is_not_a_photo_by_its_content_is_refused_whatever_its_name(
    client, world, media, name, content, content_type
):
    response = client.post(
        reverse("portal:submit"), {**demand(world), "photos": [photo(), photo(name, content, content_type)]}
    )

    assert field_errors(response, "photos") == [
        f"“{name}” cannot be opened as a JPEG/PNG/WebP photo: it is damaged, cut short or no photo. "
        "Send the photo itself."
    ]
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0 and stored_files(media) == []


def test_without_photos_allowed_the_field_is_not_offered(client, world, settings):
    settings.MINYI_PORTAL_MAX_PHOTOS = 0

    page = client.get(reverse("portal:submit")).content.decode()

    assert 'name="photos"' not in page
    assert 'name="title"' in page


# --- the place selects -----------------------------------------------------------------------------


def test_choosing_a_street_loads_its_communities_and_empties_the_grids(client, world):
    response = client.get(reverse("portal:areas"), {"street": world.east.pk}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert f'<option value="{world.east_community.pk}">东城社区</option>' in page
    assert "西城社区" not in page
    assert '<select id="id_grid" hx-swap-oob="innerHTML">' in page
    assert "东城一网格" not in page


def test_choosing_a_community_loads_its_active_grids(client, world):
    world.east_grid2.is_active = False
    world.east_grid2.save()

    page = client.get(reverse("portal:areas"), {"community": world.east_community.pk}).content.decode()

    assert f'<option value="{world.east_grid.pk}">东城一网格</option>' in page
    assert "东城二网格" not in page  # no longer in use
    assert "hx-swap-oob" not in page


def test_the_grids_come_in_the_order_of_their_numbers(client, world):
    community, grids, _garden = build_lakeside(world)  # made out of order

    page = client.get(reverse("portal:areas"), {"community": community.pk}).content.decode()

    assert re.findall(r">(湖畔社区第.{1,3}网格)</option>", page) == [g.name for g in grids]


@pytest.mark.parametrize("query", [{"street": "nonsense"}, {"community": ""}, {}])
def test_a_bad_parent_gives_only_the_empty_choice(client, world, query):
    page = client.get(reverse("portal:areas"), query).content.decode()

    assert page.count("<option") == (2 if "street" in query else 1)  # + the emptied grid select
    assert 'value=""' in page


def test_the_selects_narrow_each_other_through_htmx(client, world):
    page = client.get(reverse("portal:submit")).content.decode()

    assert 'id="id_street"' in page and 'id="id_community"' in page and 'id="id_grid"' in page
    assert f'hx-get="{reverse("portal:areas")}" hx-target="#id_community"' in page
    assert f'hx-get="{reverse("portal:areas")}" hx-target="#id_grid"' in page
    assert f'<option value="{world.east.pk}">东城街道</option>' in page
