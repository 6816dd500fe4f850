"""The working-day calendar: package facts, fallback and overrides, working-time arithmetic, limits.

Expected dates are worked out by hand from the State Council's 2026 calendar: 2026-02-14 (Sat) and
2026-02-28 (Sat) are make-up working days, 2026-02-15..23 are the Spring Festival holiday,
2026-09-20 (Sun) and 2026-10-10 (Sat) are make-up days, 2026-10-01..07 the National Day holiday.
"""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from minyi.workcal.calendar import DEFAULT_PERIODS, LimitUnit, WorkCalendar, parse_periods

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
M = timedelta(minutes=1)


def at(day: str, hhmm: str = "10:00") -> datetime:
    """An aware Shanghai datetime from "2026-02-13" and "10:00"."""
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), tzinfo=SH)


def days(first: str, last: str) -> list[date]:
    start, stop = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((stop - start).days + 1)]


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# -- brute-force references (day by day, period by period) to cross-check the whole-day shortcuts --


def _periods_of(cal: WorkCalendar, day: date) -> list[tuple[datetime, datetime]]:
    if not cal.is_workday(day):
        return []
    return [
        (datetime.combine(day, s, tzinfo=SH), datetime.combine(day, e, tzinfo=SH)) for s, e in cal.periods
    ]


def reference_between(cal: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    total = timedelta()
    day = start.astimezone(SH).date()
    while day <= end.astimezone(SH).date():
        for ps, pe in _periods_of(cal, day):
            total += max(timedelta(), min(pe, end) - max(ps, start))
        day += timedelta(days=1)
    return total


def reference_add(cal: WorkCalendar, start: datetime, duration: timedelta) -> datetime:
    day = start.astimezone(SH).date()
    while True:
        for ps, pe in _periods_of(cal, day):
            begin = max(ps, start)
            if begin >= pe:
                continue
            if duration <= pe - begin:
                return begin + duration
            duration -= pe - begin
        day += timedelta(days=1)


# -- which days are working days --------------------------------------------------------------------


class TestWorkdays:
    @pytest.mark.parametrize(
        "day",
        [
            date(2026, 1, 4),  # Sun, New Year make-up day
            date(2026, 2, 14),  # Sat, Spring Festival make-up day
            date(2026, 2, 28),  # Sat, Spring Festival make-up day
            date(2026, 5, 9),  # Sat, Labour Day make-up day
            date(2026, 9, 20),  # Sun, National Day make-up day
            date(2026, 10, 10),  # Sat, National Day make-up day
            date(2026, 2, 24),  # Tue, first day back
            date(2027, 1, 4),  # Mon, no package data: weekday rule
        ],
    )
    def test_working_days(self, cal: WorkCalendar, day: date) -> None:
        assert cal.is_workday(day)

    @pytest.mark.parametrize(
        "day",
        [
            *days("2026-02-15", "2026-02-23"),  # Spring Festival, Mon-Fri included
            *days("2026-10-01", "2026-10-07"),  # National Day
            date(2026, 1, 2),  # Fri, New Year
            date(2026, 3, 7),  # ordinary Saturday
            date(2027, 1, 9),  # Sat, no package data: weekday rule
            date(2027, 1, 10),  # Sun, no package data: weekday rule
        ],
    )
    def test_days_off(self, cal: WorkCalendar, day: date) -> None:
        assert not cal.is_workday(day)

    def test_agrees_with_package_for_every_day_it_knows(self, cal: WorkCalendar) -> None:
        for day in days("2025-01-01", "2026-12-31"):
            assert cal.is_workday(day) == chinese_calendar.is_workday(day), day

    def test_unknown_year_is_monday_to_friday(self, cal: WorkCalendar) -> None:
        for day in days("2027-01-01", "2027-12-31"):
            assert cal.is_workday(day) == (day.weekday() < 5), day

    def test_rejects_datetime(self, cal: WorkCalendar) -> None:
        with pytest.raises(TypeError):
            cal.is_workday(at("2026-02-14"))

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (date(2026, 2, 13), date(2026, 2, 14)),  # Fri -> make-up Sat
            (date(2026, 2, 14), date(2026, 2, 24)),  # over the whole Spring Festival
            (date(2026, 9, 30), date(2026, 10, 8)),
            (date(2026, 12, 31), date(2027, 1, 1)),  # 2027 unknown: New Year's Day counts until entered
            (date(2027, 1, 8), date(2027, 1, 11)),
        ],
    )
    def test_next_workday(self, cal: WorkCalendar, day: date, expected: date) -> None:
        assert cal.next_workday(day) == expected


class TestOverrides:
    def test_override_makes_unknown_weekday_a_day_off(self) -> None:
        cal = WorkCalendar(overrides={date(2027, 1, 1): False})
        assert not cal.is_workday(date(2027, 1, 1))
        assert cal.is_workday(date(2026, 12, 31))

    def test_override_makes_unknown_saturday_a_working_day(self) -> None:
        cal = WorkCalendar(overrides={date(2027, 2, 6): True})
        assert cal.is_workday(date(2027, 2, 6))
        assert not cal.is_workday(date(2027, 2, 13))  # the next Saturday keeps the weekday rule

    def test_override_beats_package_holiday(self) -> None:
        cal = WorkCalendar(overrides={date(2026, 10, 2): True})
        assert cal.is_workday(date(2026, 10, 2))
        assert not cal.is_workday(date(2026, 10, 1))

    def test_override_beats_package_make_up_day(self) -> None:
        cal = WorkCalendar(overrides={date(2026, 2, 14): False})
        assert not cal.is_workday(date(2026, 2, 14))
        assert cal.add_working_days(at("2026-02-13"), 1) == at("2026-02-24", "18:00")

    def test_override_moves_deadlines(self) -> None:
        start = at("2026-12-31")
        assert WorkCalendar().add_working_days(start, 1) == at("2027-01-01", "18:00")
        cal = WorkCalendar(overrides={date(2027, 1, 1): False})
        assert cal.add_working_days(start, 1) == at("2027-01-04", "18:00")

    def test_overrides_are_copied(self) -> None:
        overrides = {date(2027, 1, 1): False}
        cal = WorkCalendar(overrides=overrides)
        overrides[date(2027, 1, 1)] = True
        assert not cal.is_workday(date(2027, 1, 1))

    def test_override_keys_must_be_dates(self) -> None:
        with pytest.raises(TypeError):
            WorkCalendar(overrides={at("2027-01-01"): False})


class TestKnowledge:
    @pytest.mark.parametrize(("year", "known"), [(2003, False), (2004, True), (2026, True), (2027, False)])
    def test_package_knows_year(self, cal: WorkCalendar, year: int, known: bool) -> None:
        assert cal.package_knows_year(year) is known

    def test_is_known(self) -> None:
        cal = WorkCalendar(overrides={date(2027, 1, 1): False})
        assert cal.is_known(date(2026, 6, 1))
        assert cal.is_known(date(2027, 1, 1))
        assert not cal.is_known(date(2027, 3, 1))

    def test_years_needing_entry(self) -> None:
        assert WorkCalendar().years_needing_entry([2026, 2027]) == [2027]
        assert WorkCalendar(overrides={date(2027, 1, 1): False}).years_needing_entry([2026, 2027]) == []
        # Any override counts as "entered", even a working-day one.
        assert WorkCalendar(overrides={date(2027, 2, 6): True}).years_needing_entry([2027]) == []

    def test_years_needing_entry_sorted_and_unique(self, cal: WorkCalendar) -> None:
        assert cal.years_needing_entry([2028, 2026, 2027, 2028]) == [2027, 2028]


# -- working days -----------------------------------------------------------------------------------


class TestAddWorkingDays:
    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            (at("2026-02-13"), 1, at("2026-02-14", "18:00")),  # Fri -> make-up Sat
            (at("2026-02-13"), 2, at("2026-02-24", "18:00")),  # over Spring Festival
            (at("2026-02-13"), 3, at("2026-02-25", "18:00")),
            (at("2026-02-26"), 2, at("2026-02-28", "18:00")),  # Thu -> Fri, make-up Sat
            (at("2026-02-26"), 3, at("2026-03-02", "18:00")),
            (at("2026-02-13", "23:30"), 1, at("2026-02-14", "18:00")),  # late receipt: still Friday's
            (at("2026-02-13", "07:00"), 1, at("2026-02-14", "18:00")),  # early receipt: Friday not counted
            (at("2026-09-30"), 1, at("2026-10-08", "18:00")),
            (at("2026-09-30"), 3, at("2026-10-10", "18:00")),  # make-up Sat is day 3
            (at("2026-12-31"), 2, at("2027-01-04", "18:00")),  # into the fallback year
        ],
    )
    def test_hand_computed(self, cal: WorkCalendar, start: datetime, n: int, expected: datetime) -> None:
        assert cal.add_working_days(start, n) == expected

    @pytest.mark.parametrize(
        ("start", "expected"),
        [
            (at("2026-03-08"), at("2026-03-09", "18:00")),  # ordinary Sunday
            (at("2026-02-15"), at("2026-02-24", "18:00")),  # Sunday in the Spring Festival
            (at("2026-02-21"), at("2026-02-24", "18:00")),  # Saturday in the Spring Festival
        ],
    )
    def test_receipt_on_day_off_next_working_day_is_day_one(
        self, cal: WorkCalendar, start: datetime, expected: datetime
    ) -> None:
        assert cal.add_working_days(start, 1) == expected

    def test_local_date_decides_the_day_of_receipt(self, cal: WorkCalendar) -> None:
        # 17:00 UTC on Friday is 01:00 on Saturday 2026-02-14 in Shanghai: Saturday is the receipt day.
        result = cal.add_working_days(datetime(2026, 2, 13, 17, 0, tzinfo=UTC), 1)
        assert result == at("2026-02-24", "18:00")
        assert result.tzinfo == SH

    def test_other_zone_calendar(self) -> None:
        cal = WorkCalendar(tz=UTC)
        result = cal.add_working_days(datetime(2026, 2, 13, 17, 0, tzinfo=UTC), 1)
        assert result == datetime(2026, 2, 14, 18, 0, tzinfo=UTC)
        assert result.tzinfo is UTC

    @pytest.mark.parametrize("n", [1, 7, 60, 250, 500])
    def test_long_spans_match_counting_day_by_day(self, cal: WorkCalendar, n: int) -> None:
        start = at("2025-11-20")
        day, counted = start.date(), 0
        while counted < n:
            day += timedelta(days=1)
            counted += cal.is_workday(day)
        assert cal.add_working_days(start, n) == datetime.combine(day, time(18, 0), tzinfo=SH)

    @pytest.mark.parametrize("n", [0, -1])
    def test_days_must_be_positive(self, cal: WorkCalendar, n: int) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            cal.add_working_days(at("2026-02-13"), n)

    @pytest.mark.parametrize("n", [1.0, True])
    def test_days_must_be_int(self, cal: WorkCalendar, n: object) -> None:
        with pytest.raises(TypeError):
            cal.add_working_days(at("2026-02-13"), n)  # type: ignore[arg-type]


# -- working time -----------------------------------------------------------------------------------


class TestAddWorkingTime:
    @pytest.mark.parametrize(
        ("start", "duration", "expected"),
        [
            pytest.param(at("2026-02-13", "09:00"), H, at("2026-02-13", "10:00"), id="within-period"),
            pytest.param(at("2026-02-13", "11:00"), 2 * H, at("2026-02-13", "14:30"), id="across-lunch"),
            pytest.param(at("2026-02-13", "11:00"), H, at("2026-02-13", "12:00"), id="lands-on-noon"),
            pytest.param(at("2026-02-13", "07:00"), 3.5 * H, at("2026-02-13", "12:00"), id="early-to-noon"),
            pytest.param(at("2026-02-13", "12:00"), 4.5 * H, at("2026-02-13", "18:00"), id="noon-to-evening"),
            pytest.param(at("2026-02-13", "17:00"), H, at("2026-02-13", "18:00"), id="lands-on-evening"),
            pytest.param(at("2026-02-13", "17:00"), 2 * H, at("2026-02-14", "09:30"), id="across-evening"),
            pytest.param(at("2026-03-06", "17:00"), 2 * H, at("2026-03-09", "09:30"), id="across-weekend"),
            pytest.param(at("2026-02-14", "17:00"), 2 * H, at("2026-02-24", "09:30"), id="across-holiday"),
            pytest.param(at("2026-02-13", "07:00"), H, at("2026-02-13", "09:30"), id="before-opening"),
            pytest.param(at("2026-02-13", "12:30"), H, at("2026-02-13", "14:30"), id="in-lunch-break"),
            pytest.param(at("2026-02-13", "19:00"), H, at("2026-02-14", "09:30"), id="after-closing"),
            pytest.param(at("2026-02-15", "10:00"), H, at("2026-02-24", "09:30"), id="on-day-off"),
            pytest.param(at("2026-02-13", "08:30"), 8 * H, at("2026-02-13", "18:00"), id="one-full-day"),
            pytest.param(at("2026-02-13", "08:30"), 16 * H, at("2026-02-14", "18:00"), id="two-full-days"),
            pytest.param(at("2026-02-13", "18:00"), 8 * H, at("2026-02-14", "18:00"), id="from-closing"),
            pytest.param(at("2026-02-13", "10:00"), 30 * H, at("2026-02-25", "17:30"), id="several-days"),
            pytest.param(at("2026-02-13", "11:59"), M, at("2026-02-13", "12:00"), id="last-minute"),
            pytest.param(at("2026-02-13", "12:00"), M, at("2026-02-13", "13:31"), id="first-after-lunch"),
        ],
    )
    def test_hand_computed(
        self, cal: WorkCalendar, start: datetime, duration: timedelta, expected: datetime
    ) -> None:
        assert cal.add_working_time(start, duration) == expected

    def test_zero_returns_start_unchanged(self, cal: WorkCalendar) -> None:
        start = at("2026-02-13", "12:30")  # inside the lunch break: not moved to 13:30
        assert cal.add_working_time(start, timedelta()) == start

    def test_result_is_in_calendar_zone(self, cal: WorkCalendar) -> None:
        result = cal.add_working_time(datetime(2026, 2, 13, 1, 0, tzinfo=UTC), H)  # 09:00 in Shanghai
        assert result == at("2026-02-13", "10:00")
        assert result.tzinfo == SH
        assert result.hour == 10

    def test_negative_duration(self, cal: WorkCalendar) -> None:
        with pytest.raises(ValueError, match="negative"):
            cal.add_working_time(at("2026-02-13"), -M)

    @pytest.mark.parametrize(
        ("hours", "expected"),
        [
            (0.25, at("2026-02-13", "10:15")),
            (2.5, at("2026-02-13", "14:00")),
            (24, at("2026-02-25", "10:00")),
        ],
    )
    def test_add_working_hours(self, cal: WorkCalendar, hours: float, expected: datetime) -> None:
        assert cal.add_working_hours(at("2026-02-13"), hours) == expected


class TestWorkingTimeBetween:
    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            pytest.param(at("2026-02-13", "09:00"), at("2026-02-13", "10:30"), 1.5 * H, id="same-period"),
            pytest.param(at("2026-02-13", "11:00"), at("2026-02-13", "14:00"), 1.5 * H, id="across-lunch"),
            pytest.param(at("2026-02-13", "12:10"), at("2026-02-13", "13:20"), timedelta(), id="in-lunch"),
            pytest.param(at("2026-02-26", "17:00"), at("2026-02-27", "09:00"), 1.5 * H, id="across-days"),
            pytest.param(at("2026-02-13", "17:00"), at("2026-02-24", "09:30"), 10 * H, id="across-holiday"),
            pytest.param(at("2026-02-13", "00:00"), at("2026-02-24", "00:00"), 16 * H, id="whole-days"),
            pytest.param(at("2026-02-15", "08:00"), at("2026-02-15", "20:00"), timedelta(), id="day-off"),
            pytest.param(at("2026-10-01", "08:00"), at("2026-10-08", "08:00"), timedelta(), id="golden-week"),
            pytest.param(at("2026-02-13", "10:00"), at("2026-02-13", "10:00"), timedelta(), id="empty"),
            pytest.param(at("2026-02-13", "11:00"), at("2026-02-13", "10:00"), timedelta(), id="reversed"),
            pytest.param(
                at("2026-02-24", "18:00"), at("2026-02-13", "08:00"), timedelta(), id="reversed-days"
            ),
        ],
    )
    def test_without_pauses(
        self, cal: WorkCalendar, start: datetime, end: datetime, expected: timedelta
    ) -> None:
        assert cal.working_time_between(start, end) == expected

    def test_mixed_zones(self, cal: WorkCalendar) -> None:
        start = datetime(2026, 2, 13, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
        assert cal.working_time_between(start, at("2026-02-13", "10:30")) == 1.5 * H

    @pytest.mark.parametrize(
        ("pauses", "expected"),
        [
            pytest.param([], 8 * H, id="none"),
            pytest.param([(at("2026-02-13", "10:00"), at("2026-02-13", "11:00"))], 7 * H, id="one"),
            pytest.param(
                [
                    (at("2026-02-13", "10:00"), at("2026-02-13", "11:00")),
                    (at("2026-02-13", "10:30"), at("2026-02-13", "14:00")),
                ],
                5.5 * H,  # merged 10:00-14:00 holds 2 h + 0.5 h of work
                id="overlapping",
            ),
            pytest.param(
                [
                    (at("2026-02-13", "09:00"), at("2026-02-13", "12:00")),
                    (at("2026-02-13", "10:00"), at("2026-02-13", "11:00")),
                    (at("2026-02-13", "09:00"), at("2026-02-13", "12:00")),
                ],
                5 * H,
                id="nested-and-duplicate",
            ),
            pytest.param(
                [(at("2026-02-13", "07:00"), at("2026-02-13", "09:30"))], 7 * H, id="sticking-out-before"
            ),
            pytest.param(
                [(at("2026-02-13", "17:00"), at("2026-02-24", "10:00"))], 7 * H, id="sticking-out-after"
            ),
            pytest.param(
                [(at("2026-02-12", "08:00"), at("2026-02-25", "08:00"))], timedelta(), id="covering-all"
            ),
            pytest.param([(at("2026-02-12", "08:00"), at("2026-02-12", "20:00"))], 8 * H, id="outside"),
            pytest.param(
                [
                    (at("2026-02-13", "09:00"), at("2026-02-13", "10:00")),
                    (at("2026-02-13", "10:00"), at("2026-02-13", "11:00")),
                ],
                6 * H,
                id="touching",
            ),
        ],
    )
    def test_pauses(
        self, cal: WorkCalendar, pauses: list[tuple[datetime, datetime]], expected: timedelta
    ) -> None:
        start, end = at("2026-02-13", "08:30"), at("2026-02-13", "18:00")
        assert cal.working_time_between(start, end, pauses=pauses) == expected

    def test_pause_across_holiday(self, cal: WorkCalendar) -> None:
        # [Fri 08:30, Sat 18:00) holds 16 h; the pause covers Fri 17:00-18:00 and all of Saturday.
        pauses = [(at("2026-02-13", "17:00"), at("2026-02-24", "10:00"))]
        assert cal.working_time_between(
            at("2026-02-13", "08:30"), at("2026-02-14", "18:00"), pauses=pauses
        ) == (7 * H)

    def test_pause_ending_before_it_starts(self, cal: WorkCalendar) -> None:
        with pytest.raises(ValueError, match="pause"):
            cal.working_time_between(
                at("2026-02-13", "08:30"),
                at("2026-02-13", "18:00"),
                pauses=[(at("2026-02-13", "11:00"), at("2026-02-13", "10:00"))],
            )

    def test_matches_reference_over_two_years(self, cal: WorkCalendar) -> None:
        for start, end in [
            (at("2025-01-01", "09:00"), at("2026-12-31", "17:00")),
            (at("2025-06-15", "12:30"), at("2027-03-01", "08:00")),
            (at("2026-02-14", "18:00"), at("2026-10-10", "13:45")),
        ]:
            assert cal.working_time_between(start, end) == reference_between(cal, start, end)


class TestRoundTrip:
    STARTS = [
        at(day, hhmm)
        for day in ["2026-02-12", "2026-02-13", "2026-02-14", "2026-02-15", "2026-09-30", "2026-12-31"]
        for hhmm in ["07:00", "08:30", "10:15", "12:00", "12:45", "13:30", "17:59", "18:00", "21:00"]
    ]
    DURATIONS = [M, H, 3.5 * H, 4 * H, 8 * H, 8 * H + M, 40 * H, 1000 * H, timedelta(hours=7, seconds=1)]

    def test_between_inverts_add(self, cal: WorkCalendar) -> None:
        for start in self.STARTS:
            for duration in self.DURATIONS:
                end = cal.add_working_time(start, duration)
                assert cal.working_time_between(start, end) == duration, (start, duration)

    def test_add_matches_reference(self, cal: WorkCalendar) -> None:
        for start in self.STARTS:
            for duration in self.DURATIONS:
                assert cal.add_working_time(start, duration) == reference_add(cal, start, duration), (
                    start,
                    duration,
                )

    def test_two_year_spans_are_fast(self, cal: WorkCalendar) -> None:
        # A minute (or even hour) loop would take far longer; whole-day steps take microseconds.
        start, end = at("2025-01-01", "09:00"), at("2026-12-31", "17:00")
        began = clock.perf_counter()
        for _ in range(2000):
            cal.working_time_between(start, end)
            cal.add_working_time(start, 3000 * H)
        assert clock.perf_counter() - began < 2.0


# -- limits ------------------------------------------------------------------------------------------


class TestLimits:
    @pytest.mark.parametrize(
        ("start", "value", "unit", "expected"),
        [
            (at("2026-02-13"), 2, LimitUnit.WORKING_DAYS, at("2026-02-24", "18:00")),
            (at("2026-02-13"), 2, "working_days", at("2026-02-24", "18:00")),
            (at("2026-02-13"), 5.0, LimitUnit.WORKING_DAYS, at("2026-02-27", "18:00")),
            (at("2026-02-13"), 30, LimitUnit.WORKING_HOURS, at("2026-02-25", "17:30")),
            (at("2026-02-13"), 0.5, "working_hours", at("2026-02-13", "10:30")),
            (at("2026-09-30", "20:00"), 24, LimitUnit.HOURS, at("2026-10-01", "20:00")),  # holiday ignored
            (at("2026-09-30", "20:00"), 72, "hours", at("2026-10-03", "20:00")),
            (at("2026-02-13", "10:00"), 0.5, LimitUnit.HOURS, at("2026-02-13", "10:30")),
        ],
    )
    def test_due_after(
        self, cal: WorkCalendar, start: datetime, value: float, unit: LimitUnit | str, expected: datetime
    ) -> None:
        due = cal.due_after(start, value, unit)
        assert due == expected
        assert due.tzinfo == SH

    @pytest.mark.parametrize(
        ("value", "unit", "error"),
        [
            (0, LimitUnit.WORKING_DAYS, ValueError),
            (-1, LimitUnit.HOURS, ValueError),
            (0, LimitUnit.WORKING_HOURS, ValueError),
            (1.5, LimitUnit.WORKING_DAYS, ValueError),
            (float("nan"), LimitUnit.HOURS, ValueError),
            (float("inf"), LimitUnit.HOURS, ValueError),
            (3, "days", ValueError),
            (True, LimitUnit.WORKING_DAYS, TypeError),
        ],
    )
    def test_due_after_rejects(self, cal: WorkCalendar, value: float, unit: str, error: type) -> None:
        with pytest.raises(error):
            cal.due_after(at("2026-02-13"), value, unit)

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [
            (LimitUnit.WORKING_DAYS, 2 * H),  # 09-30 17:00-18:00 and 10-08 08:30-09:30
            (LimitUnit.WORKING_HOURS, 2 * H),
            (LimitUnit.HOURS, timedelta(days=7, hours=16, minutes=30)),
        ],
    )
    def test_elapsed_across_holiday(self, cal: WorkCalendar, unit: LimitUnit, expected: timedelta) -> None:
        assert cal.elapsed(at("2026-09-30", "17:00"), at("2026-10-08", "09:30"), unit) == expected

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [(LimitUnit.WORKING_HOURS, 6 * H), (LimitUnit.HOURS, 21.5 * H)],  # pauses: 10:00-12:00, 08:00-08:30
    )
    def test_elapsed_with_pauses(self, cal: WorkCalendar, unit: LimitUnit, expected: timedelta) -> None:
        start, end = at("2026-02-13", "08:30"), at("2026-02-14", "08:30")
        pauses = [
            (at("2026-02-13", "10:00"), at("2026-02-13", "11:00")),
            (at("2026-02-13", "10:30"), at("2026-02-13", "12:00")),  # overlaps the first
            (at("2026-02-14", "08:00"), at("2026-02-14", "09:00")),  # sticks out of the end
        ]
        assert cal.elapsed(start, end, unit, pauses=pauses) == expected

    def test_elapsed_reversed_is_zero(self, cal: WorkCalendar) -> None:
        for unit in LimitUnit:
            assert cal.elapsed(at("2026-02-13", "12:00"), at("2026-02-13", "09:00"), unit) == timedelta()

    @pytest.mark.parametrize(
        ("unit", "duration", "expected"),
        [
            (LimitUnit.WORKING_DAYS, 2 * H, at("2026-10-08", "09:30")),
            (LimitUnit.WORKING_HOURS, 2 * H, at("2026-10-08", "09:30")),
            (LimitUnit.HOURS, 2 * H, at("2026-09-30", "19:00")),
            (LimitUnit.HOURS, timedelta(days=2), at("2026-10-02", "17:00")),
        ],
    )
    def test_advance(
        self, cal: WorkCalendar, unit: LimitUnit, duration: timedelta, expected: datetime
    ) -> None:
        start = at("2026-09-30", "17:00")
        moved = cal.advance(start, duration, unit)
        assert moved == expected
        assert cal.elapsed(start, moved, unit) == duration

    @pytest.mark.parametrize("unit", list(LimitUnit))
    def test_advance_rejects_negative(self, cal: WorkCalendar, unit: LimitUnit) -> None:
        with pytest.raises(ValueError, match="negative"):
            cal.advance(at("2026-02-13"), -H, unit)

    def test_warning_at_80_percent_of_five_working_days(self, cal: WorkCalendar) -> None:
        start = at("2026-03-02")  # Monday 10:00
        due = cal.due_after(start, 5, LimitUnit.WORKING_DAYS)
        assert due == at("2026-03-09", "18:00")
        # Allowed: 6.5 h on Monday + 5 x 8 h = 46.5 h; 80 % = 37.2 h = Mon 6.5 h, Tue-Thu 24 h,
        # Fri 3.5 h before lunch and 3 h 12 min after 13:30.
        assert cal.warning_moment(start, due, LimitUnit.WORKING_DAYS) == at("2026-03-06", "16:42")

    def test_warning_across_spring_festival(self, cal: WorkCalendar) -> None:
        start = at("2026-02-13")
        due = cal.due_after(start, 5, "working_days")  # Sat 14, Tue 24, Wed 25, Thu 26, Fri 27
        assert due == at("2026-02-27", "18:00")
        assert cal.warning_moment(start, due, "working_days") == at("2026-02-26", "16:42")

    def test_warning_working_hours(self, cal: WorkCalendar) -> None:
        start = at("2026-02-13")
        due = cal.due_after(start, 10, LimitUnit.WORKING_HOURS)
        assert due == at("2026-02-14", "12:00")
        assert cal.warning_moment(start, due, LimitUnit.WORKING_HOURS) == at("2026-02-14", "10:00")

    def test_warning_natural_hours(self, cal: WorkCalendar) -> None:
        start = at("2026-09-30", "20:00")
        due = cal.due_after(start, 24, LimitUnit.HOURS)
        assert cal.warning_moment(start, due, LimitUnit.HOURS) == at("2026-10-01", "15:12")

    @pytest.mark.parametrize("unit", list(LimitUnit))
    def test_warning_fraction_bounds(self, cal: WorkCalendar, unit: LimitUnit) -> None:
        start = at("2026-02-13")
        due = cal.due_after(start, 3, unit)
        assert cal.warning_moment(start, due, unit, fraction=0) == start
        assert cal.warning_moment(start, due, unit, fraction=1) == due
        with pytest.raises(ValueError, match="fraction"):
            cal.warning_moment(start, due, unit, fraction=1.5)


# -- configuration and input validation ----------------------------------------------------------------


class TestPeriods:
    def test_default_day_is_eight_hours(self, cal: WorkCalendar) -> None:
        assert cal.working_day_length == 8 * H

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("08:30-12:00,13:30-18:00", DEFAULT_PERIODS),
            (" 08:30 - 12:00 , 13:30-18:00 ", DEFAULT_PERIODS),
            ("08:30-12:00，13:30-18:00", DEFAULT_PERIODS),  # full-width comma from a Chinese IME
            ("9:00-17:00", ((time(9), time(17)),)),
            ("08:00-12:00,12:00-13:00", ((time(8), time(12)), (time(12), time(13)))),  # touching is fine
        ],
    )
    def test_parse_good(self, text: str, expected: tuple) -> None:
        assert parse_periods(text) == expected

    @pytest.mark.parametrize(
        ("text", "named"),
        [
            ("", "No working periods"),
            ("   ", "No working periods"),
            ("08:30", "'08:30'"),
            ("08:30-12:00;13:30-18:00", "'08:30-12:00;13:30-18:00'"),
            ("08:30-12:00,", "''"),
            ("8h30-12h", "'8h30-12h'"),
            ("25:00-26:00", "'25:00-26:00'"),
            ("08:61-12:00", "'08:61-12:00'"),
            ("12:00-08:30", "12:00-08:30"),
            ("08:30-08:30", "08:30-08:30"),
            ("13:30-18:00,08:30-12:00", "08:30-12:00"),
            ("08:30-12:00,11:00-14:00", "11:00-14:00"),
        ],
    )
    def test_parse_bad(self, text: str, named: str) -> None:
        with pytest.raises(ValueError) as excinfo:
            parse_periods(text)
        message = str(excinfo.value)
        assert named in message
        assert "HH:MM-HH:MM" in message

    def test_custom_periods(self) -> None:
        cal = WorkCalendar(periods=parse_periods("09:00-17:00"))
        assert cal.working_day_length == 8 * H
        assert cal.add_working_time(at("2026-02-13", "16:00"), 2 * H) == at("2026-02-14", "10:00")
        assert cal.add_working_days(at("2026-02-13"), 1) == at("2026-02-14", "17:00")

    def test_three_periods(self) -> None:
        cal = WorkCalendar(periods=parse_periods("08:00-12:00,14:00-18:00,19:00-21:00"))
        assert cal.working_day_length == 10 * H
        assert cal.add_working_time(at("2026-02-13", "17:00"), 2 * H) == at("2026-02-13", "20:00")
        assert cal.working_time_between(at("2026-02-13", "00:00"), at("2026-02-14", "00:00")) == 10 * H

    @pytest.mark.parametrize(
        "periods",
        [(), ((time(12), time(8)),), ((time(8), time(12)), (time(11), time(14)))],
    )
    def test_calendar_rejects_bad_periods(self, periods: tuple) -> None:
        with pytest.raises(ValueError):
            WorkCalendar(periods=periods)


class TestNaiveInput:
    NAIVE = datetime(2026, 2, 13, 10, 0)
    AWARE = at("2026-02-13", "12:00")

    @pytest.mark.parametrize(
        "call",
        [
            lambda c, n, a: c.add_working_days(n, 1),
            lambda c, n, a: c.add_working_time(n, H),
            lambda c, n, a: c.add_working_time(n, timedelta()),
            lambda c, n, a: c.add_working_hours(n, 1),
            lambda c, n, a: c.working_time_between(n, a),
            lambda c, n, a: c.working_time_between(a, n),
            lambda c, n, a: c.working_time_between(a, a + H, pauses=[(n, a)]),
            lambda c, n, a: c.due_after(n, 1, LimitUnit.WORKING_DAYS),
            lambda c, n, a: c.due_after(n, 1, LimitUnit.HOURS),
            lambda c, n, a: c.elapsed(n, a, LimitUnit.HOURS),
            lambda c, n, a: c.elapsed(a, a + H, LimitUnit.HOURS, pauses=[(a, n)]),
            lambda c, n, a: c.advance(n, H, LimitUnit.HOURS),
            lambda c, n, a: c.warning_moment(n, a, LimitUnit.WORKING_HOURS),
        ],
    )
    def test_naive_datetime_rejected(self, cal: WorkCalendar, call) -> None:
        with pytest.raises(ValueError, match="aware"):
            call(cal, self.NAIVE, self.AWARE)
