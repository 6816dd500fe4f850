"""The frame of the portal: home, navigation, footer, and labelled, keyboard-reachable controls."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.portal.helpers import prove, replied_case


class Controls(HTMLParser):
    """The form controls of a page and the ids that a <label for> names or a label wraps."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.labelled: set[str] = set()
        self.in_label = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append({**attrs, "wrapped": bool(self.in_label)})

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1


def controls(page: str) -> Controls:
    parser = Controls()
    parser.feed(page)
    return parser


def test_home_leads_to_the_three_services_and_staff_login(client, world):
    page = client.get(reverse("portal:home")).content.decode()

    for name in ("portal:submit", "portal:follow", "portal:stats"):
        assert f'href="{reverse(name)}"' in page
    assert f'<a href="{reverse("console:login")}">Staff login</a>' in page
    assert '<body class="portal"' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "minyi/portal.css" in page
    assert 'name="language"' in page  # the 中文/English switch


@pytest.mark.parametrize("name", ["portal:submit", "portal:follow", "portal:stats"])
def test_the_current_page_is_marked_in_the_navigation(client, world, name):
    page = client.get(reverse(name)).content.decode()

    assert f'<a href="{reverse(name)}" aria-current="page">' in page


def test_every_control_has_a_label(client, world):
    case = replied_case(world)
    prove(client, case)
    pages = [
        reverse("portal:submit"),
        reverse("portal:follow"),
        reverse("portal:case", args=[case.tracking_number]),
    ]
    for url in pages:
        found = controls(client.get(url).content.decode())
        assert found.controls, url
        for control in found.controls:
            assert control["wrapped"] or control.get("id") in found.labelled, (url, control)
            assert control.get("tabindex") != "-1", (url, control)


def test_the_form_fields_keep_their_stable_ids(client, world):
    found = controls(client.get(reverse("portal:submit")).content.decode())

    ids = {c.get("id") for c in found.controls}
    assert {
        "id_demand_type",
        "id_title",
        "id_description",
        "id_street",
        "id_community",
        "id_grid",
        "id_address",
        "id_photos",
        "id_requester_name",
        "id_requester_phone",
        "id_is_anonymous",
        "id_is_confidential",
    } <= ids


def test_help_texts_are_tied_to_their_fields(client, world):
    page = client.get(reverse("portal:submit")).content.decode()

    assert 'aria-describedby="id_title_helptext"' in page
    assert 'id="id_title_helptext"' in page


def test_the_photo_input_offers_only_photos_and_several_at_once(client, world):
    found = controls(client.get(reverse("portal:submit")).content.decode())

    photos = next(c for c in found.controls if c.get("name") == "photos")
    assert photos["accept"] == "image/jpeg,image/png,image/webp"
    assert "multiple" in photos
