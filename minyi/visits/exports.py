"""The campaign summary (走访汇总) as an Excel workbook: an overview, then one sheet each for teams,
communities, grids and the problems raised with their cases.

The caller passes what the reader may see (access/visits.py), so a team's secretary exports their
team only. Text typed at the door (addresses, problems) is written so that a spreadsheet never runs
it as a formula (the rule of console/exports.py). The people met and phones are left out: the
summary is for reporting, the visit pages hold the details.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from minyi.cases.models import Case
from minyi.console.exports import CONTROL_CHARACTERS, FORMATS, FORMULA_START
from minyi.core import clock
from minyi.visits import progress
from minyi.visits.models import Assignment, Campaign, Visit


def cell(value: object) -> object:
    """A value shown as written: no control characters, never the start of a formula."""
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _figure_headers() -> list[str]:
    return [
        _("Households assigned"),
        _("Households visited"),
        _("Coverage"),
        _("Number of visits"),
        _("Repeat visits"),
        _("Problems raised"),
        _("Solved"),
        _("Not yet solved"),
        _("Not taken up"),
    ]


def _figures(f: progress.Figures) -> list:
    return [
        f.assigned,
        f.visited,
        _rate(f.coverage),
        f.visits,
        f.repeat_visits,
        f.raised,
        f.solved,
        f.pending,
        f.not_taken_up,
    ]


def workbook(
    *, campaign: Campaign, assignments: QuerySet[Assignment], visits: QuerySet[Visit], now: dt.datetime
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    figures = progress.campaign_progress(campaign=campaign, assignments=assignments)
    book = Workbook()

    def sheet(title: str, header: list[str], rows: list[list], *, first: bool = False, percent_column=None):
        ws = book.active if first else book.create_sheet()
        ws.title = title
        ws.append([cell(h) for h in header])
        for c in ws[1]:
            c.font = bold
        for row in rows:
            ws.append([cell(v) for v in row])
        for index, name in enumerate(header, 1):
            ws.column_dimensions[get_column_letter(index)].width = max(10, min(50, len(str(name)) * 2 + 4))
        if percent_column:
            for (c,) in ws.iter_rows(min_row=2, min_col=percent_column, max_col=percent_column):
                c.number_format = "0.0%"
        ws.freeze_panes = "A2"
        return ws

    total = figures.total
    overview = [
        [_("Campaign"), campaign.name],
        [_("Campaign period"), f"{campaign.starts_on:%Y-%m-%d} – {campaign.ends_on:%Y-%m-%d}"],
        [_("Teams"), len(figures.teams)],
        *[[h, v] for h, v in zip(_figure_headers(), _figures(total), strict=True)],
        [_("Exported at"), clock.local(now).strftime("%Y-%m-%d %H:%M")],
    ]
    ws = sheet(_("Summary"), [_("Item"), _("Value")], overview, first=True)
    for name, value in ws.iter_rows(min_row=2, max_col=2):
        if name.value == _("Coverage"):
            value.number_format = "0.0%"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 36
    sheet(
        _("Teams"),
        [_("Team"), _("Visit secretaries"), *_figure_headers()],
        [[r.name, "、".join(r.members), *_figures(r.figures)] for r in figures.teams],
        percent_column=5,
    )
    sheet(
        _("Communities"),
        [_("Street / town"), _("Community"), _("Team"), *_figure_headers()],
        [[r.parent, r.name, r.team, *_figures(r.figures)] for r in figures.communities],
        percent_column=6,
    )
    sheet(
        _("Grids"),
        [_("Community"), _("Grid"), _("Team"), *_figure_headers()],
        [[r.parent, r.name, r.team, *_figures(r.figures)] for r in figures.grids],
        percent_column=6,
    )
    statuses = dict(Case._meta.get_field("status").flatchoices)
    problems = progress.problems_of(visits.filter(campaign=campaign))
    sheet(
        _("Problems"),
        [
            _("Date of the visit"),
            _("Team"),
            _("Visit secretary"),
            _("Grid or community"),
            _("Household address"),
            _("Problem raised"),
            _("Tracking number"),
            _("Status"),
            _("Solved"),
        ],
        [
            [
                p.visit.visited_on,
                p.visit.team.name,
                str(p.visit.secretary),
                p.visit.household.area.name,
                p.visit.household.address,
                p.text,
                p.case.tracking_number,
                str(statuses.get(p.case.status, p.case.status)),
                _("Yes") if p.case.status in progress.SOLVED else _("No"),
            ]
            for p in problems.iterator(chunk_size=2000)
        ],
    )
    for row in book[_("Problems")].iter_rows(min_row=2, max_col=1):
        row[0].number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(campaign: Campaign, now: dt.datetime) -> str:
    return f"minyi-visits-{campaign.pk}-{clock.local(now):%Y%m%d}.xlsx"


def summary_response(
    *, campaign: Campaign, assignments: QuerySet[Assignment], visits: QuerySet[Visit], now: dt.datetime
) -> HttpResponse:
    body = workbook(campaign=campaign, assignments=assignments, visits=visits, now=now)
    response = HttpResponse(body, content_type=FORMATS["xlsx"])
    response["Content-Disposition"] = content_disposition_header(True, filename(campaign, now))
    return response
