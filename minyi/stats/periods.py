"""Periods (统计周期) that measures are taken over, in local (Beijing) time.

A period is a half-open interval [start, end) of aware moments whose bounds fall on local midnights,
so "November" means 2026-11-01 00:00 to 2026-12-01 00:00 Beijing time whatever the server's zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from minyi.core import clock

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime  # exclusive

    @property
    def first_day(self) -> dt.date:
        return clock.local(self.start).date()

    @property
    def last_day(self) -> dt.date:
        """The last local day inside the period (the end is exclusive)."""
        return clock.local(self.end - dt.timedelta(microseconds=1)).date()


def local_midnight(day: dt.date) -> dt.datetime:
    """The first moment of a local day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[first moment of the month, first moment of the next month) in local time."""
    start = local_midnight(clock.local(moment).date().replace(day=1))
    nxt = local_midnight((start.date() + dt.timedelta(days=32)).replace(day=1))
    return start, nxt


def this_month(now: dt.datetime) -> Period:
    return Period(*month_bounds(now))


def last_month(now: dt.datetime) -> Period:
    start, _ = month_bounds(now)
    return Period(*month_bounds(start - ONE_DAY))


def this_year(now: dt.datetime) -> Period:
    year = clock.local(now).year
    return Period(local_midnight(dt.date(year, 1, 1)), local_midnight(dt.date(year + 1, 1, 1)))


def days(first: dt.date, last: dt.date) -> Period:
    """From the start of local day `first` to the end of local day `last` (both included)."""
    return Period(local_midnight(first), local_midnight(last + ONE_DAY))


def months_up_to(moment: dt.datetime, n: int = 12) -> list[Period]:
    """The `n` calendar months ending with the month of `moment`, oldest first."""
    months = [this_month(moment)]
    while len(months) < n:
        months.insert(0, last_month(months[0].start))
    return months


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _is_whole_months(period: Period) -> bool:
    return period.first_day.day == 1 and (period.last_day + ONE_DAY).day == 1


def previous(period: Period) -> Period:
    """环比: the period just before — the previous month(s) for whole months, else as many days before."""
    if _is_whole_months(period):
        months = round((period.last_day - period.first_day).days / 30.44) or 1
        first = period.first_day
        for _ in range(months):
            first = (first - ONE_DAY).replace(day=1)
        return days(first, period.first_day - ONE_DAY)
    length = (period.last_day - period.first_day).days + 1
    return days(period.first_day - dt.timedelta(days=length), period.first_day - ONE_DAY)


def year_before(period: Period) -> Period:
    """同比: the same dates a year earlier."""
    return days(_year_earlier(period.first_day), _year_earlier(period.last_day))


def month_of(day: dt.date) -> Period:
    """The calendar month `day` falls in."""
    return Period(*month_bounds(local_midnight(day)))
