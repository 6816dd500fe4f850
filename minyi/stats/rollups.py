"""Stored figures of closed months (月度汇总), so that the dashboard, the leader home and the monthly
report answer in well under a second with a million cases.

A closed calendar month's measures over every case are computed once by `stats.measures.measure` —
the same definition as the live figures — and kept as one `MonthlyMeasures` row. Readers whose scope
is every case (the centre, leaders: `access.sees_all_cases`) get a closed month from its row; the
current month, other periods (a year, chosen dates) and narrower scopes are counted live.

Keeping the rows right: `refresh()`, run by every round of `minyi worker`, recomputes a closed month
when it has no row yet, when a case that counts in it changed since it was last checked (every change
goes through the case service and leaves a `CaseEvent`; the case's received, deadline and event months
are the months it can count in), or when its row is older than `RECOMPUTE_AFTER` (what the event trail
cannot tell, such as a category moved in the tree). Loading backdated history (the historic import,
`minyi loadgen`) calls `forget()` for the months it filled. A round recomputes at most `PER_ROUND`
months, newest first. Several workers may refresh at once: each row is written by one upsert of
figures computed from committed data, so the last writer leaves the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Min
from django.db.models.functions import TruncMonth

from minyi.cases.models import Case, CaseEvent
from minyi.core import clock
from minyi.stats import measures, periods
from minyi.stats.measures import Measured
from minyi.stats.models import MonthlyMeasures
from minyi.stats.periods import Period

# A transaction that commits a little after its events' time still has them seen; so a change is seen
# by the round after it and, when it came within this window before that round, by one more.
OVERLAP = dt.timedelta(minutes=2)
RECOMPUTE_AFTER = dt.timedelta(days=1)
PER_ROUND = 12


def _closed_month(period: Period, now: dt.datetime) -> dt.date | None:
    """The first day of `period` if it is exactly one calendar month that has ended."""
    month = periods.month_of(period.first_day)
    return period.first_day if month == period and period.end <= now else None


def stored(months: Iterable[Period], *, now: dt.datetime | None = None) -> dict[dt.date, Measured]:
    """{first day: figures} of those `months` that are closed and were computed after they closed
    (in the current format)."""
    now = now or clock.now()
    wanted = {day: p for p in months if (day := _closed_month(p, now))}
    rows = MonthlyMeasures.objects.filter(month__in=wanted).values_list("month", "computed_at", "data")
    found = {day: Measured.from_json(data) for day, computed, data in rows if computed >= wanted[day].end}
    return {day: figures for day, figures in found.items() if figures is not None}


def _months_of(period: Period) -> list[Period] | None:
    """The calendar months that make up `period`; None unless it starts and ends on month bounds."""
    month = periods.month_of(period.first_day)
    if month.start != period.start:
        return None
    months = [month]
    while month.end < period.end:
        month = periods.month_of(clock.local(month.end).date())
        months.append(month)
    return months if month.end == period.end else None


def measured(
    cases,
    period: Period,
    *,
    whole: bool,
    now: dt.datetime | None = None,
    dimensions: Iterable[str] = measures.DIMENSIONS,
) -> Measured:
    """The figures of `period` over `cases`; `whole` says that `cases` are every case. Then a closed
    month comes from its row, and a run of whole months (a year) adds up its stored months, counts the
    others (the current month) live and takes the counts at its end (AT_END) live over the few cases
    still overdue. Anything else is counted live, with the breakdowns in `dimensions` only (a stored
    month has them all)."""
    months = _months_of(period) if whole else None
    found = stored(months, now=now) if months else {}
    if not found:
        return measures.measure(cases, period.start, period.end, dimensions)
    if len(months) == 1:
        return found[period.first_day]
    parts = [found.get(m.first_day) or measures.measure(cases, m.start, m.end, dimensions) for m in months]
    at_end = measures.measure(cases, period.start, period.end, dimensions, at_end_only=True)
    return Measured.combined(parts, at_end)


def compare(
    cases,
    period: Period,
    *,
    whole: bool,
    now: dt.datetime | None = None,
    current: measures.Headline | None = None,
) -> measures.Comparison:
    """`measures.Comparison` of `period` with 环比 and 同比, each as `measured` finds it; `current` is
    the period's total when the caller has it already."""
    now = now or clock.now()
    taken: dict[Period, measures.Headline] = {}

    def total(p: Period) -> measures.Headline:
        if p not in taken:  # a year's 环比 and 同比 are the same year
            taken[p] = (
                measured(cases, p, whole=True, now=now, dimensions=()).total
                if whole
                else measures.headline(cases, p.start, p.end)
            )
        return taken[p]

    before, year_ago = periods.previous(period), periods.year_before(period)
    return measures.Comparison(current or total(period), total(before), total(year_ago))


def trend(
    cases,
    months: list[Period],
    *,
    whole: bool,
    now: dt.datetime | None = None,
    known: dict[Period, measures.Headline] | None = None,
) -> list[measures.MonthCount]:
    """Received and closed per month (`measures.monthly_trend`): months the caller has counted already
    (`known`: periods that are whole months) as they are, the stored months from their rows, the rest
    counted live."""
    found = {p.first_day: h for p, h in (known or {}).items() if periods.month_of(p.first_day) == p}
    if whole:
        found |= {day: figures.total for day, figures in stored(months, now=now).items() if day not in found}
    missing = [m for m in months if m.first_day not in found]
    live = {c.month: c for c in measures.monthly_trend(cases, missing)} if missing else {}
    return [
        measures.MonthCount(m.first_day, found[m.first_day].received, found[m.first_day].closed)
        if m.first_day in found
        else live[m.first_day]
        for m in months
    ]


# --- keeping the rows --------------------------------------------------------------------------------


def forget(since: dt.date | None = None) -> int:
    """Drop the stored figures of the months from `since` on (all when None): backdated cases were
    loaded into them. Readers count those months live until a refresh has recomputed them."""
    rows = MonthlyMeasures.objects.all()
    if since is not None:
        rows = rows.filter(month__gte=since.replace(day=1))
    return rows.delete()[0]


def _local_months(values: Iterable[dt.datetime | None]) -> set[dt.date]:
    return {clock.local(v).date().replace(day=1) for v in values if v is not None}


def touched_months(since: dt.datetime) -> set[dt.date]:
    """The months that cases changed since `since` can count in: their received and deadline months
    and the months of all their events (replies, signatures, a reply undone by rework)."""
    changed = CaseEvent.objects.filter(created_at__gte=since).values("case_id")
    months: set[dt.date] = set()
    for field in ("received_at", "handle_due_at", "sign_due_at"):
        moments = (
            Case.objects.filter(pk__in=changed)
            .annotate(month=TruncMonth(field))
            .values_list("month", flat=True)
            .order_by()
            .distinct()
        )
        months |= _local_months(moments)
    events = (
        CaseEvent.objects.filter(case_id__in=changed)
        .annotate(month=TruncMonth("created_at"))
        .values_list("month", flat=True)
        .order_by()
        .distinct()
    )
    return months | _local_months(events)


def _closed_months(now: dt.datetime) -> list[Period]:
    """Every calendar month from the first case's to the last one that has ended, newest first."""
    first = Case.objects.aggregate(first=Min("received_at"))["first"]
    if first is None:
        return []
    months, month = [], periods.last_month(now)
    while month.end > first:
        months.append(month)
        month = periods.last_month(month.start)
    return months


def refresh(*, now: dt.datetime | None = None, limit: int = PER_ROUND) -> list[dt.date]:
    """Recompute the closed months that need it (see the module's doc); returns their first days."""
    now = now or clock.now()
    months = _closed_months(now)
    rows = {
        day: (checked, computed)
        for day, checked, computed in MonthlyMeasures.objects.values_list(
            "month", "checked_at", "computed_at"
        )
    }
    due = {m.first_day for m in months if m.first_day not in rows}
    due |= {day for day, (_checked, computed) in rows.items() if computed < now - RECOMPUTE_AFTER}
    if rows:
        due |= touched_months(min(checked for checked, _computed in rows.values()) - OVERLAP) & set(rows)
    todo = [m for m in months if m.first_day in due][:limit]
    for month in todo:
        figures = measures.measure(Case.objects.all(), month.start, month.end)
        MonthlyMeasures.objects.bulk_create(
            [MonthlyMeasures(month=month.first_day, computed_at=now, checked_at=now, data=figures.to_json())],
            update_conflicts=True,
            unique_fields=["month"],
            update_fields=["computed_at", "checked_at", "data"],
        )
    # The months left for a later round keep their old check time, so that their changes are seen.
    left = due - {m.first_day for m in todo}
    MonthlyMeasures.objects.exclude(month__in=left).filter(checked_at__lt=now).update(checked_at=now)
    return [m.first_day for m in todo]
