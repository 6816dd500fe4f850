"""The stored figures of closed months: the same as counting live, read only by those who see every
case, and recomputed when a case that counts in a month changes after it closed."""

from __future__ import annotations

import datetime as dt

import pytest

from minyi.access import cases as access
from minyi.cases.models import Case
from minyi.notifications.worker import run_once
from minyi.stats import measures, periods, rollups
from minyi.stats.models import MonthlyMeasures
from tests.cases.helpers import do, new_case
from tests.conftest import at

OCTOBER = periods.month_of(dt.date(2026, 10, 1))
NOVEMBER = periods.month_of(dt.date(2026, 11, 1))


def replied(world, clock, moment: str, **fields) -> Case:
    """A heating case received at `moment`, signed for and replied to the same day."""
    clock.set(moment)
    case = do(
        new_case(world.operator, category="010101", area=world.east_grid, **fields),
        "accept",
        world.dispatcher,
    )
    do(case, "assign", world.dispatcher)
    clock.advance(hours=1)
    do(case, "sign_for", world.heating_handler)
    clock.advance(hours=2)
    return do(case, "reply", world.heating_handler, note="已维修，室温恢复正常。")


@pytest.fixture
def october(world, clock):
    """Three October cases: two replied (one to a case of 西城), one still open; now is 2 November."""
    cases = [
        replied(world, clock, "2026-10-12 09:00"),
        replied(world, clock, "2026-10-20 09:00", title="路面塌陷", description="西城一网格路面塌陷"),
    ]
    clock.set("2026-10-28 09:00")
    cases.append(do(new_case(world.operator, category="010101"), "accept", world.dispatcher))
    clock.set("2026-11-02 09:00")
    return cases


def stored_october() -> measures.Measured:
    return measures.Measured.from_json(MonthlyMeasures.objects.get(month=OCTOBER.first_day).data)


def test_a_closed_month_is_stored_as_it_is_counted_live(world, october, django_assert_num_queries):
    assert rollups.refresh() == [OCTOBER.first_day]  # November has not ended: it is not stored
    live = measures.measure(Case.objects.all(), OCTOBER.start, OCTOBER.end)
    assert live.total.received == 3 and live.total.closed == 2 and live.total.signed == 2
    assert stored_october() == live
    with django_assert_num_queries(1):
        assert rollups.measured(Case.objects.all(), OCTOBER, whole=True) == live


def test_the_current_month_and_other_periods_are_counted_live(world, october):
    rollups.refresh()
    do(new_case(world.operator, category="010101"), "accept", world.dispatcher)  # today, 2 November
    assert rollups.measured(Case.objects.all(), NOVEMBER, whole=True).total.received == 1
    october_and_two_days = periods.days(dt.date(2026, 10, 1), dt.date(2026, 11, 2))
    assert rollups.measured(Case.objects.all(), october_and_two_days, whole=True).total.received == 4


def test_only_a_reader_who_sees_every_case_gets_the_stored_month(world, october):
    rollups.refresh()
    row = MonthlyMeasures.objects.get(month=OCTOBER.first_day)
    row.data["total"]["received"] = 999  # marks which way the figure came
    row.save()
    leader, unit = world.leader, world.heating_handler
    assert access.sees_all_cases(leader) and not access.sees_all_cases(unit)
    for user, expected in [(leader, 999), (unit, 2)]:  # the unit leads the two replied cases
        cases = access.cases_visible_to(user)
        figures = rollups.measured(cases, OCTOBER, whole=access.sees_all_cases(user))
        assert figures.total.received == expected


def test_a_row_computed_before_the_month_ended_is_not_used(world, october):
    MonthlyMeasures.objects.create(
        month=OCTOBER.first_day,
        computed_at=at("2026-10-31 12:00"),
        checked_at=at("2026-10-31 12:00"),
        data=measures.Measured(measures.Headline(*[0] * 6), {}).to_json(),
    )
    assert rollups.measured(Case.objects.all(), OCTOBER, whole=True).total.received == 3


def test_a_callback_after_the_month_closed_is_taken_in_by_the_next_refresh(world, october, clock):
    rollups.refresh()
    assert stored_october().total.content == 0
    clock.set("2026-11-03 10:00")
    do(october[0], "callback", world.callback_agent, satisfaction="satisfied", resolved=True)
    assert rollups.refresh() == [OCTOBER.first_day]
    assert (stored_october().total.content, stored_october().total.resolved) == (1, 1)
    clock.advance(minutes=5)  # once more: the change was within OVERLAP of the last round
    assert rollups.refresh() == [OCTOBER.first_day]
    clock.advance(minutes=5)
    assert rollups.refresh() == []  # nothing changed since


def test_rework_takes_the_reply_out_of_its_month(world, october, clock):
    clock.set("2026-11-03 10:00")
    case = do(october[0], "callback", world.callback_agent, satisfaction="dissatisfied")
    rollups.refresh()
    assert stored_october().total.closed == 2
    clock.set("2026-11-04 10:00")
    do(case, "reopen", world.callback_agent, note="群众不满意，重新办理")
    assert rollups.refresh() == [OCTOBER.first_day]
    assert stored_october().total.closed == 1
    assert stored_october() == measures.measure(Case.objects.all(), OCTOBER.start, OCTOBER.end)


def test_a_round_recomputes_a_few_months_and_leaves_the_rest_for_the_next(world, clock):
    replied(world, clock, "2026-07-06 09:00")
    clock.set("2026-11-02 09:00")
    assert rollups.refresh(limit=2) == [dt.date(2026, 10, 1), dt.date(2026, 9, 1)]  # newest first
    assert rollups.refresh(limit=2) == [dt.date(2026, 8, 1), dt.date(2026, 7, 1)]
    assert rollups.refresh(limit=2) == []
    clock.set("2026-11-03 10:00")  # a day later every row is computed again
    assert len(rollups.refresh(limit=10)) == 4


def test_loading_backdated_history_forgets_the_months_from_its_first_case(world, october, clock):
    replied(world, clock, "2026-09-15 09:00")
    clock.set("2026-11-02 09:00")
    rollups.refresh()
    assert rollups.forget(since=dt.date(2026, 10, 15)) == 1  # October's row; September's stays
    assert list(MonthlyMeasures.objects.values_list("month", flat=True)) == [dt.date(2026, 9, 1)]


def test_the_worker_keeps_the_rows(world, october):
    assert run_once()["measures"] == 1
    assert MonthlyMeasures.objects.filter(month=OCTOBER.first_day).exists()


def test_the_trend_takes_the_months_it_is_given_and_counts_the_others(world, october, clock):
    rollups.refresh()
    months = periods.months_up_to(clock.set("2026-11-02 10:00"), n=3)  # September to November
    seven = measures.Headline(*[7] * 6)
    trend = rollups.trend(Case.objects.all(), months, whole=True, known={months[-1]: seven})
    assert [(c.month.month, c.received, c.closed) for c in trend] == [(9, 0, 0), (10, 3, 2), (11, 7, 7)]
    # a year's figures are not January's
    january = periods.months_up_to(at("2026-01-15 10:00"), n=1)
    trend = rollups.trend(
        Case.objects.all(), january, whole=True, known={periods.this_year(at("2026-01-15 10:00")): seven}
    )
    assert (trend[0].received, trend[0].closed) == (0, 0)


def test_a_run_of_months_adds_up_its_stored_months_but_counts_what_is_overdue_at_its_end(world, clock):
    from tests.stats.test_measures import make

    heating = dict(lead_unit=world.heating, category=world.heating_shortage, area=world.east_grid)
    # overdue at the end of September, replied late in October: due once in September–October
    make(
        "2026-09-10 10:00",
        replied="2026-10-05 10:00",
        replied_on_time=False,
        handle_due_at=at("2026-09-20 18:00"),
        **heating,
    )
    make("2026-10-20 10:00", handle_due_at=at("2026-10-28 18:00"), **heating)  # still overdue
    make("2026-09-12 10:00", status="assigned", sign_due_at=at("2026-09-15 10:00"), **heating)  # never signed
    clock.set("2026-11-02 09:00")
    assert rollups.refresh() == [dt.date(2026, 10, 1), dt.date(2026, 9, 1)]
    span = periods.days(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    composed = rollups.measured(Case.objects.all(), span, whole=True)
    live = measures.measure(Case.objects.all(), span.start, span.end)
    assert composed == live
    months = [
        rollups.measured(Case.objects.all(), periods.month_of(d), whole=True)
        for d in (dt.date(2026, 9, 1), OCTOBER.first_day)
    ]
    assert [m.total.due for m in months] == [1, 2] and composed.total.due == 2
    assert composed.total.unsigned_late == 1 and composed.by["lead_unit"][world.heating.pk].due == 2
    # with the current month in it: November counted live
    to_november = periods.days(dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    assert rollups.measured(Case.objects.all(), to_november, whole=True) == measures.measure(
        Case.objects.all(), to_november.start, to_november.end
    )
