"""The headline measures (核心指标) of a period, one definition for every page that shows them (the
leader home, the public statistics page, later the monthly report and the API).

- received (受理量): cases received in the period;
- closed (办结量): cases replied to (办结) in the period, by a unit or answered on the spot;
- on-time rate (按时办结率): of the cases a unit replied to in the period, the share replied before
  the handling deadline;
- satisfaction rate (满意率): of the callbacks that reached the requester (cases replied to in the
  period and called back), the share satisfied or basically satisfied.

Every function takes the cases to measure as a queryset, so the caller's scope applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from minyi.cases.models import Case, Satisfaction

REACHED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED)
CONTENT = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


@dataclass(frozen=True)
class Headline:
    received: int
    closed: int
    replied_by_units: int
    on_time: int
    called_back: int
    content: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.replied_by_units if self.replied_by_units else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.content / self.called_back if self.called_back else None


def headline(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> Headline:
    """The measures for [start, end)."""
    received = cases.filter(received_at__gte=start, received_at__lt=end).count()
    replied = cases.filter(replied_at__gte=start, replied_at__lt=end).aggregate(
        closed=Count("pk"),
        by_units=Count("pk", filter=Q(lead_unit__isnull=False)),
        on_time=Count("pk", filter=Q(lead_unit__isnull=False, replied_on_time=True)),
        called_back=Count("pk", filter=Q(satisfaction__in=REACHED)),
        content=Count("pk", filter=Q(satisfaction__in=CONTENT)),
    )
    return Headline(
        received=received,
        closed=replied["closed"],
        replied_by_units=replied["by_units"],
        on_time=replied["on_time"],
        called_back=replied["called_back"],
        content=replied["content"],
    )


def top_categories(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime, n: int = 5) -> list[tuple]:
    """The `n` categories (top level) with most cases received in the period: [(name, count), …]."""
    rows = (
        cases.filter(received_at__gte=start, received_at__lt=end, category__isnull=False)
        .values("category__path")
        .annotate(n=Count("pk"))
    )
    from minyi.catalog.models import Category

    totals: dict[int, int] = {}
    for row in rows:
        top = int(row["category__path"].strip("/").split("/")[0])
        totals[top] = totals.get(top, 0) + row["n"]
    names = dict(Category.objects.filter(pk__in=totals).values_list("pk", "name"))
    ranked = sorted(totals.items(), key=lambda item: (-item[1], names.get(item[0], "")))
    return [(names.get(pk, "?"), count) for pk, count in ranked[:n]]


def month_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[first moment of the month, first moment of the next month) in local time."""
    from minyi.core import clock

    local = clock.local(moment)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt
