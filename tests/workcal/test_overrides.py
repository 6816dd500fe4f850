"""The calendar as minyi uses it: the package plus the administrators' override table."""

from __future__ import annotations

import datetime as dt

from django.core import checks

from minyi.workcal.models import HolidayOverride
from minyi.workcal.services import current_calendar, years_needing_entry


def test_an_override_wins_over_the_package(db):
    assert current_calendar().is_workday(dt.date(2026, 10, 1)) is False
    HolidayOverride.objects.create(day=dt.date(2026, 10, 1), is_workday=True, note="测试")
    assert current_calendar().is_workday(dt.date(2026, 10, 1)) is True


def test_next_year_needs_entry_from_october(db):
    assert years_needing_entry(today=dt.date(2026, 11, 25)) == [2027]
    assert years_needing_entry(today=dt.date(2026, 6, 1)) == []
    HolidayOverride.objects.create(day=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    assert years_needing_entry(today=dt.date(2026, 11, 25)) == []


def test_a_missing_year_is_a_system_check_warning(db):
    from minyi.workcal.checks import calendar_year_missing

    assert calendar_year_missing(None) == []  # not asked to touch a database
    messages = calendar_year_missing(None, databases=["default"])
    assert [m.id for m in messages] == ["workcal.W001"]
    assert messages[0].level == checks.WARNING and "2027" in messages[0].msg


def test_deadlines_into_an_unknown_year_follow_the_overrides(db):
    from tests.conftest import at

    calendar = current_calendar()
    # Thu 2026-12-31 + 1 working day: Fri 2027-01-01 counts until an administrator says otherwise.
    assert calendar.add_working_days(at("2026-12-31 10:00"), 1) == at("2027-01-01 18:00")
    HolidayOverride.objects.create(day=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    assert current_calendar().add_working_days(at("2026-12-31 10:00"), 1) == at("2027-01-04 18:00")
