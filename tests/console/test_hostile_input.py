"""Hostile input through every field of the console's case forms (the intake form and the form of
each operation): a clear refusal that changes nothing, or the value stored as typed and shown as
text on the case page, the lists, the portal's tracking page and the exports."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from minyi.cases.models import Attachment, Case, CaseEvent
from minyi.console.filters import CaseFilterForm
from minyi.console.forms import FORMS, IntakeForm, OperationForm
from minyi.notifications.models import Notification
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for
from tests.portal.helpers import case_page, prove
from tests.web.hostile import (
    ABSURD_DATES,
    LONG,
    PAYLOADS,
    assert_no_formula,
    assert_shown_as_text,
    csv_cells,
    date_fields,
    text_fields,
    xlsx_cells,
)

ALL = {**PAYLOADS, **LONG}
CALL = {
    "requester_phone": "13912345678",
    "requester_name": "李四",
    "channel": "hotline",
    "demand_type": "complaint",
    "urgency": "normal",
    "title": "楼道灯坏了",
    "description": "东城社区5号楼二单元楼道灯坏了一个月，晚上看不见路。",
    "category": "0102",
}


def counts() -> tuple[int, ...]:
    return (Case.objects.count(), CaseEvent.objects.count(), Attachment.objects.count(),
            Notification.objects.count())  # fmt: skip


def snapshot(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return fresh.status, fresh.version, fresh.title, fresh.reply_text, counts()


def exports(world) -> list:
    staff = client_for(world.dispatcher)
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    cells: list = []
    for fmt, read in (("csv", csv_cells), ("xlsx", xlsx_cells)):
        response = staff.get(reverse("console:cases_export"), {"format": fmt})
        assert response.status_code == 200
        cells += read(b"".join(response.streaming_content))
    return cells


# --- the intake form ---------------------------------------------------------------------------


def test_the_intake_form_has_the_text_fields_these_tests_fill():
    assert set(text_fields(IntakeForm)) == {"requester_phone", "requester_name", "title", "description",
                                            "address"}  # fmt: skip


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("field", text_fields(IntakeForm))
def test_a_payload_in_an_intake_field_is_refused_or_stored_and_shown_as_text(world, clock, field, name):
    payload = ALL[name]
    client = client_for(world.operator)
    before = counts()

    response = client.post(reverse("console:intake"), {**CALL, field: payload})

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors.get(field), response.context["form"].errors
        assert counts() == before
        assert "<script>alert(1)" not in response.content.decode()
        return
    case = Case.objects.get()
    assert getattr(case, field) == payload.strip()
    pages = [client.get(reverse("console:case", args=[case.pk])).content.decode(),
             client.get(reverse("console:cases")).content.decode()]  # fmt: skip
    if field in ("title", "description", "address"):
        assert_shown_as_text(pages[0], payload.strip())
    for page in pages:
        assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert_no_formula(exports(world))


@pytest.mark.parametrize("field", ["channel", "demand_type", "urgency", "area", "category"])
def test_a_payload_in_an_intake_choice_is_refused(world, clock, field):
    client = client_for(world.operator)
    for payload in ALL.values():
        response = client.post(reverse("console:intake"), {**CALL, field: payload})

        assert response.status_code == 200
        assert response.context["form"].errors.get(field)
        assert Case.objects.count() == 0


def test_a_megabyte_description_is_refused_with_the_limit(world, clock):
    response = client_for(world.operator).post(
        reverse("console:intake"), {**CALL, "description": LONG["megabyte"]}
    )

    assert response.status_code == 200
    assert "20000" in " ".join(response.context["form"].errors["description"])
    assert Case.objects.count() == 0


def test_a_megabyte_reply_is_refused_with_the_limit(world, clock):
    case, actor = handling(world)
    before = snapshot(case)

    response = client_for(actor).post(
        reverse("console:case_do", args=[case.pk, "reply"]),
        {"note": LONG["megabyte"], "expected_version": case.version},
    )

    assert response.status_code == 400
    assert "20000" in response.content.decode()
    assert snapshot(case) == before


# --- the form of each operation -----------------------------------------------------------------


def received(world):
    return new_case(world.operator, category="0101", area=world.east_grid), world.dispatcher


def accepted(world):
    case, _ = received(world)
    return do(case, "accept", world.dispatcher), world.dispatcher


def handling(world):
    case, _ = accepted(world)
    do(case, "assign", world.dispatcher)
    return do(case, "sign_for", world.heating_handler), world.heating_handler


def extension_requested(world):
    case, _ = handling(world)
    return do(case, "request_extension", world.heating_handler, days=3, note="等配件"), world.dispatcher


def replied(world):
    case, _ = handling(world)
    return do(case, "reply", world.heating_handler, note="已处理"), world.callback_agent


def called_back(world):
    case, agent = replied(world)
    return do(case, "callback", agent, satisfaction="satisfied"), agent


def supervised(world):
    case, _ = handling(world)
    return case, world.supervisor


# operation → (a case where it is allowed and who may do it, the rest of a valid form)
OPERATION_SETUPS = {
    "accept": (received, {}),
    "assign": (accepted, {"lead_unit": "heating"}),
    "request_extension": (handling, {"days": "3", "note": "等配件"}),
    "approve_extension": (extension_requested, {}),
    "reply": (handling, {"note": "已对3号楼管道排气。"}),
    "callback": (replied, {"satisfaction": "satisfied"}),
    "archive": (called_back, {}),
    "supervise": (supervised, {"level": "1", "note": "请尽快处理"}),
    "request_instruction": (supervised, {"leader": "leader", "note": "请示区长"}),
    "merge": (received, {"master": "other"}),
    "reject": (received, {"note": "不属于受理范围"}),
}


def test_every_operation_form_is_covered():
    covered = {FORMS.get(op, OperationForm) for op in OPERATION_SETUPS}
    assert covered == {*FORMS.values(), OperationForm}


def operation_fields() -> list[tuple[str, str]]:
    """(operation, field) for every field of every operation form but the files."""
    return [
        (op, name)
        for op in OPERATION_SETUPS
        for name, field in FORMS.get(op, OperationForm).base_fields.items()
        if name != "attachments"
    ]


def form_data(world, op: str, case: Case) -> dict:
    data = dict(OPERATION_SETUPS[op][1])
    if data.get("lead_unit") == "heating":
        data["lead_unit"] = str(world.heating.pk)
    if data.get("leader") == "leader":
        data["leader"] = str(world.leader.pk)
    if data.get("master") == "other":
        data["master"] = new_case(world.operator, title="同一问题").tracking_number
    return {"expected_version": str(case.version), **data}


@pytest.mark.parametrize(("op", "field"), operation_fields())
def test_a_payload_in_an_operation_field_is_refused_or_stored_and_shown_as_text(world, clock, op, field):
    for name, payload in ALL.items():
        case, actor = OPERATION_SETUPS[op][0](world)
        client = client_for(actor)
        data = {**form_data(world, op, case), field: payload}
        before = snapshot(case)

        response = client.post(reverse("console:case_do", args=[case.pk, op]), data)

        assert response.status_code in (302, 400), (name, response.status_code)
        if response.status_code == 400:
            assert snapshot(case) == before, name
            page = response.content.decode()
            assert "<script>alert(1)" not in page and "<img src=x" not in page, name
            continue
        if field == "next":  # a foreign or script address is never followed
            assert not response["Location"].startswith(("javascript:", "//", "http")), response["Location"]
            continue
        if field != "note":
            continue
        event = CaseEvent.objects.filter(case=case).latest("pk")
        assert event.note == payload.strip(), name
        page = client_for(world.supervisor).get(reverse("console:case", args=[case.pk])).content.decode()
        assert_shown_as_text(page, payload.strip())
        if op == "reply":
            citizen = Client()
            prove(citizen, case)
            assert_shown_as_text(case_page(citizen, case).content.decode(), payload.strip())


# --- dates in the lists' filters -----------------------------------------------------------------


@pytest.mark.parametrize("field", date_fields(CaseFilterForm))
def test_an_absurd_date_in_a_list_filter_is_refused_or_used_never_a_500(world, clock, field):
    new_case(world.operator)
    client = client_for(world.dispatcher)
    for text in [*ABSURD_DATES, PAYLOADS["script"], PAYLOADS["nul"]]:
        for url in (reverse("console:cases"), reverse("console:cases_export") + "?format=csv"):
            response = client.get(url, {field: text})

            assert response.status_code in (200, 302, 400), (text, response.status_code)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                assert "<script>alert(1)" not in response.content.decode()
