"""The background work of `minyi worker`: deadline alerts, message delivery, calendar reminders.

Several workers may run on several machines against one PostgreSQL. None of them locks case rows
for long or takes a lock a user would wait on: a worker *claims* a due case with a conditional
UPDATE on `alert_at` (only one UPDATE can move it from the value it read), and the unique
`DeadlineAlert` row makes "the same deadline never notifies twice" hold even across restarts. The
claim, the alert rows and the notifications commit together, so a worker killed mid-scan leaves the
case unclaimed and the next scan picks it up.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.api import idempotency, webhooks
from minyi.cases import deadlines
from minyi.cases.models import Case
from minyi.core import clock
from minyi.notifications.models import DeadlineAlert, Notification
from minyi.notifications.services import (
    deliver_pending,
    notify,
    release_stale_claims,
    role_holders,
    unit_staff,
)
from minyi.org.roles import Role
from minyi.web import logins, ratelimit
from minyi.workcal.services import years_needing_entry

log = logging.getLogger("minyi.worker")

CLOCK_NAMES = {"sign": _("sign-for"), "handle": _("handling")}


def scan_deadlines(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Alert every case whose next yellow or red moment has come; returns the alerts sent."""
    now = now or clock.now()
    sent = 0
    after: tuple[dt.datetime, int] | None = None
    people = Recipients()  # looked up once per scan, not once per alert
    while True:
        due = Case.objects.filter(alert_at__lte=now)
        if after:  # keyset: each batch starts after the last case of the one before
            due = due.filter(Q(alert_at__gt=after[0]) | Q(alert_at=after[0], pk__gt=after[1]))
        rows = list(due.order_by("alert_at", "pk").values_list("pk", "alert_at")[:batch])
        for pk, alert_at in rows:
            sent += alert_case(pk, alert_at, now, people)
        if len(rows) < batch:
            return sent
        after = rows[-1][1], rows[-1][0]


class Recipients:
    """Who hears of a case's deadline: its lead unit's staff, and for an overdue one the supervisors."""

    def __init__(self):
        self._units: dict[int, list] = {}
        self._supervisors: list | None = None

    def staff(self, case: Case) -> list:
        if case.lead_unit_id not in self._units:
            self._units[case.lead_unit_id] = unit_staff(case.lead_unit)
        return self._units[case.lead_unit_id]

    def supervisors(self) -> list:
        if self._supervisors is None:
            self._supervisors = role_holders(Role.SUPERVISOR)
        return self._supervisors


def alert_case(pk: int, alert_at: dt.datetime, now: dt.datetime, people: Recipients | None = None) -> int:
    """Claim one case's due alert and send it; 0 if another worker (or a user's change) came first."""
    people = people or Recipients()
    with transaction.atomic():
        case = Case.objects.select_related("lead_unit").filter(pk=pk, alert_at=alert_at).first()
        if case is None:
            return 0
        claimed = Case.objects.filter(pk=pk, alert_at=alert_at).update(
            alert_at=deadlines.next_alert_at(case, after=now)
        )
        if not claimed:
            return 0
        sent = 0
        for name in deadlines.running_clocks(case):
            due_at, warn_at = getattr(case, f"{name}_due_at"), getattr(case, f"{name}_warn_at")
            # A worker that was down past both moments sends only the red alert.
            level = (
                DeadlineAlert.Level.RED
                if now > due_at
                else DeadlineAlert.Level.YELLOW
                if now >= warn_at
                else None
            )
            if level and _record_once(case, name, due_at, level, now):
                _tell(case, name, due_at, level, people)
                sent += 1
        return sent


def _record_once(case: Case, name: str, due_at: dt.datetime, level: str, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            DeadlineAlert.objects.create(case=case, clock=name, due_at=due_at, level=level, created_at=now)
    except IntegrityError:
        return False
    return True


def _tell(case: Case, name: str, due_at: dt.datetime, level: str, people: Recipients) -> None:
    values = {
        "number": case.tracking_number,
        "clock": CLOCK_NAMES[name],
        "due": clock.local(due_at).strftime("%Y-%m-%d %H:%M"),
    }
    staff = people.staff(case)
    if level == DeadlineAlert.Level.RED:
        message = _("Overdue: the %(clock)s deadline of case %(number)s was %(due)s.") % values
        notify(
            staff + people.supervisors(),
            kind=Notification.Kind.OVERDUE,
            message=message,
            case=case,
            sms=True,
        )
    else:
        message = _("Due soon: the %(clock)s deadline of case %(number)s is %(due)s.") % values
        notify(staff, kind=Notification.Kind.DUE_SOON, message=message, case=case)


def remind_calendar(*, now: dt.datetime | None = None) -> int:
    """Tell administrators (once per year and person) that a year's holidays must be entered."""
    now = now or clock.now()
    told = 0
    for year in years_needing_entry(today=clock.local(now).date()):
        message = _("Enter the %(year)d holidays and make-up working days (节假日调整) in the admin.") % {
            "year": year
        }
        admins = [
            u
            for u in role_holders(Role.ADMINISTRATOR)
            if not Notification.objects.filter(
                user=u, kind=Notification.Kind.CALENDAR, message=message
            ).exists()
        ]
        if admins:
            notify(admins, kind=Notification.Kind.CALENDAR, message=message)
            log.warning("the holiday calendar of %d is missing: %d administrators told", year, len(admins))
            told += len(admins)
    return told


def forget_expired_sessions() -> int:
    """Delete the sessions past their expiry (Django's clearsessions, as one step of the round)."""
    return Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]


def run_once(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One round of all background work; `minyi worker` repeats it."""
    from minyi.analysis.jobs import run_daily  # analysis builds on cases and notifications
    from minyi.console import batch as batch_runs
    from minyi.projects import dispatch as project_reports
    from minyi.stats import rollups

    now = now or clock.now()
    result = {
        "alerts": scan_deadlines(now=now),
        "released": release_stale_claims(),
        "sent": deliver_pending(),
        "calendar": remind_calendar(now=now),
        # Rate-limit windows of the portal and the API last an hour; a day's margin is plenty.
        "rate_windows": ratelimit.forget_before(now - dt.timedelta(days=1)),
        "login_failures": logins.forget_stale(now),
        # Sessions past their age: the portal gives every browser that sends a form one (its limits
        # are counted per browser), so they would pile up.
        "sessions": forget_expired_sessions(),
        # API: answers to Idempotency-Keys past their replay window, and webhook signatures too old
        # to be accepted again anyway (their timestamp is outside the tolerance).
        "idempotency": idempotency.forget_before(now - dt.timedelta(hours=settings.MINYI_IDEMPOTENCY_HOURS)),
        "webhooks": webhooks.forget_before(
            now - dt.timedelta(seconds=2 * settings.MINYI_WEBHOOK_TOLERANCE_SECONDS)
        ),
        # The console's batch actions: their result lists (each case's own events stay for good).
        "batch_runs": batch_runs.forget_before(now - dt.timedelta(days=batch_runs.KEEP_DAYS)),
        # Hot issues and surge alerts, once a day for the day before (whichever worker claims it).
        "analysis": sum(run_daily(now=now).values()),
        # The stored figures of closed months that changed (stats/rollups.py), a few per round.
        "measures": len(rollups.refresh(now=now)),
        # 月调度: reminders of livelihood-project reports due soon or overdue (each sent once).
        "project_reminders": project_reports.remind(now=now),
    }
    return result
