"""Stale forms: every change of a problem or a measure bumps its version, and a form that sends an
older version than the stored one is refused as a conflict instead of overwriting the newer change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from minyi.core.errors import Conflict
from minyi.org.roles import Role
from minyi.problems import services
from minyi.problems.models import Measure, Problem
from tests.problems.test_services import refused
from tests.world import person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def colleague(world):
    """The bureau's head, who keeps the same register as 陈医保 (two people, two open pages)."""
    return person("insurance-head", "钱局长", world.insurance, Role.UNIT_HEAD)


def test_a_status_change_from_a_stale_page_is_a_conflict(world, register, colleague):
    keeper = world.insurance_handler
    shown = Problem.objects.get(pk=register.rude.pk).version  # both pages show this version
    services.problem_set_status(
        actor=keeper, problem_id=register.rude.pk, status="rectified", expected_version=shown
    )
    error = refused(
        Conflict,
        services.problem_set_status,
        actor=colleague,
        problem_id=register.rude.pk,
        status="rectifying",  # allowed from the status the stale page showed, and from the new one
        expected_version=shown,
    )
    assert error.http_status == 409
    assert "2026-004 was changed by someone else" in error.message and "Rectified" in error.message
    assert error.details == {"version": shown + 1}
    assert Problem.objects.get(pk=register.rude.pk).status == "rectified"


def test_the_current_version_passes_and_is_bumped(world, register):
    problem = Problem.objects.get(pk=register.rude.pk)
    moved = services.problem_set_status(
        actor=world.insurance_handler,
        problem_id=problem.pk,
        status="rectifying",
        expected_version=problem.version,
    )
    assert moved.version == problem.version + 1
    edited = services.problem_update(
        actor=world.insurance_handler,
        problem_id=problem.pk,
        title="窗口答复生硬",
        category=register.window.pk,
        source="review",
        found_on=dt.date(2026, 11, 20),
        expected_version=moved.version,
    )
    assert edited.version == moved.version + 1


def test_an_edit_from_a_stale_form_is_a_conflict(world, register, colleague):
    keeper = world.insurance_handler
    shown = Problem.objects.get(pk=register.rude.pk).version
    fields = dict(category=register.window.pk, source="review", found_on=dt.date(2026, 11, 20))
    services.problem_update(
        actor=keeper,
        problem_id=register.rude.pk,
        title="窗口工作人员答复生硬",
        expected_version=shown,
        **fields,
    )
    error = refused(
        Conflict,
        services.problem_update,
        actor=colleague,
        problem_id=register.rude.pk,
        title="窗口答复生硬（旧稿）",
        expected_version=shown,
        **fields,
    )
    assert "check its current state" in error.message
    assert Problem.objects.get(pk=register.rude.pk).title == "窗口工作人员答复生硬"


def test_a_measure_form_shown_before_a_link_cannot_drop_it(world, register):
    keeper = world.insurance_handler
    shown = Measure.objects.get(pk=register.measure.pk).version
    _measure, changed = services.measure_link(
        actor=keeper, measure_id=register.measure.pk, problem_id=register.filing.pk
    )
    assert changed
    error = refused(
        Conflict,
        services.measure_update,
        actor=keeper,
        measure_id=register.measure.pk,
        title="推行床旁结算",
        responsible="赵静",
        problem_numbers=[register.queue.number, register.from_case.number],  # the list the form showed
        expected_version=shown,
    )
    assert "“推行床旁结算” was changed by someone else" in error.message
    assert register.filing in register.measure.problems.all()


def test_a_link_that_changes_nothing_leaves_the_version(world, register):
    keeper = world.insurance_handler
    shown = Measure.objects.get(pk=register.measure.pk).version
    for linked, problem in ((True, register.queue), (False, register.filing)):  # linked / not linked
        _measure, changed = services.measure_link(
            actor=keeper, measure_id=register.measure.pk, problem_id=problem.pk, linked=linked
        )
        assert not changed
    assert Measure.objects.get(pk=register.measure.pk).version == shown
    measure = services.measure_update(
        actor=keeper,
        measure_id=register.measure.pk,
        title="推行床旁结算",
        responsible="赵静",
        problem_numbers=[register.queue.number],
        expected_version=shown,
    )
    assert measure.version == shown + 1
