"""Deadline lights: green below 80 % of the allowed working time, yellow 80–100 %, red past due."""

from __future__ import annotations

import pytest

from minyi.cases.deadlines import Light, days_overdue, light, light_q, next_due_expression
from minyi.cases.models import Case
from tests.cases.helpers import do, new_case
from tests.conftest import at


@pytest.fixture
def handling(world, clock):
    clock.set("2026-11-02 09:00")  # Monday; due Mon 11-09 18:00, yellow from Fri 11-06 16:30
    case = new_case(world.operator, category="0102")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    return do(case, "sign_for", world.housing_handler)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-02 09:00", Light.GREEN),
        ("2026-11-06 16:29", Light.GREEN),
        ("2026-11-06 16:30", Light.YELLOW),
        ("2026-11-09 18:00", Light.YELLOW),
        ("2026-11-09 18:01", Light.RED),
    ],
)
def test_light_over_time(handling, moment, expected):
    assert light(handling, at(moment)) == expected
    # the list filter agrees with the per-case rule
    assert Case.objects.filter(light_q(expected, at(moment)), pk=handling.pk).exists()
    others = {Light.GREEN, Light.YELLOW, Light.RED} - {expected}
    assert not any(Case.objects.filter(light_q(o, at(moment)), pk=handling.pk).exists() for o in others)


def test_no_light_before_assignment_while_suspended_and_after_reply(world, clock, handling):
    assert light(new_case(world.operator), at("2026-11-02 10:00")) is None
    clock.set("2026-11-03 09:00")
    suspended = do(handling, "suspend", world.dispatcher, note="等待判决")
    assert light(suspended, at("2026-12-01 10:00")) is None
    assert not Case.objects.filter(light_q(Light.RED, at("2026-12-01 10:00"))).exists()


def test_waiting_for_sign_for_shows_the_sign_for_light(world, clock):
    clock.set("2026-11-02 09:00")
    case = new_case(world.operator, category="0102")
    do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)  # sign for within 1 working day: Tue 18:00
    assert light(case, at("2026-11-03 18:01")) == Light.RED
    assert light(case, at("2026-11-02 12:00")) == Light.GREEN


def test_replying_late_is_recorded(world, clock, handling):
    clock.set("2026-11-10 10:00")
    case = do(handling, "reply", world.housing_handler, note="已修复")
    assert case.replied_on_time is False
    assert case.events.get(operation="reply").data["on_time"] is False


@pytest.mark.parametrize(
    ("moment", "days"),
    [
        ("2026-11-09 18:00", None),  # due, not overdue
        ("2026-11-09 19:00", 0),  # overdue after working hours: no working day lost yet
        ("2026-11-10 08:31", 1),  # the next working day has begun
        ("2026-11-13 18:00", 4),
        ("2026-11-14 11:00", 4),  # a Saturday does not count
        ("2026-11-16 09:00", 5),
    ],
)
def test_days_overdue_are_working_days_begun_since_the_deadline(handling, moment, days):
    from minyi.workcal.services import current_calendar

    assert days_overdue(handling, current_calendar(), at(moment)) == days
    ordered = Case.objects.annotate(due=next_due_expression()).get(pk=handling.pk)
    assert ordered.due == handling.handle_due_at  # the database orders by the deadline counted from


def test_an_unsigned_case_is_ordered_by_its_sign_for_deadline(world, clock):
    case = do(
        do(new_case(world.operator, category="0102"), "accept", world.dispatcher), "assign", world.dispatcher
    )
    ordered = Case.objects.annotate(due=next_due_expression()).get(pk=case.pk)
    assert ordered.due == case.sign_due_at < case.handle_due_at
