"""Hostile input through the forms of the projects ledger (the monthly report, linking a case): a
clear refusal that stores nothing, or the value stored as typed and shown as text on the project
page and in the ledger's and the summary's workbooks."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from minyi.projects.forms import LinkCaseForm, ReportForm
from minyi.projects.models import ProgressReport, ProjectCase, ReportPhoto
from tests.console.helpers import client_for
from tests.web.hostile import LONG, PAYLOADS, assert_no_formula, assert_shown_as_text, post_each, text_fields

ALL = {**PAYLOADS, **LONG}


def count() -> tuple[int, ...]:
    return ProgressReport.objects.count(), ReportPhoto.objects.count(), ProjectCase.objects.count()


def workbook_cells(response) -> list:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


REPORT = {"month": "2026-11", "percent": "88", "done": "更换管网14公里", "problems": "", "next_steps": ""}


@pytest.mark.parametrize("field", [*text_fields(ReportForm), "percent", "month", "completion"])
def test_a_payload_in_a_monthly_report_is_refused_or_stored_and_shown_as_text(world, ledger, field):
    client = client_for(world.heating_handler)
    url = reverse("projects:report", args=[ledger.mains.pk])
    values = {**ALL, "huge": "9" * 40, "negative": "-5"} if field == "percent" else ALL
    accepted = []
    for name, value in values.items():
        ProgressReport.objects.all().delete()  # each value files the month's report anew
        found = post_each(client, url, REPORT, field, {name: value}, count=count)
        accepted += found
        if not found:
            continue
        assert field in ("done", "problems", "next_steps"), (field, name)
        report = ProgressReport.objects.get()
        assert getattr(report, field) == value.strip()
        page = client_for(world.leader).get(reverse("projects:project", args=[ledger.heating_project.pk]))
        if field == "done":
            assert_shown_as_text(page.content.decode(), value.strip())
        assert "<script>alert(1)" not in page.content.decode()
        assert_no_formula(workbook_cells(client_for(world.supervisor).get(reverse("projects:export"))))
        summary = client_for(world.supervisor).get(
            reverse("projects:summary"), {"batch": ledger.batch.pk, "month": "2026-11", "format": "xlsx"}
        )
        assert_no_formula(workbook_cells(summary))
    assert accepted or field not in ("done", "problems", "next_steps")


@pytest.mark.parametrize("field", text_fields(LinkCaseForm))
def test_a_payload_as_the_case_to_link_is_refused(world, ledger, field):
    client = client_for(world.dispatcher)
    url = reverse("projects:link_case", args=[ledger.heating_project.pk])

    accepted = post_each(client, url, {}, field, ALL, count=count)

    assert accepted == [] or all(count() == (0, 0, 0) for _ in accepted)
    assert not ProjectCase.objects.exists()


@pytest.mark.parametrize(
    "month", ["0001-01", "9999-12", "2026-13", "2026-02-30", "-2026-01", "<script>alert(1)</script>", "\x00"]
)
def test_an_absurd_month_in_the_summary_or_the_dispatch_board_is_no_500(world, ledger, month):
    client = client_for(world.supervisor)
    for url in (reverse("projects:summary"), reverse("projects:dispatch"), reverse("projects:wall")):
        for params in ({"month": month}, {"month": month, "format": "xlsx"}, {"batch": month}):
            response = client.get(url, params)

            assert response.status_code in (200, 302, 400, 404), (url, params, response.status_code)
            assert b"<script>alert(1)" not in response.content
