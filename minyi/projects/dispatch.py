"""月调度: which monthly reports are due, missing or overdue, and the reminders about them.

A sub-item reports every month from its batch's first month until a report records its completion.
The report on a month is due on the batch's report day of that month (services.report_due). Units
are reminded REMIND_DAYS before the due day and once more when it has passed; the supervision board
(督办台) lists the reports overdue.

The reminders run in every `minyi worker` round. A reminder is one `ReportReminder` row per
(sub-item, month, kind) under a unique constraint: of several workers, the one whose insert wins
sends it; the row and the notifications commit together, so a worker killed in between sends nothing
twice and loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from minyi.core import clock
from minyi.notifications.models import Notification
from minyi.notifications.services import notify, unit_staff
from minyi.projects import progress
from minyi.projects.models import Batch, ProgressReport, ReportReminder, SubItem
from minyi.projects.services import report_due
from minyi.workcal.services import current_calendar

REMIND_DAYS = 3


def unfinished_before(items: QuerySet[SubItem], month: dt.date) -> QuerySet[SubItem]:
    """The sub-items that still report on `month`: not completed in an earlier month."""
    finished = ProgressReport.objects.filter(item=OuterRef("pk"), month__lt=month).exclude(completion="")
    return items.filter(project__batch__first_month__lte=month).exclude(Exists(finished))


def missing(items: QuerySet[SubItem], month: dt.date) -> QuerySet[SubItem]:
    """The sub-items whose report on `month` has not been filed."""
    filed = ProgressReport.objects.filter(item=OuterRef("pk"), month=month)
    return unfinished_before(items, month).exclude(Exists(filed))


def last_due_month(batch: Batch, day: dt.date, cal=None) -> dt.date | None:
    """The latest month whose report was due before `day` (None before the batch's first one). A due
    day moved past holidays may fall in the next month, so the month before is not always it."""
    cal = cal or current_calendar()
    month = progress.month_of(day)
    while month >= progress.month_of(batch.first_month):
        if report_due(batch, month, cal) < day:
            return month
        month = progress.add_months(month, -1)
    return None


@dataclass(frozen=True)
class Overdue:
    item: SubItem
    month: dt.date
    due: dt.date


def overdue(items: QuerySet[SubItem], day: dt.date | None = None) -> list[Overdue]:
    """The reports overdue on `day`: of each batch, the last month due with no report filed."""
    day = day or clock.today()
    cal = current_calendar()
    out = []
    batches = Batch.objects.filter(pk__in=items.values("project__batch"))
    for batch in batches:
        month = last_due_month(batch, day, cal)
        if month is None:
            continue
        due = report_due(batch, month, cal)
        rows = missing(items.filter(project__batch=batch), month).select_related("project", "unit")
        out += [Overdue(item, month, due) for item in rows.order_by("unit__name", "project_id", "id")]
    return out


def remind(*, now: dt.datetime | None = None) -> int:
    """Send the reminders due now; returns how many sub-items were reminded."""
    now = now or clock.now()
    day = clock.local(now).date()
    cal = current_calendar()
    sent = 0
    for batch in Batch.objects.filter(first_month__lte=day):
        items = SubItem.objects.filter(project__batch=batch)
        this_month = progress.month_of(day)
        for month in (progress.add_months(this_month, -1), this_month):
            due = report_due(batch, month, cal)
            if month >= progress.month_of(batch.first_month) and day <= due <= day + dt.timedelta(
                days=REMIND_DAYS
            ):
                sent += _remind(batch, missing(items, month), month, due, ReportReminder.Kind.DUE_SOON, now)
        late = last_due_month(batch, day, cal)
        if late is not None:
            late_due = report_due(batch, late, cal)
            sent += _remind(batch, missing(items, late), late, late_due, ReportReminder.Kind.OVERDUE, now)
    return sent


def _remind(batch: Batch, items: QuerySet[SubItem], month: dt.date, due: dt.date, kind: str, now) -> int:
    already = ReportReminder.objects.filter(item=OuterRef("pk"), month=month, kind=kind)
    by_unit: dict[int, list[SubItem]] = defaultdict(list)
    for item in items.exclude(Exists(already)).select_related("unit"):
        by_unit[item.unit_id].append(item)
    sent = 0
    url = reverse("projects:dispatch")
    for unit_items in by_unit.values():
        unit = unit_items[0].unit
        try:
            with transaction.atomic():
                ReportReminder.objects.bulk_create(
                    [ReportReminder(item=i, month=month, kind=kind, sent_at=now) for i in unit_items]
                )
                values = {
                    "n": len(unit_items),
                    "batch": batch.name,
                    "month": f"{month:%Y-%m}",
                    "due": f"{due:%m-%d}",
                }
                n = len(unit_items)
                if kind == ReportReminder.Kind.DUE_SOON:
                    text = ngettext(
                        "%(batch)s: %(n)d sub-item report on %(month)s is due by %(due)s.",
                        "%(batch)s: %(n)d sub-item reports on %(month)s are due by %(due)s.",
                        n,
                    )
                else:
                    text = ngettext(
                        "%(batch)s: %(n)d sub-item report on %(month)s is overdue (due %(due)s).",
                        "%(batch)s: %(n)d sub-item reports on %(month)s are overdue (due %(due)s).",
                        n,
                    )
                message = text % values
                notify(unit_staff(unit), kind=Notification.Kind.PROJECT_REPORT, message=message, url=url)
        except IntegrityError:
            continue  # another worker reminded this unit first
        sent += len(unit_items)
    return sent
