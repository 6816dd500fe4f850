"""Hostile input through every form of the problem register: a clear refusal that changes nothing,
or the value stored as typed and shown as text on the problem page, the register and its export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from minyi.problems.forms import CategoryForm, MeasureForm, ProblemForm, StatusForm
from minyi.problems.models import Measure, Problem, ProblemCategory, ProblemEvent
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
DATES = {text: text for text in ABSURD_DATES}


def count() -> tuple[int, ...]:
    return (Problem.objects.count(), ProblemEvent.objects.count(), Measure.objects.count(),
            ProblemCategory.objects.count())  # fmt: skip


def exported_cells(client, unit) -> list:
    response = client.get(reverse("problems:export"), {"unit": unit.pk})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def new_problem(world, register) -> dict:
    return {"title": "窗口排队时间长", "category": str(register.window.pk), "source": "review",
            "found_on": "2026-11-20", "description": ""}  # fmt: skip


@pytest.mark.parametrize("field", text_fields(ProblemForm) + date_fields(ProblemForm))
def test_a_payload_in_a_new_problem_is_refused_or_stored_and_shown_as_text(world, register, field):
    client = client_for(world.insurance_handler)
    values = DATES if field in date_fields(ProblemForm) else ALL

    accepted = post_each(client, reverse("problems:problem_new"), new_problem(world, register), field, values,
                         count=count)  # fmt: skip

    assert accepted or field not in ("title", "description")  # a payload in words is kept as typed
    for name, value in accepted:
        assert field in ("title", "description"), (field, name)  # a bad number or date is refused
        problem = Problem.objects.get(**{field: value.strip()})
        page = client.get(reverse("problems:problem", args=[problem.pk])).content.decode()
        register_page = client.get(reverse("problems:register")).content.decode()
        assert_shown_as_text(page, value.strip())
        assert "<script>alert(1)" not in register_page and "<img src=x" not in register_page
    if accepted:
        assert_no_formula(exported_cells(client, world.insurance))


@pytest.mark.parametrize("field", text_fields(StatusForm) + date_fields(StatusForm))
def test_a_payload_in_a_status_change_is_refused_or_stored_and_shown_as_text(world, register, field):
    client = client_for(world.insurance_handler)
    values = DATES if field in date_fields(StatusForm) else ALL
    for name, value in values.items():
        problem = Problem.objects.get(pk=register.rude.pk)
        base = {"status": "closed" if field == "note" else "rectified", "note": "误解", "on": "2026-11-24",
                "version": str(problem.version)}  # fmt: skip
        url = reverse("problems:problem_status", args=[problem.pk])

        accepted = post_each(client, url, base, field, {name: value}, count=count)

        if accepted:
            assert field == "note", name
            page = client.get(reverse("problems:problem", args=[problem.pk])).content.decode()
            assert_shown_as_text(page, value.strip())
            Problem.objects.filter(pk=problem.pk).update(status="open")  # back, for the next value


@pytest.mark.parametrize("field", text_fields(MeasureForm) + date_fields(MeasureForm))
def test_a_payload_in_a_measure_is_refused_or_stored_and_shown_as_text(world, register, field):
    client = client_for(world.insurance_handler)
    base = {"title": "推行床旁结算", "responsible": "赵静", "due_on": "2026-12-20", "done_on": "",
            "problems": "", "description": ""}  # fmt: skip
    values = DATES if field in date_fields(MeasureForm) else ALL

    accepted = post_each(client, reverse("problems:measures"), base, field, values, count=count)

    for name, value in accepted:
        assert field in ("title", "responsible", "description"), (field, name)
        measure = Measure.objects.get(**{field: value.strip()})
        page = client.get(reverse("problems:measure", args=[measure.pk])).content.decode()
        assert_shown_as_text(page, value.strip())


@pytest.mark.parametrize("field", text_fields(CategoryForm))
def test_a_payload_in_a_category_name_is_refused_or_stored_and_shown_as_text(world, register, field):
    client = client_for(world.insurance_handler)

    accepted = post_each(client, reverse("problems:categories"), {"is_active": "on"}, field, ALL, count=count)

    for name, value in accepted:
        assert name not in ("nul", "megabyte"), name
        page = client.get(reverse("problems:problem_new")).content.decode()
        assert_shown_as_text(page, value.strip())


def test_a_payload_in_the_register_search_is_shown_as_text(world, register):
    client = client_for(world.insurance_handler)
    for name, value in ALL.items():
        for url in (reverse("problems:register"), reverse("problems:export")):
            response = client.get(url, {"q": value, "unit": world.insurance.pk})

            assert response.status_code in (200, 302), name
            assert b"<script>alert(1)" not in response.content, name
