"""The daily jobs, run by `minyi worker`: hot issues of the last 30 days (and of a month that has
just ended, for its monthly report), the surge scan of the day just ended, and the kept statuses of
the livelihood-projects ledger. Each (job, day) is claimed by inserting its `JobRun` row: of several
workers on several machines exactly one does the day's work; a worker killed in the middle leaves a
row without `finished_at`, which is claimed again after STALE; so does a run that failed (its error
is kept)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction

from minyi.analysis import alerts, hot
from minyi.analysis.models import JobRun
from minyi.core import clock

log = logging.getLogger("minyi.worker")
STALE = dt.timedelta(hours=2)
START_HOUR = 1  # after midnight: the day before is complete


def _claim(job: str, day: dt.date, now: dt.datetime) -> JobRun | None:
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=job, day=day, started_at=now)
    except IntegrityError:
        pass
    # A run that never finished (its worker died) is taken over once it is clearly abandoned.
    taken = JobRun.objects.filter(
        job=job, day=day, finished_at__isnull=True, started_at__lt=now - STALE
    ).update(started_at=now)
    return JobRun.objects.get(job=job, day=day) if taken else None


def _project_status(day: dt.date) -> dict:
    # A new month can turn a sub-item "lagging" by its plan alone, without any report: the kept
    # statuses of the ledger are recomputed once a day.
    from minyi.projects.services import refresh_all

    return {"items": refresh_all()}


JOBS = {
    "hot_issues": lambda day: {"issues": hot.refresh_hot_issues(day=day)},
    "month_hot_issues": lambda day: {"issues": hot.refresh_month_hot_issues(day=day)},
    "surges": lambda day: {"alerts": len(alerts.scan_surges(day=day))},
    "project_status": _project_status,
}


def run_daily(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run each daily job once for yesterday (from 01:00 local time); returns what each did."""
    now = now or clock.now()
    local = clock.local(now)
    if local.hour < START_HOUR:
        return {}
    day = local.date() - dt.timedelta(days=1)
    done = {}
    for job, work in JOBS.items():
        run = _claim(job, day, now)
        if run is None:
            continue
        try:
            result = work(day)
        except Exception as exc:
            # The row stays unfinished: the claim is taken over after STALE, not on the next round
            # (a job that fails at once would otherwise rerun its heavy work every few seconds).
            log.exception("analysis job %s for %s failed; it is tried again after %s", job, day, STALE)
            JobRun.objects.filter(pk=run.pk).update(result={"error": str(exc)[:500]})
            continue
        JobRun.objects.filter(pk=run.pk).update(finished_at=clock.now(), result=result)
        done[job] = sum(result.values())
    return done
