"""The monthly report (月报): what a district office reads each month — totals and the configured
measures and the score with their change against the month before (环比) and the same month a year
earlier (同比), the top categories, the hot issues of the month, the rising topics raised in it, the
units ranked by score (样本不足 when too few) and the overdue list. One function gathers it
(`monthly_report`); xlsx.py and pdf.py lay it out. Every figure, change and rank is the one the
dashboard and the leader home show (stats/measures.py: `figures`, `ranking`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from minyi.analysis import hot
from minyi.analysis.models import SurgeAlert
from minyi.cases.models import Case
from minyi.core.errors import InvalidInput
from minyi.stats import config, measures, periods, rollups

TOP = 10
OVERDUE_SHOWN = 100


@dataclass
class MonthlyReport:
    district: str
    month: dt.date  # its first day
    period: periods.Period
    compared: measures.Comparison
    figures: list[measures.Figure]  # received, closed, the score, each rate: with 环比 and 同比
    score_label: str
    min_cases: int
    categories: list[measures.Group]
    units: list[measures.Ranked]
    streets: list[measures.Group]
    trend: list[measures.MonthCount]
    hot_issues: list
    alerts: list[SurgeAlert]
    overdue: list[Case]
    overdue_total: int

    @property
    def rates(self) -> list[measures.Figure]:
        return [f for f in self.figures if f.kind == measures.RATE]

    @property
    def score(self) -> measures.Figure:
        return self.figure("score")

    def figure(self, name: str) -> measures.Figure:
        return next(f for f in self.figures if f.name == name)

    @property
    def title(self) -> str:
        return f"{self.district}{self.month.year}年{self.month.month}月民意诉求月报"


def parse_month(value: str) -> dt.date:
    """'2026-11' → 2026-11-01; anything else is refused with what to write."""
    try:
        month = dt.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        message = _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-11.") % {"value": value}
        raise InvalidInput(message, field="month") from None
    if not dt.date(1990, 1, 1) <= month <= dt.date(2199, 12, 1):
        message = _("%(value)s is outside the years a report can cover.") % {"value": value}
        raise InvalidInput(message, field="month")
    return month


def monthly_report(
    *,
    month: dt.date,
    cases: QuerySet[Case],
    whole: bool = False,
    district: str = "",
    workers: int | None = None,
) -> MonthlyReport:
    """The report of `month` over `cases`; `whole` says they are every case, so the figures of closed
    months may come from stats/rollups.py. `workers`: processes for the month's hot issues (1 in a
    web request: a web server must not fork; None on the command line: every core). A month that
    has ended has its hot issues kept by the worker's daily job (mining a month of a city's demands
    takes a minute); a narrower scope, or a month no worker kept, is mined here."""
    period = periods.month_of(month)
    last = period.last_day
    start, end = period.start, period.end
    chosen = config.current()
    figures = rollups.measured(cases, period, whole=whole)
    compared = rollups.compare(cases, period, whole=whole, current=figures.total)
    units = measures.ranking(measures.groups(figures, "lead_unit"), chosen)
    # the orders behind due − on time: the same definition as the on-time rate
    overdue = cases.filter(measures.not_on_time(start, end)).select_related("lead_unit", "category")
    return MonthlyReport(
        district=district,
        month=month,
        period=period,
        compared=compared,
        figures=measures.figures(compared, chosen),
        score_label=chosen.score_label,
        min_cases=chosen.min_cases,
        categories=sorted(
            measures.groups(figures, "category"), key=lambda g: (-g.measures.received, g.label)
        )[:TOP],
        units=units,
        streets=measures.groups(figures, "street"),
        trend=rollups.trend(
            cases,
            periods.months_up_to(end - dt.timedelta(seconds=1)),
            whole=whole,
            known={period: figures.total},
        ),
        hot_issues=(whole and hot.month_hot_issues(month, TOP))
        or hot.mine_cases(since=month, until=last, top=TOP, cases=cases, workers=workers),
        alerts=list(
            SurgeAlert.objects.filter(end__gte=month, end__lte=last)
            .select_related("unit")
            .order_by("p_value")[:TOP]
        ),
        overdue=list(overdue.order_by("handle_due_at")[:OVERDUE_SHOWN]),
        overdue_total=overdue.count(),
    )


UNITS = {measures.COUNT: "%", measures.RATE: " 个百分点", measures.SCORE: " 分"}
INSUFFICIENT = "样本不足"


def change(moved: measures.Change) -> str:
    """环比 or 同比 as the report prints it: "+12.5%" for a count, "+3.2 个百分点" for a rate,
    "+2.1 分" for the score ("—" without a comparison), the same figures as the dashboard's."""
    return moved.signed if moved.value is None else moved.signed + UNITS[moved.kind]


def standing(unit: measures.Ranked) -> tuple:
    """(rank, score) as the report prints a unit: "样本不足" instead of a score when its sample is
    too small to be ranked, "—" for no rank or no score."""
    if unit.insufficient:
        return "—", INSUFFICIENT
    return (unit.rank or "—"), measures.shown(measures.SCORE, unit.score)


def percent(value: float | None) -> str:
    return measures.shown(measures.RATE, value)
