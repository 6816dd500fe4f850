"""The Chinese working-day calendar behind case deadlines (时限).

A day is a working day if an administrator override says so, else if the `chinesecalendar` package
says so (weekends, statutory holidays and 调休 make-up days, known for 2004 to its last published
year), else if it is Monday to Friday. The package only learns a year once the State Council has
published it, so the weekday rule keeps deadlines computable meanwhile and `years_needing_entry`
tells administrators which years still need their holidays entered.

Working time is counted inside the daily working periods of working days only, in wall-clock time of
the calendar's zone (Asia/Shanghai has no daylight saving, so wall-clock and elapsed time agree).
Plain Python on purpose: the deadline worker and tests use it without Django.
"""

from __future__ import annotations

import bisect
import enum
import functools
import itertools
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = ["DEFAULT_PERIODS", "LimitUnit", "WorkCalendar", "parse_periods"]

Periods = tuple[tuple[time, time], ...]

DEFAULT_PERIODS: Periods = ((time(8, 30), time(12, 0)), (time(13, 30), time(18, 0)))
SHANGHAI = ZoneInfo("Asia/Shanghai")

_PERIOD_FORM = 'HH:MM-HH:MM, several separated by commas, e.g. "08:30-12:00,13:30-18:00"'
_PERIOD_RE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


class LimitUnit(enum.StrEnum):
    """The clock a time limit runs on."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    # Round the clock, holidays included: urgent matters such as heating or water outages.
    HOURS = "hours"


def parse_periods(text: str) -> Periods:
    """Parse working periods such as "08:30-12:00,13:30-18:00"; ValueError if malformed."""
    # Administrators type this with a Chinese input method, where the comma comes out full-width.
    parts = [part.strip() for part in text.replace("，", ",").split(",")]
    if parts == [""]:
        raise ValueError(f"No working periods given; expected {_PERIOD_FORM}.")
    periods = []
    for part in parts:
        match = _PERIOD_RE.fullmatch(part)
        if match is None:
            raise ValueError(f"Working period {part!r} is not in the form {_PERIOD_FORM}.")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            periods.append((time(h1, m1), time(h2, m2)))
        except ValueError:
            raise ValueError(
                f"Working period {part!r} has an impossible time of day; expected {_PERIOD_FORM}."
            ) from None
    return _validate_periods(periods)


def _validate_periods(periods: Iterable[tuple[time, time]]) -> Periods:
    result = tuple((start, end) for start, end in periods)
    if not result:
        raise ValueError(f"No working periods given; expected {_PERIOD_FORM}.")
    previous_end: time | None = None
    for start, end in result:
        if not (isinstance(start, time) and isinstance(end, time)):
            raise TypeError(f"A working period must be a pair of times, got {(start, end)!r}.")
        label = f"{start:%H:%M}-{end:%H:%M}"
        if start.tzinfo is not None or end.tzinfo is not None:
            problem = "must use naive times (the calendar's zone applies)"
        elif start >= end:
            problem = "must start before it ends (periods cannot span midnight)"
        elif previous_end is not None and start < previous_end:
            problem = (
                "overlaps or precedes the period before it (list periods in time order, without overlap)"
            )
        else:
            previous_end = end
            continue
        raise ValueError(f"Working period {label} {problem}; expected {_PERIOD_FORM}.")
    return result


def _since_midnight(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _natural(unit: LimitUnit | str) -> bool:
    """Whether a limit in `unit` runs on natural time rather than working time."""
    return LimitUnit(unit) is LimitUnit.HOURS


class WorkCalendar:
    """Working days and working time for deadlines; immutable once built, so safe to share."""

    def __init__(
        self,
        *,
        overrides: Mapping[date, bool] | None = None,
        periods: Iterable[tuple[time, time]] = DEFAULT_PERIODS,
        tz: tzinfo = SHANGHAI,
    ) -> None:
        self._overrides: dict[date, bool] = {}
        for day, working in (overrides or {}).items():
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"Override keys must be dates, got {day!r}.")
            self._overrides[day] = bool(working)
        self._overrides_by_year: dict[int, list[date]] = {}
        for day in self._overrides:
            self._overrides_by_year.setdefault(day.year, []).append(day)
        self._periods = _validate_periods(periods)
        self._tz = tz
        self._offsets = tuple((_since_midnight(s), _since_midnight(e)) for s, e in self._periods)
        self._day_length = sum((end - start for start, end in self._offsets), timedelta())
        self._last_end = self._periods[-1][1]
        # Per year, cumulative working-day counts: cum[i] = working days among the year's first i days.
        # Turns "working days between" and "n-th working day after" into lookups and a bisect, so
        # multi-year spans cost a few list operations instead of a loop over days.
        self._cumulative: dict[int, list[int]] = {}

    # -- days -----------------------------------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        """The zone whose wall clock defines days and working periods."""
        return self._tz

    @property
    def periods(self) -> Periods:
        """The daily working periods."""
        return self._periods

    @property
    def working_day_length(self) -> timedelta:
        """Working time in one working day (the sum of the periods)."""
        return self._day_length

    def is_workday(self, day: date) -> bool:
        """Whether `day` is a working day: override, else the package, else Monday to Friday."""
        cum = self._year(_check_date(day).year)
        index = day.toordinal() - date(day.year, 1, 1).toordinal()
        return cum[index + 1] > cum[index]

    def is_known(self, day: date) -> bool:
        """Whether the day's status is authoritative (an override or package data), not guessed."""
        return _check_date(day) in self._overrides or self.package_knows_year(day.year)

    def package_knows_year(self, year: int) -> bool:
        """Whether the chinesecalendar package has holiday data for `year`."""
        return _package_knows_year(year)

    def years_needing_entry(self, years: Iterable[int]) -> list[int]:
        """Years, sorted, with neither package data nor any override: holidays must be entered."""
        return sorted(
            {y for y in years if not self.package_knows_year(y) and y not in self._overrides_by_year}
        )

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self._nth_workday_after(_check_date(day), 1)

    def _year(self, year: int) -> list[int]:
        cum = self._cumulative.get(year)
        if cum is None:
            flags = list(_base_year(year))
            first = date(year, 1, 1).toordinal()
            for day in self._overrides_by_year.get(year, ()):
                flags[day.toordinal() - first] = self._overrides[day]
            cum = list(itertools.accumulate(flags, initial=0))
            self._cumulative[year] = cum
        return cum

    def _count_workdays(self, first: date, stop: date) -> int:
        """Working days in [first, stop)."""
        if stop <= first:
            return 0
        a = first.toordinal() - date(first.year, 1, 1).toordinal()
        b = stop.toordinal() - date(stop.year, 1, 1).toordinal()
        if first.year == stop.year:
            cum = self._year(first.year)
            return cum[b] - cum[a]
        start_cum = self._year(first.year)
        total = start_cum[-1] - start_cum[a]
        for year in range(first.year + 1, stop.year):
            total += self._year(year)[-1]
        return total + self._year(stop.year)[b]

    def _nth_workday_after(self, day: date, n: int) -> date:
        year = day.year
        cum = self._year(year)
        # Working days of `day`'s year up to and including `day`.
        done = cum[day.toordinal() - date(year, 1, 1).toordinal() + 1]
        while True:
            target = done + n
            if target <= cum[-1]:
                index = bisect.bisect_left(cum, target)
                return date.fromordinal(date(year, 1, 1).toordinal() + index - 1)
            n = target - cum[-1]
            year += 1
            cum = self._year(year)
            done = 0

    # -- working time within one day -----------------------------------------------------------

    def _worked_until(self, moment: timedelta) -> timedelta:
        """Working time of a working day from midnight up to `moment` (time since midnight)."""
        total = timedelta()
        for start, end in self._offsets:
            if moment <= start:
                break
            total += min(moment, end) - start
        return total

    def _moment_after(self, day: date, worked: timedelta) -> datetime:
        """Local naive moment on `day` when `worked` (0 < worked <= day length) has been done."""
        for start, end in self._offsets:
            length = end - start
            # `<=` so that work finishing exactly at a period end stays there, not at the next start.
            if worked <= length:
                return datetime.combine(day, time()) + start + worked
            worked -= length
        raise AssertionError("worked time exceeds the working day")  # pragma: no cover

    # -- conversions -----------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        """`moment` as naive wall-clock time in the calendar's zone."""
        return _check_aware(moment).astimezone(self._tz).replace(tzinfo=None)

    def _aware(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self._tz)

    # -- working time ----------------------------------------------------------------------------

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """End of the last period of the `days`-th working day after `start`'s local date.

        The day of receipt does not count ("within N working days from receipt").
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an int, got {days!r}.")
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}.")
        target = self._nth_workday_after(self._local(start).date(), days)
        return self._aware(datetime.combine(target, self._last_end))

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of working time after `start`.

        Counting begins at the next period start if `start` lies outside a period; a result exactly at
        a period end stays at that end.
        """
        if duration < timedelta():
            raise ValueError(f"duration must not be negative, got {duration}.")
        local = self._local(start)
        if not duration:
            return self._aware(local)
        day = local.date()
        remaining = duration
        if self.is_workday(day):
            done = self._worked_until(local - datetime.combine(day, time()))
            if duration <= self._day_length - done:
                return self._aware(self._moment_after(day, done + duration))
            remaining -= self._day_length - done
        full_days, rest = divmod(remaining, self._day_length)
        if not rest:
            # Ends exactly at the close of a working day: that evening, not the next morning.
            target = self._nth_workday_after(day, full_days)
            return self._aware(datetime.combine(target, self._last_end))
        target = self._nth_workday_after(day, full_days + 1)
        return self._aware(self._moment_after(target, rest))

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """`add_working_time` with the duration given in hours."""
        return self.add_working_time(start, timedelta(hours=hours))

    def working_time_between(
        self, start: datetime, end: datetime, *, pauses: Iterable[tuple[datetime, datetime]] = ()
    ) -> timedelta:
        """Working time in [start, end) outside the (possibly overlapping) pause intervals."""
        lo, hi = self._local(start), self._local(end)
        if hi <= lo:
            return timedelta()
        total = self._working_local(lo, hi)
        for pause_start, pause_end in _merge(lo, hi, ((self._local(s), self._local(e)) for s, e in pauses)):
            total -= self._working_local(pause_start, pause_end)
        return total

    def _working_local(self, lo: datetime, hi: datetime) -> timedelta:
        """Working time in [lo, hi), both local naive, lo < hi."""
        first, last = lo.date(), hi.date()
        lo_offset = self._worked_until(lo - datetime.combine(first, time()))
        hi_offset = self._worked_until(hi - datetime.combine(last, time()))
        if first == last:
            return hi_offset - lo_offset if self.is_workday(first) else timedelta()
        total = self._day_length * self._count_workdays(first + timedelta(days=1), last)
        if self.is_workday(first):
            total += self._day_length - lo_offset
        if self.is_workday(last):
            total += hi_offset
        return total

    # -- limits ----------------------------------------------------------------------------------

    def due_after(self, start: datetime, value: int | float, unit: LimitUnit | str) -> datetime:
        """The deadline of a limit of `value` `unit`s starting at `start`."""
        unit = LimitUnit(unit)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"A time limit must be a number, got {value!r}.")
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"A time limit must be positive, got {value!r}.")
        if unit is LimitUnit.WORKING_DAYS:
            if value != int(value):
                raise ValueError(f"A limit in working days must be whole, got {value!r}.")
            return self.add_working_days(start, int(value))
        if unit is LimitUnit.WORKING_HOURS:
            return self.add_working_hours(start, value)
        return self.advance(start, timedelta(hours=value), unit)

    def elapsed(
        self,
        start: datetime,
        end: datetime,
        unit: LimitUnit | str,
        *,
        pauses: Iterable[tuple[datetime, datetime]] = (),
    ) -> timedelta:
        """Time in [start, end) on the clock `unit` runs on, minus pauses."""
        if not _natural(unit):
            return self.working_time_between(start, end, pauses=pauses)
        lo, hi = _utc(start), _utc(end)
        if hi <= lo:
            return timedelta()
        paused = sum((e - s for s, e in _merge(lo, hi, ((_utc(s), _utc(e)) for s, e in pauses))), timedelta())
        return hi - lo - paused

    def advance(self, start: datetime, duration: timedelta, unit: LimitUnit | str) -> datetime:
        """The moment `duration` after `start` on the clock `unit` runs on (inverse of `elapsed`)."""
        if not _natural(unit):
            return self.add_working_time(start, duration)
        if duration < timedelta():
            raise ValueError(f"duration must not be negative, got {duration}.")
        return (_utc(start) + duration).astimezone(self._tz)

    def warning_moment(
        self, start: datetime, due: datetime, unit: LimitUnit | str, fraction: float = 0.8
    ) -> datetime:
        """The moment `fraction` of the time allowed between `start` and `due` has been used."""
        if not 0 <= fraction <= 1:
            raise ValueError(f"fraction must lie between 0 and 1, got {fraction!r}.")
        return self.advance(start, self.elapsed(start, due, unit) * fraction, unit)


@functools.cache
def _package_knows_year(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except (NotImplementedError, ValueError, OverflowError):
        return False
    return True


# The package's data never changes within a process, and its is_workday re-scans all its data on every
# call (about 20 µs), so each year is asked once per process rather than once per calendar instance
# (services build a fresh calendar per use to see the latest overrides).
@functools.lru_cache(maxsize=128)
def _base_year(year: int) -> tuple[bool, ...]:
    """Per day of `year`, whether it is a working day before overrides: the package, else Mon-Fri."""
    first = date(year, 1, 1).toordinal()
    days = (date.fromordinal(ordinal) for ordinal in range(first, date(year, 12, 31).toordinal() + 1))
    if _package_knows_year(year):
        return tuple(chinese_calendar.is_workday(day) for day in days)
    return tuple(day.weekday() < 5 for day in days)


def _check_date(day: date) -> date:
    # A datetime is a date too, but its calendar day depends on the zone: make callers decide.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"Expected a date, got {day!r}.")
    return day


def _check_aware(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"Expected a datetime, got {moment!r}.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Expected a timezone-aware datetime, got naive {moment.isoformat()}.")
    return moment


def _utc(moment: datetime) -> datetime:
    return _check_aware(moment).astimezone(UTC)


def _merge(
    lo: datetime, hi: datetime, intervals: Iterable[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The intervals clipped to [lo, hi), sorted and merged into disjoint ones."""
    clipped = []
    for start, end in intervals:
        if end < start:
            raise ValueError(f"A pause must not end before it starts: {start} to {end}.")
        start, end = max(start, lo), min(end, hi)
        if start < end:
            clipped.append((start, end))
    clipped.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
