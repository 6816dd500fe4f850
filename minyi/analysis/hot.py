"""Hot issues (热点问题) among the district's cases: the plain method (analysis/hotspots.py) fed with
the cases of a period, the area names of the district as its gazetteer, and one voice per requester.
The daily job keeps the last 30 days' list (`HotIssue` rows) for the dashboard."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from minyi.analysis import hotspots
from minyi.analysis.models import HotIssue
from minyi.cases.models import Case
from minyi.cases.workflow import Status
from minyi.catalog.choices import DemandType
from minyi.core import clock
from minyi.org.models import Area
from minyi.stats import periods

PERIOD_DAYS = 30
KEPT = 20  # issues kept per day
LEFT_OUT = (Status.REJECTED, Status.MERGED)  # not a demand of its own: a rejected one or a repeat
# (nor is a letter of thanks a problem: demand type 表扬 is left out too)


def _voice(case_id: int, phone: str, ref: str) -> str:
    # The same phone (or the same id in the channel's system) is one person however often they call.
    return f"p:{phone}" if phone else f"r:{ref}" if ref else f"c:{case_id}"


def case_messages(cases: QuerySet[Case]) -> list[hotspots.Message]:
    rows = (
        cases.exclude(status__in=LEFT_OUT)
        .exclude(demand_type=DemandType.PRAISE)
        .values_list(
            "pk",
            "title",
            "description",
            "received_at",
            "requester_phone",
            "requester_ref",
            "area_id",
            "address",
        )
    )
    where = _places()
    return [
        hotspots.Message(
            str(pk),
            title,
            description,
            clock.local(received),
            _voice(pk, phone, ref),
            area=where.get(area),
            address=address,
        )
        for pk, title, description, received, phone, ref, area, address in rows.iterator(chunk_size=5000)
    ]


def _places() -> dict[int, str]:
    """Area → the name of its community or village (of its street when it is one): where a case is,
    as the centre recorded it. Two cases of different communities are about different places,
    whatever their texts share; a grid is too fine (one estate spans several grids)."""
    names = dict(Area.objects.values_list("pk", "name"))
    where = {}
    for area in Area.objects.filter(level__gte=Area.Level.STREET).only("pk", "path"):
        path = area.ancestor_ids()
        where[area.pk] = names[path[min(len(path), Area.Level.COMMUNITY) - 1]]
    return where


def gazetteer() -> list[str]:
    return list(Area.objects.filter(depth__gte=2).values_list("name", flat=True))


def mine_cases(
    *,
    since: dt.date,
    until: dt.date,
    top: int | None = None,
    cases: QuerySet[Case] | None = None,
    workers: int | None = None,
):
    """The hot issues among the cases received from `since` to `until` (both days included); `workers`
    processes read the texts (None: one per core — 1 inside a web server, which must not fork)."""
    period = periods.days(since, until)
    chosen = (cases if cases is not None else Case.objects.all()).filter(
        received_at__gte=period.start, received_at__lt=period.end
    )
    return hotspots.mine(case_messages(chosen), top=top, gazetteer=gazetteer(), workers=workers)


def refresh_hot_issues(*, day: dt.date) -> int:
    """Recompute the hot issues of the 30 days up to `day` and keep them as that day's list."""
    since = day - dt.timedelta(days=PERIOD_DAYS - 1)
    return _keep(mine_cases(since=since, until=day, top=KEPT), HotIssue.Span.DAYS, since, day)


def refresh_month_hot_issues(*, day: dt.date) -> int:
    """On the last day of a month (the daily job runs for the day just ended), mine the whole month
    once and keep its list for the monthly report."""
    if (day + dt.timedelta(days=1)).day != 1:
        return 0
    month = day.replace(day=1)
    return _keep(mine_cases(since=month, until=day, top=KEPT), HotIssue.Span.MONTH, month, day)


def month_hot_issues(month: dt.date, top: int) -> list[HotIssue] | None:
    """The kept list of a month that has ended, or None when it was not mined (no worker ran then)."""
    found = list(HotIssue.objects.filter(span=HotIssue.Span.MONTH, since=month).order_by("rank")[:top])
    return found or None


def _keep(issues: list, span: str, since: dt.date, until: dt.date) -> int:
    with transaction.atomic():
        HotIssue.objects.filter(span=span, computed_on=until).delete()
        HotIssue.objects.bulk_create(
            HotIssue(
                span=span,
                computed_on=until,
                since=since,
                until=until,
                rank=rank,
                title=issue.title[:200],
                keywords=issue.keywords,
                places=issue.places,
                count=issue.count,
                people=issue.people,
                heat=issue.heat,
                start=_aware(issue.start),
                end=_aware(issue.end),
                case_ids=[int(i) for i in issue.message_ids],
            )
            for rank, issue in enumerate(issues, 1)
        )
    return len(issues)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.get_current_timezone())


def latest_hot_issues() -> list[HotIssue]:
    days = HotIssue.objects.filter(span=HotIssue.Span.DAYS)
    last = days.order_by("-computed_on").values_list("computed_on", flat=True).first()
    return list(days.filter(computed_on=last)) if last else []
