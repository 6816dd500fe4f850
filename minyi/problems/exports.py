"""A unit's problem register as an Excel workbook (导出问题台账): the problems (with the page's filters),
the unit's improvement measures and the counts by category × status, one sheet each.

The caller passes problems already scoped (access/problems.py) and filtered (selectors.py). Titles
and descriptions may quote the public, so text that a spreadsheet would take for a formula is
written with a leading apostrophe, as in the case export (console/exports.py). A register holds
hundreds of rows, not hundreds of thousands: the workbook is built in memory.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from minyi.console.exports import FORMATS, safe_cell
from minyi.core import clock
from minyi.org.models import Unit
from minyi.problems import selectors
from minyi.problems.models import Measure, MeasureState, Problem, ProblemSource, ProblemStatus

JOIN = "；"


def problem_headers() -> list[tuple[str, int]]:
    """(header, width in Excel characters) of the problems sheet."""
    return [
        (_("Number"), 10),
        (_("Found on"), 11),
        (_("Category"), 16),
        (_("Title"), 36),
        (_("Description"), 48),
        (_("Source"), 12),
        (_("Case"), 16),
        (_("Status"), 12),
        (_("Status note"), 30),
        (_("Rectified on"), 11),
        (_("Improvement measures"), 40),
    ]


def measure_headers() -> list[tuple[str, int]]:
    return [
        (_("Measure"), 40),
        (_("Responsible person"), 12),
        (_("Due on"), 11),
        (_("Done on"), 11),
        (_("State"), 10),
        (_("Problems addressed"), 30),
        (_("Details"), 48),
    ]


def build_workbook(unit: Unit, problems: QuerySet[Problem], now: dt.datetime):
    from openpyxl import Workbook

    today = clock.local(now).date()
    statuses = dict(ProblemStatus.choices)
    sources = dict(ProblemSource.choices)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Problem register")[:31]
    _heading(sheet, problem_headers())
    measures_of = Prefetch("measures", queryset=Measure.objects.order_by("pk"))
    rows = (
        problems.select_related("category", "case").prefetch_related(measures_of).order_by("year", "sequence")
    )
    for p in rows:
        _append(
            sheet,
            [
                p.number,
                p.found_on,
                p.category.name,
                p.title,
                p.description,
                str(sources.get(p.source, p.source)),
                p.case.tracking_number if p.case_id else "",
                str(statuses.get(p.status, p.status)),
                p.status_note,
                p.rectified_on,
                JOIN.join(m.title for m in p.measures.all()),
            ],
        )

    sheet = book.create_sheet(_("Improvement measures")[:31])
    _heading(sheet, measure_headers())
    numbers = Prefetch("problems", queryset=Problem.objects.order_by("year", "sequence"))
    for m in Measure.objects.filter(unit=unit).prefetch_related(numbers).order_by("pk"):
        _append(
            sheet,
            [
                m.title,
                m.responsible,
                m.due_on,
                m.done_on,
                str(MeasureState(m.state(today)).label),
                ", ".join(p.number for p in m.problems.all()),
                m.description,
            ],
        )

    sheet = book.create_sheet(_("Counts")[:31])
    counts = selectors.register_counts(unit.pk, today)
    header = [(_("Category"), 20)] + [(str(label), 10) for _v, label in ProblemStatus.choices]
    _heading(sheet, [*header, (_("Total"), 8), (_("Measures on these problems"), 14)])
    for row in [*counts.rows, counts.totals]:
        name = row.category.name if row.category else _("Total")
        _append(sheet, [name, *(n for _s, n in row.cells()), row.total, row.measures])
    return book


def _heading(sheet, columns: list[tuple[str, int]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.append([safe_cell(str(h)) for h, _w in columns])
    for number, (_h, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
        sheet.cell(row=1, column=number).font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _append(sheet, values: list) -> None:
    sheet.append([safe_cell(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"


def filename(unit: Unit, now: dt.datetime) -> str:
    return f"minyi-problems-{unit.code}-{clock.local(now):%Y%m%d}.xlsx"


def xlsx_response(unit: Unit, problems: QuerySet[Problem], now: dt.datetime) -> HttpResponse:
    buffer = io.BytesIO()
    build_workbook(unit, problems, now).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=FORMATS["xlsx"])
    response["Content-Disposition"] = content_disposition_header(True, filename(unit, now))
    return response
