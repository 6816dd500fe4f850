"""Hostile input through the visit form (走访记录), its problem rows included: a clear refusal that
records nothing (no visit, no household, no case), or the value stored as typed and shown as text on
the visit page, the household page, the case made of a problem and the campaign's export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from minyi.cases.models import Case, CaseEvent
from minyi.visits.forms import VisitForm
from minyi.visits.models import Household, Visit, VisitProblem
from tests.console.helpers import client_for
from tests.web.hostile import (
    ABSURD_DATES,
    LONG,
    PAYLOADS,
    assert_no_formula,
    assert_shown_as_text,
    date_fields,
    post_each,
    text_fields,
)

ALL = {**PAYLOADS, **LONG}


def count() -> tuple[int, ...]:
    models = (Visit, Household, VisitProblem, Case, CaseEvent)
    return tuple(model.objects.count() for model in models)


def form_data(world) -> dict:
    return {"area": str(world.east_grid.pk), "address": "幸福小区3号楼2单元501", "visited_on": "2026-11-24",
            "people_met": "户主张大爷", "phone": "", "notes": "", "problem_text": ["楼道灯坏了一个月"],
            "problem_type": ["help"], "problem_urgency": ["normal"]}  # fmt: skip


def export_cells(client, campaign) -> list:
    response = client.get(reverse("visits:export", args=[campaign.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.mark.parametrize("field", [*text_fields(VisitForm), *date_fields(VisitForm), "problem_text"])
def test_a_payload_in_a_visit_field_is_refused_or_stored_and_shown_as_text(world, setup, clock, field):
    client = client_for(world.visit_secretary)
    url = reverse("visits:record", args=[setup.campaign.pk])
    values = {text: text for text in ABSURD_DATES} if field == "visited_on" else ALL
    # Each visit at its own door: a second visit to one household the same day is the same visit.
    accepted = []
    for number, (name, value) in enumerate(values.items()):
        base = {**form_data(world), "address": f"幸福小区{number}号楼"}
        sent = [value] if field == "problem_text" else value
        accepted += post_each(client, url, base, field, {name: sent}, count=count)

    assert field == "visited_on" or accepted or field == "phone"  # words are kept as typed
    for name, value in accepted:
        assert field != "visited_on", name  # an absurd date is never recorded
        value = value[0] if isinstance(value, list) else value
        if field == "problem_text":
            problem = VisitProblem.objects.get(text=value.strip())
            visit = problem.visit
            case_page = client_for(world.dispatcher).get(reverse("console:case", args=[problem.case_id]))
            assert "<script>alert(1)" not in case_page.content.decode()
        else:
            lookup = "household__address" if field == "address" else field
            visit = Visit.objects.get(**{lookup: value.strip()})
        pages = [
            client.get(reverse("visits:visit", args=[visit.pk])).content.decode(),
            client.get(reverse("visits:household", args=[visit.household_id])).content.decode(),
        ]
        if field in ("notes", "problem_text", "people_met"):
            assert_shown_as_text(pages[0], value.strip())
        for page in pages:
            assert "<script>alert(1)" not in page and "<img src=x" not in page, name
    assert_no_formula(export_cells(client_for(world.supervisor), setup.campaign))


def test_a_nul_in_a_problem_is_refused_on_every_database(world, setup, clock, settings):
    # PostgreSQL refuses NUL in text (a 500 there); SQLite would store it: refused on both.
    client = client_for(world.visit_secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = count()

    response = client.post(
        reverse("visits:record", args=[setup.campaign.pk]),
        {**form_data(world), "problem_text": ["灯坏了\x00"]},
    )

    assert response.status_code == 400
    assert "Problem 1 holds a NUL character" in response.content.decode()
    assert count() == before
