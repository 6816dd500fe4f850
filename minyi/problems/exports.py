"""A unit's problem register as an Excel workbook (导出问题台账): the problems (with the page's filters),
the unit's improvement measures and the counts by category × status, one sheet each.

The caller passes problems already scoped (access/problems.py) and filtered (selectors.py). Cells
follow core/sheets.py: titles and descriptions may quote the public, so text that a spreadsheet would
take for a formula is written with a leading apostrophe; dates are dates; columns fit their content.
A register holds hundreds of rows, not hundreds of thousands: the workbook is built in memory.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from minyi.console.exports import FORMATS
from minyi.core import clock
from minyi.core.sheets import write_sheet
from minyi.org.models import Unit
from minyi.problems import selectors
from minyi.problems.models import Measure, MeasureState, Problem, ProblemSource, ProblemStatus

JOIN = "；"


def problem_headers() -> list[str]:
    return [
        _("Number"),
        _("Found on"),
        _("Category"),
        _("Title"),
        _("Description"),
        _("Source"),
        _("Case"),
        _("Status"),
        _("Status note"),
        _("Rectified on"),
        _("Improvement measures"),
    ]


def measure_headers() -> list[str]:
    return [
        _("Measure"),
        _("Responsible person"),
        _("Due on"),
        _("Done on"),
        _("State"),
        _("Problems addressed"),
        _("Details"),
    ]


def build_workbook(unit: Unit, problems: QuerySet[Problem], now: dt.datetime):
    from openpyxl import Workbook

    today = clock.local(now).date()
    statuses = dict(ProblemStatus.choices)
    sources = dict(ProblemSource.choices)
    book = Workbook()
    book.remove(book.active)
    measures_of = Prefetch("measures", queryset=Measure.objects.order_by("pk"))
    rows = (
        problems.select_related("category", "case").prefetch_related(measures_of).order_by("year", "sequence")
    )
    write_sheet(
        book.create_sheet(_("Problem register")[:31]),
        problem_headers(),
        (
            [
                p.number,
                p.found_on,
                p.category.name,
                p.title,
                p.description,
                str(sources.get(p.source, p.source)),
                p.case.tracking_number if p.case_id else None,
                str(statuses.get(p.status, p.status)),
                p.status_note,
                p.rectified_on,
                JOIN.join(m.title for m in p.measures.all()),
            ]
            for p in rows
        ),
    )
    numbers = Prefetch("problems", queryset=Problem.objects.order_by("year", "sequence"))
    write_sheet(
        book.create_sheet(_("Improvement measures")[:31]),
        measure_headers(),
        (
            [
                m.title,
                m.responsible,
                m.due_on,
                m.done_on,
                str(MeasureState(m.state(today)).label),
                ", ".join(p.number for p in m.problems.all()),
                m.description,
            ]
            for m in Measure.objects.filter(unit=unit).prefetch_related(numbers).order_by("pk")
        ),
    )
    counts = selectors.register_counts(unit.pk, today)
    header = [_("Category"), *(str(label) for _v, label in ProblemStatus.choices)]
    write_sheet(
        book.create_sheet(_("Counts")[:31]),
        [*header, _("Total"), _("Measures on these problems")],
        (
            [
                row.category.name if row.category else _("Total"),
                *(n for _s, n in row.cells()),
                row.total,
                row.measures,
            ]
            for row in [*counts.rows, counts.totals]
        ),
    )
    return book


def filename(unit: Unit, now: dt.datetime) -> str:
    return f"minyi-problems-{unit.code}-{clock.local(now):%Y%m%d}.xlsx"


def xlsx_response(unit: Unit, problems: QuerySet[Problem], now: dt.datetime) -> HttpResponse:
    buffer = io.BytesIO()
    build_workbook(unit, problems, now).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=FORMATS["xlsx"])
    response["Content-Disposition"] = content_disposition_header(True, filename(unit, now))
    return response
