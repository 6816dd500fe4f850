"""Hostile input through every field of the portal's forms: a clear refusal that stores nothing, or
the value stored as typed and shown as text on every page and in every export that shows it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from minyi.cases.models import Attachment, Case, CaseEvent
from minyi.portal.forms import DemandForm, FollowForm
from tests.console.helpers import client_for
from tests.portal.helpers import case_page, demand, prove
from tests.web.hostile import (
    LONG,
    PAYLOADS,
    assert_no_formula,
    assert_shown_as_text,
    csv_cells,
    text_fields,
    xlsx_cells,
)

ALL = {**PAYLOADS, **LONG}


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.MINYI_PORTAL_SUBMISSIONS_PER_HOUR = 10_000
    settings.MINYI_PORTAL_LOOKUPS_PER_HOUR = 10_000


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), CaseEvent.objects.count(), Attachment.objects.count()


def test_the_demand_form_has_the_text_fields_these_tests_fill():
    assert set(text_fields(DemandForm)) == {
        "title",
        "description",
        "address",
        "requester_name",
        "requester_phone",
    }


def exported(world, fmt: str) -> bytes:
    staff = client_for(world.dispatcher)
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = staff.get(reverse("console:cases_export"), {"format": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("field", text_fields(DemandForm))
def test_a_payload_in_a_demand_field_is_refused_or_stored_as_typed_and_shown_as_text(
    client, world, clock, media, field, name
):
    payload = ALL[name]
    before = counts()

    response = client.post(reverse("portal:submit"), demand(world, **{field: payload}))

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:  # refused: the form again, the error next to the field
        assert response.context["form"].errors.get(field), response.context["form"].errors
        assert counts() == before
        page = response.content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        return
    case = Case.objects.get()
    assert getattr(case, field) == payload.strip()
    prove(client, case)
    pages = [case_page(client, case).content.decode()]
    if field not in ("requester_name", "requester_phone"):  # masked for the dispatcher
        staff = client_for(world.dispatcher)
        pages.append(staff.get(reverse("console:case", args=[case.pk])).content.decode())
        if field == "title":
            pages.append(staff.get(reverse("console:cases")).content.decode())
    for page in pages:
        if field in ("title", "description", "address"):
            assert_shown_as_text(page, payload.strip())
        assert "<script>alert(1)" not in page and "<img src=x" not in page
    for fmt, cells in (("csv", csv_cells), ("xlsx", xlsx_cells)):
        assert_no_formula(cells(exported(world, fmt)))


@pytest.mark.parametrize("name", PAYLOADS)
def test_a_payload_in_the_follow_form_is_refused_and_shown_as_text(client, world, name):
    payload = PAYLOADS[name]
    for field in text_fields(FollowForm):
        other = "A1B2C3" if field == "tracking_number" else "202611-000001"
        data = {"tracking_number": other, "query_code": other, field: payload}

        response = client.post(reverse("portal:follow"), data)

        assert response.status_code == 200
        page = response.content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert response.context["form"].errors


@pytest.mark.parametrize("stars", ["0", "6", "-1", "五", "1e9", "<script>alert(1)</script>", "3\x00"])
def test_a_bad_rating_is_refused_and_changes_nothing(client, world, clock, stars):
    from tests.portal.helpers import replied_case

    case = replied_case(world)
    prove(client, case)
    before = counts()

    response = client.post(reverse("portal:rate", args=[case.tracking_number]), {"stars": stars})

    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in response.content.decode()
    assert "<script>alert(1)" not in response.content.decode()
    assert counts() == before
    assert Case.objects.get(pk=case.pk).citizen_rating is None
