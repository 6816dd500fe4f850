"""The campaign summary (走访汇总) as an Excel workbook: an overview, then one sheet each for teams,
communities, grids and the problems raised with their cases.

The caller passes what the reader may see (access/visits.py), so a team's secretary exports their
team only. Cells follow core/sheets.py: text typed at the door (addresses, problems) is never run as a
formula, coverage is a number shown in per cent, dates are dates, columns fit their content. The
people met and phones are left out: the summary is for reporting, the visit pages hold the details.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from minyi.cases.models import Case
from minyi.console.exports import FORMATS
from minyi.core import clock
from minyi.core.sheets import rate, write_sheet
from minyi.visits import progress
from minyi.visits.models import Assignment, Campaign, Visit, VisitProblem


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
        rate(f.coverage),
        f.visits,
        f.repeat_visits,
        f.raised,
        f.solved,
        f.pending,
        f.not_taken_up,
    ]


def workbook(
    *,
    campaign: Campaign,
    assignments: QuerySet[Assignment],
    visits: QuerySet[Visit],
    problems: QuerySet[VisitProblem],
    now: dt.datetime,
) -> bytes:
    """The workbook, written row by row (openpyxl's write-only mode), so that a campaign of tens of
    thousands of visits does not hold every cell object in memory at once."""
    from openpyxl import Workbook

    assignments = list(assignments)
    figures = progress.campaign_progress(campaign=campaign, assignments=assignments)
    book = Workbook(write_only=True)

    def sheet(title: str, header: list[str], rows) -> None:
        write_sheet(book.create_sheet(title), header, rows)

    total = figures.total
    sheet(
        _("Summary"),
        [_("Item"), _("Value")],
        [
            [_("Campaign"), campaign.name],
            [_("Campaign period"), f"{campaign.starts_on:%Y-%m-%d} – {campaign.ends_on:%Y-%m-%d}"],
            [_("Teams"), len(figures.teams)],
            *[[h, v] for h, v in zip(_figure_headers(), _figures(total), strict=True)],
            [_("Exported at"), now],
        ],
    )
    sheet(
        _("Teams"),
        [_("Team"), _("Visit secretaries"), *_figure_headers()],
        [[r.name, "、".join(r.members), *_figures(r.figures)] for r in figures.teams],
    )
    sheet(
        _("Communities"),
        [_("Street / town"), _("Community"), _("Team"), *_figure_headers()],
        [[r.parent, r.name, r.team, *_figures(r.figures)] for r in figures.communities],
    )
    sheet(
        _("Grids"),
        [_("Community"), _("Grid"), _("Team"), *_figure_headers()],
        [[r.parent, r.name, r.team, *_figures(r.figures)] for r in figures.grids],
    )
    statuses = dict(Case._meta.get_field("status").flatchoices)
    # The problems of the places the figures cover, and only those (a visit the reader may read
    # but whose place lies outside these assignments is not counted above, so not listed here).
    index = progress.AreaIndex(assignments)
    problems = (
        p
        for p in problems.filter(visit__campaign=campaign).iterator(chunk_size=2000)
        if index.assignment_of(p.visit.household.area.path) is not None
    )
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
        (
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
            for p in problems
        ),
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(campaign: Campaign, now: dt.datetime) -> str:
    return f"minyi-visits-{campaign.pk}-{clock.local(now):%Y%m%d}.xlsx"


def summary_response(
    *,
    campaign: Campaign,
    assignments: QuerySet[Assignment],
    visits: QuerySet[Visit],
    problems: QuerySet[VisitProblem],
    now: dt.datetime,
) -> HttpResponse:
    """The summary workbook; `problems`: those of `visits` the reader may see listed
    (access.visits.problems_shown_to)."""
    body = workbook(campaign=campaign, assignments=assignments, visits=visits, problems=problems, now=now)
    response = HttpResponse(body, content_type=FORMATS["xlsx"])
    response["Content-Disposition"] = content_disposition_header(True, filename(campaign, now))
    return response
