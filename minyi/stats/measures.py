"""The measures (指标) of a period, one definition for every page that shows them (the leader home,
the public statistics page, later the monthly report and the API).

- received (受理量): cases received in the period;
- closed (办结量): cases replied to (办结) in the period, by a unit or answered on the spot;
- on-time rate (按时办结率, as DOMAIN.md defines it: orders closed by their deadline ÷ orders due in
  the period): the orders due are those a unit replied to in the period, plus those whose handling
  deadline passed in the period (up to now) without a reply by then; the on-time ones are the
  replies of the period made before the deadline. An overdue order still open counts against the
  rate; withdrawn, rejected, merged and suspended orders are not due;
- satisfaction rate (满意率): of the callbacks that reached the requester (cases replied to in the
  period and called back), the share satisfied or basically satisfied.

The same counts are taken for the whole scope (`headline`) and per lead unit, top-level category and
street (`by_lead_unit`, `by_top_category`, `by_street`): each is one GROUP BY query over the cases
that were received or replied to in the period. Breakdowns of a tree (categories, places) group by
the node's path and add the rows up to the wanted level in Python, so one query serves any depth.

Every function takes the cases to measure as a queryset, so the caller's scope applies. Periods are
[start, end) in local time (stats/periods.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from minyi.cases.deadlines import Light, light_q
from minyi.cases.models import Case, Satisfaction
from minyi.cases.workflow import CLOCKS, Status
from minyi.core import clock
from minyi.stats.periods import Period

REACHED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED)
CONTENT = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
STREET_DEPTH = 2  # district → street/town → community → grid


@dataclass(frozen=True)
class Headline:
    received: int
    closed: int
    due: int
    on_time: int
    called_back: int
    content: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.content / self.called_back if self.called_back else None


COUNTS = tuple(f.name for f in fields(Headline))


def _received(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(received_at__gte=start, received_at__lt=end)


def _replied(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(replied_at__gte=start, replied_at__lt=end)


NOT_DUE = (Status.WITHDRAWN, Status.REJECTED, Status.MERGED, Status.SUSPENDED)


def _overdue_unreplied(start: dt.datetime, end: dt.datetime) -> Q:
    """Orders whose handling deadline passed in the period (up to now) with no reply by then."""
    cap = min(end, clock.now())
    return (
        Q(lead_unit__isnull=False, handle_due_at__gte=start, handle_due_at__lt=cap)
        & (Q(replied_at__isnull=True) | Q(replied_at__gte=cap))
        & ~Q(status__in=NOT_DUE)
    )


def _counts(start: dt.datetime, end: dt.datetime) -> dict[str, Count]:
    """The definitions: one conditional count per field of `Headline`."""
    replied = _replied(start, end)
    by_unit = replied & Q(lead_unit__isnull=False)
    return {
        "received": Count("pk", filter=_received(start, end)),
        "closed": Count("pk", filter=replied),
        "due": Count("pk", filter=by_unit | _overdue_unreplied(start, end)),
        "on_time": Count("pk", filter=by_unit & Q(replied_on_time=True)),
        "called_back": Count("pk", filter=replied & Q(satisfaction__in=REACHED)),
        "content": Count("pk", filter=replied & Q(satisfaction__in=CONTENT)),
    }


def _active(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> QuerySet[Case]:
    """The cases any measure of the period counts: received, replied to or due in it."""
    return cases.filter(
        _received(start, end) | _replied(start, end) | _overdue_unreplied(start, end)
    ).order_by()


def _headline(row: dict) -> Headline:
    return Headline(**{name: row[name] for name in COUNTS})


def headline(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> Headline:
    """The measures for [start, end)."""
    return _headline(_active(cases, start, end).aggregate(**_counts(start, end)))


@dataclass(frozen=True)
class Group:
    """The measures of one unit, category or place. `key` identifies it as the case filters do:
    a unit or area by id, a category by code."""

    key: int | str
    label: str
    measures: Headline


def _ranked(groups: Iterable[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (-g.measures.received, -g.measures.closed, g.label))


def by_lead_unit(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> list[Group]:
    """Per (current) lead unit; cases without one (not yet assigned, answered on the spot) are left out."""
    rows = (
        _active(cases, start, end)
        .filter(lead_unit__isnull=False)
        .values("lead_unit", "lead_unit__name")
        .annotate(**_counts(start, end))
    )
    return _ranked(Group(row["lead_unit"], row["lead_unit__name"], _headline(row)) for row in rows)


def _by_tree_level(cases, start, end, path_field: str, depth: int) -> dict[int, Headline]:
    """{node id at `depth`: measures of the cases anywhere below it}. Cases placed above that depth
    (or nowhere) are left out."""
    rows = _active(cases, start, end).values(path_field).annotate(**_counts(start, end))
    totals: dict[int, dict[str, int]] = {}
    for row in rows:
        ids = (row[path_field] or "").strip("/").split("/")
        if len(ids) < depth or not ids[depth - 1]:
            continue
        total = totals.setdefault(int(ids[depth - 1]), dict.fromkeys(COUNTS, 0))
        for name in COUNTS:
            total[name] += row[name]
    return {pk: Headline(**total) for pk, total in totals.items()}


def by_top_category(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> list[Group]:
    """Per top-level category, each counting the cases of all its sub-categories."""
    from minyi.catalog.models import Category

    measures = _by_tree_level(cases, start, end, "category__path", 1)
    nodes = Category.objects.filter(pk__in=measures).values_list("pk", "code", "name")
    return _ranked(Group(code, name, measures[pk]) for pk, code, name in nodes)


def by_street(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> list[Group]:
    """Per street/town (area level 2), each counting its communities and grids."""
    from minyi.org.models import Area

    measures = _by_tree_level(cases, start, end, "area__path", STREET_DEPTH)
    nodes = Area.objects.filter(pk__in=measures).values_list("pk", "name")
    return _ranked(Group(pk, name, measures[pk]) for pk, name in nodes)


def by_status(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> list[tuple[Status, int]]:
    """[(status, count)] of the cases received in the period, by their status now (lifecycle order;
    statuses without cases are left out)."""
    rows = cases.filter(_received(start, end)).order_by().values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    return [(status, counts[status]) for status in Status if counts.get(status)]


@dataclass(frozen=True)
class MonthCount:
    month: dt.date  # its first day
    received: int
    closed: int


def monthly_trend(cases: QuerySet[Case], months: list[Period]) -> list[MonthCount]:
    """Received and closed per month, for consecutive `months` (stats.periods.months_up_to)."""
    start, end = months[0].start, months[-1].end
    received = _per_month(cases.filter(_received(start, end)), "received_at")
    closed = _per_month(cases.filter(_replied(start, end)), "replied_at")
    return [MonthCount(m.first_day, received.get(m.first_day, 0), closed.get(m.first_day, 0)) for m in months]


def _per_month(cases: QuerySet[Case], field: str) -> dict[dt.date, int]:
    # TruncMonth works in the current (local) time zone, so a case received on 1 December at
    # 07:00 Beijing time (still November in UTC) counts for December.
    rows = cases.order_by().annotate(month=TruncMonth(field)).values("month").annotate(n=Count("pk"))
    return {clock.local(row["month"]).date(): row["n"] for row in rows}


@dataclass(frozen=True)
class OverdueUnit:
    unit_id: int
    name: str
    red: int  # open cases past their deadline now (红灯)
    late: int  # replies in the period after the handling deadline (超期答复)


def overdue_units(
    cases: QuerySet[Case], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[OverdueUnit]:
    """超期排名: lead units with red cases now or late replies in the period, worst first."""
    late = _replied(start, end) & Q(lead_unit__isnull=False, replied_on_time=False)
    rows = (
        cases.filter(Q(status__in=tuple(CLOCKS)) | late, lead_unit__isnull=False)
        .order_by()
        .values("lead_unit", "lead_unit__name")
        .annotate(red=Count("pk", filter=light_q(Light.RED, now)), late=Count("pk", filter=late))
        .filter(Q(red__gt=0) | Q(late__gt=0))
        .order_by("-red", "-late", "lead_unit__name")
    )
    return [OverdueUnit(r["lead_unit"], r["lead_unit__name"], r["red"], r["late"]) for r in rows]


def top_categories(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime, n: int = 5) -> list[tuple]:
    """The `n` categories (top level) with most cases received in the period: [(name, count), …]."""
    groups = sorted(
        by_top_category(cases.filter(_received(start, end)), start, end),
        key=lambda g: (-g.measures.received, g.label),
    )
    return [(g.label, g.measures.received) for g in groups[:n]]
