"""Properties of the working-day calendar, over dates from 2015 to 2030 (package years and fallback
years), random administrator overrides and random working periods.

Each property is checked against a day-by-day reference built from the definition (override, else
the chinesecalendar package, else Monday to Friday), so the calendar's cumulative tables and bisects
must agree with plain counting. MINYI_PROPERTY_EXAMPLES sets the examples per property (default 100).
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from minyi.workcal.calendar import DEFAULT_PERIODS, LimitUnit, WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
EXAMPLES = int(os.environ.get("MINYI_PROPERTY_EXAMPLES", "100"))
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
FIRST, LAST = date(2015, 1, 1), date(2030, 12, 31)
SPRING_FESTIVAL = sorted(d for d, name in chinese_calendar.holidays.items() if name == "Spring Festival")
# 调休: weekend days that are working days, by the State Council's notices.
MAKE_UP_DAYS = sorted(d for d in chinese_calendar.workdays if d.weekday() >= 5 and d >= FIRST)


def reference_is_workday(day: date, overrides: dict[date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


def reference_nth_workday_after(day: date, n: int, overrides: dict[date, bool]) -> date:
    while n:
        day += timedelta(days=1)
        n -= reference_is_workday(day, overrides)
    return day


# -- strategies -------------------------------------------------------------------------------

near_year_end = st.builds(
    lambda year, offset: date(year, 12, 31) + timedelta(days=offset),
    st.integers(FIRST.year, LAST.year - 1),
    st.integers(-12, 12),
)
near_spring_festival = st.builds(
    lambda day, offset: day + timedelta(days=offset),
    st.sampled_from([d for d in SPRING_FESTIVAL if d >= FIRST]),
    st.integers(-10, 10),
)
days = st.one_of(st.dates(FIRST, LAST), near_year_end, near_spring_festival)
moments = st.builds(
    lambda day, minute, second: (
        datetime.combine(day, time(), tzinfo=SH) + timedelta(minutes=minute, seconds=second)
    ),
    days,
    st.integers(0, 24 * 60 - 1),
    st.sampled_from([0, 0, 0, 30, 59]),
)
overrides = st.dictionaries(days, st.booleans(), max_size=40)
working_days = st.integers(1, 400)
durations = st.builds(lambda minutes: timedelta(minutes=minutes), st.integers(0, 300 * 60))


@st.composite
def periods(draw) -> tuple[tuple[time, time], ...]:
    """1 to 4 ordered, disjoint working periods within a day, minutes apart."""
    count = draw(st.integers(1, 4))
    points = sorted(draw(st.sets(st.integers(0, 24 * 60 - 1), min_size=2 * count, max_size=2 * count)))
    as_time = [time(p // 60, p % 60) for p in points]
    return tuple(zip(as_time[::2], as_time[1::2], strict=True))


@st.composite
def calendars(draw) -> tuple[WorkCalendar, dict[date, bool]]:
    given = draw(overrides)
    chosen = draw(st.one_of(st.just(DEFAULT_PERIODS), periods()))
    return WorkCalendar(overrides=given, periods=chosen), given


def local(moment: datetime) -> datetime:
    return moment.astimezone(SH)


def inside_a_period(calendar: WorkCalendar, moment: datetime) -> bool:
    clock = local(moment).time()
    return any(start <= clock <= end for start, end in calendar.periods)


# -- working days -----------------------------------------------------------------------------


@PROPERTY
@given(calendars(), days)
def test_a_day_is_working_by_override_else_package_else_weekday(built, day):
    calendar, given = built
    assert calendar.is_workday(day) == reference_is_workday(day, given)


@PROPERTY
@given(calendars(), moments, working_days)
def test_n_working_days_land_at_the_close_of_the_nth_working_day_after_receipt(built, start, n):
    calendar, given = built
    due = calendar.add_working_days(start, n)
    assert local(due).date() == reference_nth_workday_after(local(start).date(), n, given)
    assert calendar.is_workday(local(due).date())  # never on a holiday, a weekend or an override off
    assert local(due).time() == calendar.periods[-1][1]
    assert due > start


@PROPERTY
@given(calendars(), moments, working_days, working_days)
def test_working_days_add_up_and_grow_with_n(built, start, n, m):
    calendar, _given = built
    assert calendar.add_working_days(calendar.add_working_days(start, n), m) == calendar.add_working_days(
        start, n + m
    )
    assert calendar.add_working_days(start, n) < calendar.add_working_days(start, n + m)


@PROPERTY
@given(calendars(), moments, moments, working_days)
def test_a_later_receipt_never_has_an_earlier_deadline(built, first, second, n):
    calendar, _given = built
    first, second = sorted((first, second))
    assert calendar.add_working_days(first, n) <= calendar.add_working_days(second, n)


@PROPERTY
@given(st.sampled_from(MAKE_UP_DAYS), overrides)
def test_a_make_up_working_day_counts(day, given):
    """The working day before a 调休 weekend day, plus one working day, is that weekend day."""
    given = {d: w for d, w in given.items() if d != day}
    calendar = WorkCalendar(overrides=given)
    assert calendar.is_workday(day)
    before = day - timedelta(days=1)
    while not calendar.is_workday(before):
        before -= timedelta(days=1)
    start = datetime.combine(before, time(9), tzinfo=SH)
    assert local(calendar.add_working_days(start, 1)).date() == day


@PROPERTY
@given(st.sampled_from([d for d in SPRING_FESTIVAL if d >= FIRST]), st.integers(1, 30))
def test_no_deadline_falls_in_the_spring_festival_holiday(holiday, n):
    calendar = WorkCalendar()
    start = datetime.combine(holiday - timedelta(days=3), time(10), tzinfo=SH)
    due = local(calendar.add_working_days(start, n)).date()
    assert due not in SPRING_FESTIVAL
    assert chinese_calendar.is_workday(due)


@PROPERTY
@given(calendars(), days)
def test_the_next_workday_is_the_first_working_day_after(built, day):
    calendar, given = built
    assert calendar.next_workday(day) == reference_nth_workday_after(day, 1, given)


# -- working time -----------------------------------------------------------------------------


@PROPERTY
@given(calendars(), moments, durations)
def test_working_time_added_is_the_working_time_elapsed(built, start, duration):
    calendar, _given = built
    end = calendar.add_working_time(start, duration)
    assert end >= start
    assert calendar.elapsed(start, end, LimitUnit.WORKING_HOURS) == duration
    if duration:  # it ends inside a working period of a working day, never in a rest period
        assert calendar.is_workday(local(end).date())
        assert inside_a_period(calendar, end)


@PROPERTY
@given(calendars(), moments, durations, durations)
def test_working_time_adds_up(built, start, a, b):
    calendar, _given = built
    assert calendar.add_working_time(calendar.add_working_time(start, a), b) == calendar.add_working_time(
        start, a + b
    )


@PROPERTY
@given(calendars(), moments, moments, moments)
def test_working_time_between_splits_at_any_moment(built, first, second, third):
    calendar, _given = built
    a, b, c = sorted((first, second, third))
    between = calendar.working_time_between
    assert between(a, c) == between(a, b) + between(b, c)
    assert timedelta() <= between(a, c) <= c - a


@PROPERTY
@given(calendars(), moments, st.integers(1, 3 * 24 * 60))
def test_working_time_is_counted_only_in_periods_of_working_days(built, start, minutes):
    """Brute force: minute by minute, a minute counts if it starts inside a period of a working day."""
    calendar, given = built
    assume(start.second == 0)
    end = start + timedelta(minutes=minutes)
    counted = sum(
        1
        for i in range(minutes)
        if reference_is_workday(local(start + timedelta(minutes=i)).date(), given)
        and any(s <= local(start + timedelta(minutes=i)).time() < e for s, e in calendar.periods)
    )
    assert calendar.working_time_between(start, end) == timedelta(minutes=counted)


@PROPERTY
@given(calendars(), moments, st.integers(1, 200), st.sampled_from(list(LimitUnit)))
def test_the_yellow_moment_lies_between_start_and_deadline(built, start, value, unit):
    calendar, _given = built
    value = value if unit is LimitUnit.WORKING_DAYS else value / 4
    due = calendar.due_after(start, value, unit)
    yellow = calendar.warning_moment(start, due, unit)
    assert start <= yellow <= due
    allowed = calendar.elapsed(start, due, unit)
    assert calendar.elapsed(start, yellow, unit) == allowed * 0.8
    assert calendar.warning_moment(start, due, unit, fraction=1) == calendar.advance(start, allowed, unit)
    assert calendar.warning_moment(start, due, unit, fraction=0.5) <= yellow


@PROPERTY
@given(moments, st.integers(1, 200))
def test_a_limit_in_hours_runs_round_the_clock(start, hours):
    calendar = WorkCalendar()
    assert calendar.due_after(start, hours, LimitUnit.HOURS) == start + timedelta(hours=hours)
    assert calendar.elapsed(start, start + timedelta(hours=hours), LimitUnit.HOURS) == timedelta(hours=hours)
