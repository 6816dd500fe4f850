"""Dates that cannot all be true are refused with what to correct: a problem found after it was
rectified, rectified before its last recorded move, or found in a case before the case came in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from minyi.core.errors import InvalidInput
from minyi.problems import services
from tests.problems.test_services import refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_found_later_than_rectified_is_refused(world, register):
    keeper = world.insurance_handler
    services.problem_set_status(
        actor=keeper, problem_id=register.filing.pk, status="rectified", on=dt.date(2026, 10, 1)
    )
    error = refused(
        InvalidInput,
        services.problem_update,
        actor=keeper,
        problem_id=register.filing.pk,
        title="新生儿参保需跑两次",
        category=register.enrolment.pk,
        source="review",
        found_on=dt.date(2026, 10, 2),
    )
    assert error.field == "found_on"
    assert error.message == (
        "Problem 2026-003 was rectified on 2026-10-01: it cannot have been found later. "
        "Enter that day or an earlier one."
    )


def test_rectified_before_the_last_move_is_refused(world, register, clock):
    keeper = world.insurance_handler
    clock.set("2026-11-20 10:00")
    services.problem_set_status(actor=keeper, problem_id=register.filing.pk, status="rectifying")
    clock.set("2026-11-25 09:00")
    error = refused(
        InvalidInput,
        services.problem_set_status,
        actor=keeper,
        problem_id=register.filing.pk,
        status="rectified",
        on=dt.date(2026, 11, 19),
    )
    assert error.field == "on"
    assert error.message == (
        "Problem 2026-003 became “Being rectified” on 2026-11-20: it cannot have been rectified "
        "earlier. Enter that day or a later one."
    )
    done = services.problem_set_status(
        actor=keeper, problem_id=register.filing.pk, status="rectified", on=dt.date(2026, 11, 20)
    )
    assert done.rectified_on == dt.date(2026, 11, 20)


def test_a_register_filled_in_afterwards_may_record_earlier_work(world, register):
    # Entered today (its entry event is today's), found in September and rectified in October: the
    # entry is not a move, the day found is the bound.
    done = services.problem_set_status(
        actor=world.insurance_handler,
        problem_id=register.filing.pk,
        status="rectified",
        on=dt.date(2026, 10, 15),
    )
    assert done.rectified_on == dt.date(2026, 10, 15)


def test_a_problem_cannot_be_found_in_a_case_before_it_came_in(world, register):
    keeper = world.insurance_handler
    fields = dict(
        title="报销进度无法查询",
        category=register.settlement.pk,
        source="case",
        tracking_number=register.case.tracking_number,
    )
    error = refused(
        InvalidInput, services.problem_create, actor=keeper, found_on=dt.date(2026, 11, 1), **fields
    )
    assert error.field == "found_on"
    assert error.message == (
        f"Case {register.case.tracking_number} came in on 2026-11-02: a problem cannot be found in it "
        "earlier. Enter that day or a later one."
    )
    assert services.problem_create(actor=keeper, found_on=dt.date(2026, 11, 2), **fields).number == "2026-005"
    error = refused(  # correcting an entry: a case kept, or a case newly named
        InvalidInput,
        services.problem_update,
        actor=keeper,
        problem_id=register.rude.pk,
        found_on=dt.date(2026, 10, 30),
        **fields,
    )
    assert error.field == "found_on" and "came in on 2026-11-02" in error.message
