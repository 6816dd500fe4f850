"""Bounded inputs: long texts and long number lists are refused with the limit, a list of missing
numbers is shortened, and numbers may be typed without their leading zeros."""

from __future__ import annotations

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


def test_long_texts_are_refused_with_the_limit(world, register):
    keeper = world.insurance_handler
    long_text = "长" * (services.DESCRIPTION_MAX + 1)
    error = refused(
        InvalidInput,
        services.problem_create,
        actor=keeper,
        title="一个问题",
        category=register.window.pk,
        source="review",
        found_on=register.rude.found_on,
        description=long_text,
    )
    assert (error.field, error.message) == (
        "description",
        f"The description may hold at most {services.DESCRIPTION_MAX} characters: shorten it.",
    )
    error = refused(
        InvalidInput,
        services.problem_set_status,
        actor=keeper,
        problem_id=register.rude.pk,
        status="closed",
        note="长" * (services.NOTE_MAX + 1),
    )
    assert error.field == "note" and str(services.NOTE_MAX) in error.message
    error = refused(
        InvalidInput,
        services.measure_create,
        actor=keeper,
        title="措施",
        responsible="刘敏",
        description=long_text,
    )
    assert error.field == "description" and "details" in error.message


def test_a_number_list_is_bounded_and_missing_numbers_are_summed_up(world, register):
    keeper = world.insurance_handler
    too_many = [f"2026-{n:03d}" for n in range(1, services.NUMBERS_MAX + 2)]
    error = refused(
        InvalidInput,
        services.measure_create,
        actor=keeper,
        title="措施",
        responsible="刘敏",
        problem_numbers=too_many,
    )
    assert error.field == "problems"
    assert error.message == "A measure may address at most 500 problems: split it into several measures."
    missing = [f"2026-{n:03d}" for n in range(100, 125)]  # 25 numbers that do not exist
    error = refused(
        InvalidInput,
        services.measure_create,
        actor=keeper,
        title="措施",
        responsible="刘敏",
        problem_numbers=missing,
    )
    assert error.message == (
        "Your unit's register has no problem " + "、".join(missing[:10]) + " and 15 more: check the numbers."
    )


def test_numbers_may_be_typed_without_leading_zeros():
    assert services.parse_numbers("2026-1，2026-004 2026－12；2025-0007, 2026-1000, x-1") == [
        "2026-001",
        "2026-004",
        "2026-012",
        "2025-007",
        "2026-1000",
        "x-1",
    ]


def test_a_short_number_finds_its_problem(world, register):
    measure = services.measure_create(
        actor=world.insurance_handler,
        title="出生一件事联办",
        responsible="王海",
        problem_numbers=services.parse_numbers("2026-3, 2026-03"),
    )
    assert list(measure.problems.all()) == [register.filing]
