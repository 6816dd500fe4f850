"""Script injection: whatever anyone types comes back as text, on the form and on the case page."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils.html import escape

from minyi.cases.models import Case
from minyi.catalog.models import Category
from minyi.org.models import Area
from tests.cases.helpers import do, new_case
from tests.portal.helpers import case_page, prove, submit

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
TEXT_FIELDS = ["title", "description", "address", "requester_name", "requester_phone"]


def assert_only_escaped(page: str, payload: str) -> None:
    assert payload not in page
    assert escape(payload) in page


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_payload_in_any_field_comes_back_escaped_in_the_form(client, world, field, payload):
    response = submit(client, world, demand_type="", **{field: payload})  # refused: the form comes back

    assert response.status_code == 200
    assert_only_escaped(response.content.decode(), payload)
    assert Case.objects.count() == 0


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_stored_as_typed_and_shown_as_text_on_the_case_page(client, world, payload):
    submit(client, world, title=f"标题{payload}", description=f"描述{payload}", address=f"地址{payload}",
           requester_name=f"名{payload}")  # fmt: skip
    case = Case.objects.get()
    assert (case.title, case.requester_name) == (f"标题{payload}", f"名{payload}")

    page = case_page(client, case).content.decode()

    assert payload not in page
    for text in (f"标题{payload}", f"描述{payload}", f"地址{payload}"):
        assert escape(text) in page


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_the_reply_is_shown_as_text(client, world, payload):
    case = new_case(world.operator, category="0101")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    do(case, "sign_for", world.heating_handler)
    do(case, "reply", world.heating_handler, note=f"答复{payload}")
    prove(client, case)

    page = case_page(client, case).content.decode()

    assert payload not in page
    assert page.count(escape(f"答复{payload}")) == 2  # the reply card and the timeline


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_the_look_up_form_comes_back_escaped(client, world, payload):
    response = client.post(
        reverse("portal:follow"), {"tracking_number": payload[:20], "query_code": payload[:8]}
    )

    page = response.content.decode()
    assert payload[:20] not in page and payload[:8] not in page
    assert escape(payload[:20]) in page


def test_a_payload_in_the_address_bar_comes_back_escaped(client, world):
    payload = PAYLOADS[1]

    follow = client.get(reverse("portal:follow"), {"number": payload}).content.decode()
    case = client.get(f"/follow/{quote(payload)}/").content.decode()

    for page in (follow, case):
        assert '"><img' not in page
        assert escape(payload[:20]) in page


def test_names_of_places_and_categories_are_shown_as_text(client, world, clock):
    payload = PAYLOADS[0]
    Area.objects.create(code="x", name=payload, level=Area.Level.COMMUNITY, parent=world.east)
    Category.objects.create(code="99", name=payload)
    new_case(world.operator, category="99")

    options = client.get(reverse("portal:areas"), {"street": world.east.pk}).content.decode()
    stats = client.get(reverse("portal:stats")).content.decode()

    assert_only_escaped(options, payload)
    assert payload not in stats
    assert escape(payload) in stats  # the table
    assert "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in stats  # the chart's data
