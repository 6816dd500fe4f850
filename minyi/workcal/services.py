"""The calendar as the rest of minyi sees it: the package's data plus the override table."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minyi.core import clock
from minyi.workcal.calendar import WorkCalendar, parse_periods
from minyi.workcal.models import HolidayOverride


def current_calendar() -> WorkCalendar:
    """A calendar with every override as of now.

    The override table is small (a few dozen rows a year), so it is read afresh for each use: all
    application servers and workers then agree the moment an administrator saves a change.
    """
    overrides = dict(HolidayOverride.objects.values_list("day", "is_workday"))
    return WorkCalendar(
        overrides=overrides,
        periods=parse_periods(settings.MINYI_WORKING_HOURS),
        tz=timezone.get_default_timezone(),
    )


def years_needing_entry(*, today: dt.date | None = None) -> list[int]:
    """This year and next, where neither the package nor the override table has the holidays.

    Next year is only asked for from October on, when the State Council's notice is due.
    """
    today = today or clock.local(clock.now()).date()
    years = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    return current_calendar().years_needing_entry(years)


@transaction.atomic
def holidays_enter(
    *, first_day: dt.date, last_day: dt.date, is_workday: bool, note: str = ""
) -> tuple[list[HolidayOverride], list[HolidayOverride]]:
    """批量录入: make every day from first_day to last_day (both included) a working day or a day off.

    Returns (created, changed); days that already said so are left alone, so entering a range twice
    changes nothing the second time.
    """
    days = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    existing = {o.day: o for o in HolidayOverride.objects.select_for_update().filter(day__in=days)}
    created, changed = [], []
    for day in days:
        override = existing.get(day)
        if override is None:
            created.append(HolidayOverride.objects.create(day=day, is_workday=is_workday, note=note))
        elif (override.is_workday, override.note) != (is_workday, note):
            override.is_workday, override.note = is_workday, note
            override.save(update_fields=["is_workday", "note", "updated_at"])
            changed.append(override)
    return created, changed
