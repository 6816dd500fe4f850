"""Monitoring: is the database there, is a worker running, is background work falling behind?

- `GET /healthz` (no login) answers 200 `{"status": "ok" | "degraded", "database": "ok", "worker": …}`,
  or 503 with `"status": "down"` when the database cannot be queried. A load balancer takes an
  application server out only on 503: a stale worker is "degraded" (200), because every server
  would report it alike and removing them all would not bring the worker back.
- `GET /healthz?detail=1` (an administrator's login, or `Authorization: Bearer $MINYI_HEALTH_TOKEN`) and
  `minyi health` add the numbers: heartbeat age, oldest pending SMS/e-mail, oldest due deadline
  alert, daily jobs not done. Counts and ages only: never a name, a phone number or a version.
- Each round of `minyi worker` upserts its own `WorkerHeartbeat` row (host:pid), so several workers
  on several machines never contend; rows of workers gone for HEARTBEAT_KEEP are deleted.

"Too old" is STALE_ROUNDS intervals of the newest worker (its own --interval, else
MINYI_WORKER_INTERVAL): one slow round is normal, three missed ones are not.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import socket

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, F, Min
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from minyi.core import clock
from minyi.core.env import env_secret
from minyi.core.models import WorkerHeartbeat

# Read here, not in settings.py, to keep monitoring in one module; read at import (urls.py imports
# this module) so an unreadable MINYI_HEALTH_TOKEN_FILE stops start-up, not a request.
HEALTH_TOKEN = env_secret("MINYI_HEALTH_TOKEN", file_variable="MINYI_HEALTH_TOKEN_FILE")
STALE_ROUNDS = 3
HEARTBEAT_KEEP = dt.timedelta(days=7)

OK, DEGRADED, DOWN = "ok", "degraded", "down"
EXIT_CODES = {OK: 0, DEGRADED: 1, DOWN: 2}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def record_heartbeat(*, interval: int, started_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """Called by `minyi worker` after each round: this process is alive and looping."""
    now = now or clock.now()
    name = worker_name()
    beat = WorkerHeartbeat.objects.filter(name=name)
    if not beat.update(beat_at=now, interval=interval, rounds=F("rounds") + 1):
        try:
            with transaction.atomic():
                WorkerHeartbeat.objects.create(
                    name=name, started_at=started_at, beat_at=now, interval=interval, rounds=1
                )
        except IntegrityError:  # the same name inserted meanwhile (a reused pid): count this round
            beat.update(beat_at=now, interval=interval, rounds=F("rounds") + 1)
    WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_KEEP).delete()


def _age(moment: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def _overdue_jobs(now: dt.datetime, limit: dt.timedelta) -> list[str]:
    """Daily jobs (analysis/jobs.py) that should have finished for yesterday by now."""
    from minyi.analysis import jobs
    from minyi.analysis.models import JobRun

    local = clock.local(now)
    due = local.replace(hour=jobs.START_HOUR, minute=0, second=0, microsecond=0) + limit
    if local < due:
        return []
    day = local.date() - dt.timedelta(days=1)
    done = set(JobRun.objects.filter(day=day, finished_at__isnull=False).values_list("job", flat=True))
    return sorted(set(jobs.JOBS) - done)


def _measure(now: dt.datetime) -> dict:
    from minyi.cases.models import Case
    from minyi.notifications.models import OutboundMessage

    newest = WorkerHeartbeat.objects.order_by("-beat_at").first()
    interval = newest.interval if newest else settings.MINYI_WORKER_INTERVAL
    limit = dt.timedelta(seconds=STALE_ROUNDS * interval)
    alive = WorkerHeartbeat.objects.filter(beat_at__gte=now - limit).count()
    pending = OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    due = Case.objects.filter(alert_at__lte=now).aggregate(n=Count("pk"), oldest=Min("alert_at"))
    detail = {
        "checked_at": now.isoformat(),
        "stale_after_seconds": int(limit.total_seconds()),
        "workers": {
            "alive": alive,
            "newest_heartbeat_age_seconds": _age(newest and newest.beat_at, now),
            "interval_seconds": interval,
        },
        "outbox": {
            "pending": pending["n"],
            "oldest_pending_age_seconds": _age(pending["oldest"], now),
            "failed": OutboundMessage.objects.filter(state=OutboundMessage.State.FAILED).count(),
        },
        "deadline_alerts": {"due": due["n"], "oldest_due_age_seconds": _age(due["oldest"], now)},
        "daily_jobs": {"overdue": _overdue_jobs(now, limit)},
    }
    worker = "missing" if newest is None else ("ok" if alive else "stale")
    problems = [] if worker == "ok" else [f"worker {worker}"]
    seconds = limit.total_seconds()
    if (detail["outbox"]["oldest_pending_age_seconds"] or 0) > seconds:
        problems.append("outbox lagging")
    if (detail["deadline_alerts"]["oldest_due_age_seconds"] or 0) > seconds:
        problems.append("deadline alerts lagging")
    if detail["daily_jobs"]["overdue"]:
        problems.append("daily jobs overdue")
    detail["problems"] = problems
    return {"status": DEGRADED if problems else OK, "worker": worker, **detail}


def health_report(*, now: dt.datetime | None = None) -> dict:
    """The full report; `status` is ok, degraded (background work behind) or down (no database)."""
    now = now or clock.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return {"status": DOWN, "database": "unreachable", "checked_at": now.isoformat()}
    try:
        measured = _measure(now)
    except DatabaseError:  # reachable but not usable, e.g. the tables are not migrated yet
        return {"status": DOWN, "database": "error", "checked_at": now.isoformat()}
    return {"status": measured.pop("status"), "database": "ok", **measured}


def _may_see_detail(request: HttpRequest) -> bool:
    token = HEALTH_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        # The administrator role (it opens the admin site); is_staff plays no part in minyi.
        return bool(request.user.is_authenticated and request.user.is_administrator)
    except DatabaseError:  # the session lives in the database
        return False


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    if request.GET.get("detail") not in (None, "", "0"):
        if not _may_see_detail(request):
            return JsonResponse(
                {"error": "detail=1 needs an administrator's login or MINYI_HEALTH_TOKEN as a Bearer token"},
                status=403,
            )
        body = report
    else:
        body = {key: report[key] for key in ("status", "database", "worker") if key in report}
    response = JsonResponse(body, status=503 if report["status"] == DOWN else 200)
    response["Cache-Control"] = "no-store"
    return response
