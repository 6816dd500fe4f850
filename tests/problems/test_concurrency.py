"""Two keepers of one register acting at the same moment, on real connections (PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from minyi.core.errors import Conflict, IllegalTransition, InvalidInput
from minyi.org.roles import Role
from minyi.problems import services
from minyi.problems.models import Problem, ProblemCategory, ProblemEvent
from tests.cases.test_concurrency import race
from tests.world import person

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def keepers(tx_world):
    """陈医保 and the bureau's head: both keep 区医保局's register."""
    return tx_world.insurance_handler, person("insurance-head", "钱局长", tx_world.insurance, Role.UNIT_HEAD)


def enter(keeper, category, title):
    return services.problem_create(
        actor=keeper, title=title, category=category, source="review", found_on=dt.date(2026, 11, 20)
    )


@pytest.mark.parametrize("round_", range(3))
def test_problems_entered_at_once_get_consecutive_distinct_numbers(tx_world, keepers, clock, round_):
    handler, head = keepers
    category = services.category_create(actor=handler, name="窗口服务")
    enter(handler, category, "已有的问题")
    results = race(
        lambda: [enter(handler, category, f"陈医保录入{i}").number for i in range(3)],
        lambda: [enter(head, category, f"钱局长录入{i}").number for i in range(3)],
    )
    numbers = [n for batch in results for n in batch]
    assert sorted(numbers) == [f"2026-{n:03d}" for n in range(2, 8)]
    assert Problem.objects.filter(unit=tx_world.insurance).count() == 7


def test_one_category_name_added_twice_at_once_is_refused_once(tx_world, keepers, clock):
    results = race(*[lambda who=who: services.category_create(actor=who, name="医保缴费") for who in keepers])
    assert sum(isinstance(r, ProblemCategory) for r in results) == 1
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(refused) == 1 and refused[0].field == "name"


def test_two_status_changes_from_one_page_one_wins_one_gets_a_conflict(tx_world, keepers, clock):
    handler, head = keepers
    problem = enter(handler, services.category_create(actor=handler, name="窗口服务"), "窗口答复生硬")
    results = race(
        lambda: services.problem_set_status(
            actor=handler, problem_id=problem.pk, status="rectifying", expected_version=problem.version
        ),
        lambda: services.problem_set_status(
            actor=head, problem_id=problem.pk, status="closed", note="误解", expected_version=problem.version
        ),
    )
    assert sum(isinstance(r, Problem) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert not any(isinstance(r, IllegalTransition) for r in results)
    assert ProblemEvent.objects.filter(problem=problem).count() == 2  # the entry and the winner
