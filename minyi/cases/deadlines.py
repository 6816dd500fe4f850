"""Deadlines (时限) of a case as stored, indexed columns, and the deadline light (红黄绿灯).

Operations call these functions to (re)compute the columns; lists filter on them with `light_q`;
the worker scans `alert_at`. The arithmetic itself is in workcal/calendar.py.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Case as Conditional
from django.db.models import F, Q, TextChoices, When
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from minyi.cases.models import Case
from minyi.cases.workflow import CLOCKS
from minyi.catalog.services import Limits
from minyi.workcal.calendar import WorkCalendar

WARNING_FRACTION = 0.8  # yellow from 80 % of the allowed time


class Light(TextChoices):
    GREEN = "green", _("Green")  # 正常
    YELLOW = "yellow", _("Yellow")  # 临期
    RED = "red", _("Red")  # 超期


def start_clocks(
    case: Case, cal: WorkCalendar, limits: Limits, now: dt.datetime, *, sign: bool = True
) -> None:
    """A unit takes the case on: the handling clock (and the sign-for clock) start now."""
    case.handle_limit, case.handle_unit = limits.handle_limit, limits.handle_unit
    case.handle_started_at = now
    case.handle_due_at = cal.due_after(now, limits.handle_limit, limits.handle_unit)
    case.handle_due_original_at = case.handle_due_at
    case.handle_warn_at = cal.warning_moment(now, case.handle_due_at, limits.handle_unit, WARNING_FRACTION)
    if sign:
        restart_sign_clock(case, cal, limits, now)
    else:
        case.sign_limit, case.sign_unit, case.sign_due_at, case.sign_warn_at = None, "", None, None


def restart_sign_clock(case: Case, cal: WorkCalendar, limits: Limits, now: dt.datetime) -> None:
    case.sign_limit, case.sign_unit = limits.sign_limit, limits.sign_unit
    case.sign_due_at = cal.due_after(now, limits.sign_limit, limits.sign_unit)
    case.sign_warn_at = cal.warning_moment(now, case.sign_due_at, limits.sign_unit, WARNING_FRACTION)


def extended_due(case: Case, cal: WorkCalendar, working_days: int) -> dt.datetime:
    """The handling deadline an extension of `working_days` would give (the desk shows it before the
    dispatcher decides; the approval sets it)."""
    return cal.add_working_days(case.handle_due_at, working_days)


def extend_handling(case: Case, cal: WorkCalendar, working_days: int) -> None:
    """An approved extension (延期): the handling deadline moves by whole working days."""
    case.handle_due_at = extended_due(case, cal, working_days)
    case.handle_warn_at = cal.warning_moment(
        case.handle_started_at, case.handle_due_at, case.handle_unit, WARNING_FRACTION
    )


def shift_for_pause(case: Case, cal: WorkCalendar, paused_from: dt.datetime, paused_to: dt.datetime) -> None:
    """Time while suspended (挂起) does not count: every running clock moves by the paused time."""
    for clock in ("sign", "handle"):
        unit = getattr(case, f"{clock}_unit")
        due = getattr(case, f"{clock}_due_at")
        if not unit or due is None:
            continue
        paused = cal.elapsed(paused_from, paused_to, unit)
        setattr(case, f"{clock}_due_at", cal.advance(due, paused, unit))
        setattr(case, f"{clock}_warn_at", cal.advance(getattr(case, f"{clock}_warn_at"), paused, unit))


def running_clocks(case: Case) -> tuple[str, ...]:
    return tuple(c for c in CLOCKS.get(case.status, ()) if getattr(case, f"{c}_due_at") is not None)


def next_due(case: Case) -> dt.datetime | None:
    """The nearest deadline that runs now (the one the light counts to), or None."""
    return min((getattr(case, f"{c}_due_at") for c in running_clocks(case)), default=None)


def next_due_expression():
    """`next_due` as a database expression (None when no deadline runs), to order lists by it: the
    earliest running deadline first is the most overdue first."""
    whens = []
    for status, clocks in CLOCKS.items():
        dues = [F(f"{c}_due_at") for c in clocks]
        # SQLite's MIN() of a NULL is NULL, PostgreSQL's LEAST skips it: a clock without a deadline
        # falls back on the handling one, which every status with a clock has.
        due = dues[0] if len(dues) == 1 else Least(*(Coalesce(d, F("handle_due_at")) for d in dues))
        whens.append(When(status=status, then=due))
    return Conditional(*whens, default=None)


def days_overdue(case: Case, cal: WorkCalendar, now: dt.datetime) -> int | None:
    """超期天数: the working days begun since the deadline the light counts to (`next_due`) passed —
    on the working-day calendar, so weekends and holidays do not count, as they do not count towards
    the deadline either; 0 while none has begun (a deadline passed on Friday evening, seen on
    Saturday). None when the case is not overdue (the light is not red) or no deadline runs."""
    due = next_due(case)
    if due is None or now <= due:
        return None
    return math.ceil(cal.working_time_between(due, now) / cal.working_day_length)


def light(case: Case, now: dt.datetime) -> Light | None:
    """The case's light now, or None when no deadline runs (not yet assigned, suspended, closed)."""
    clocks = running_clocks(case)
    if not clocks:
        return None
    if any(now > getattr(case, f"{c}_due_at") for c in clocks):
        return Light.RED
    if any(now >= getattr(case, f"{c}_warn_at") for c in clocks):
        return Light.YELLOW
    return Light.GREEN


def light_q(wanted: Light | str, now: dt.datetime) -> Q:
    """A filter for cases showing the `wanted` light at `now` (same rule as `light`)."""
    red = Q(pk__in=[])
    warn = Q(pk__in=[])
    running = Q(pk__in=[])
    for status, clocks in CLOCKS.items():
        in_status = Q(status=status)
        running |= in_status
        for c in clocks:
            red |= in_status & Q(**{f"{c}_due_at__lt": now})
            warn |= in_status & Q(**{f"{c}_warn_at__lte": now})
    if wanted == Light.RED:
        return red
    if wanted == Light.YELLOW:
        return warn & ~red
    return running & ~warn & ~red


# A case turns red once its deadline has passed (now > due), so the worker looks just after it.
RED_AFTER = dt.timedelta(seconds=1)


def next_alert_at(case: Case, after: dt.datetime | None = None) -> dt.datetime | None:
    """The next yellow or red moment of a running clock (after `after`, if given) for the worker."""
    moments = []
    for c in running_clocks(case):
        warn_at, due_at = getattr(case, f"{c}_warn_at"), getattr(case, f"{c}_due_at")
        for moment in (warn_at, due_at + RED_AFTER if due_at else None):
            if moment is not None and (after is None or moment > after):
                moments.append(moment)
    return min(moments, default=None)
