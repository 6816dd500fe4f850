"""The register's services: numbering, sources, the status transitions, measures; every refusal
says what to fix and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from minyi.core.errors import IllegalTransition, InvalidInput, NotFound, NotPermitted
from minyi.problems import services
from minyi.problems.models import Measure, Problem, ProblemCategory, ProblemEvent
from tests.problems.conftest import assigned_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):  # messages are asserted in English
        yield


def snapshot():
    return (
        list(Problem.objects.order_by("pk").values()),
        list(ProblemEvent.objects.order_by("pk").values()),
        list(Measure.objects.order_by("pk").values()),
        list(Measure.problems.through.objects.order_by("pk").values()),
        list(ProblemCategory.objects.order_by("pk").values()),
    )


def refused(error, call, **kwargs):
    before = snapshot()
    with pytest.raises(error) as info:
        call(**kwargs)
    assert snapshot() == before
    return info.value


def test_numbers_count_per_unit_and_year_found(world, register):
    keeper = world.insurance_handler
    assert [
        register.from_case.number,  # numbered in the order entered
        register.queue.number,
        register.filing.number,
        register.rude.number,
    ] == [
        "2026-001",
        "2026-002",
        "2026-003",
        "2026-004",
    ]
    assert register.heating_problem.number == "2026-001"  # another unit counts for itself
    old = services.problem_create(
        actor=keeper,
        title="去年的问题",
        category=register.window,
        source="review",
        found_on=dt.date(2025, 12, 30),
    )
    assert (old.number, old.year, old.sequence) == ("2025-001", 2025, 1)


def test_a_new_problem_is_open_with_its_first_event(world, register):
    problem = register.from_case
    assert problem.status == "open"
    assert problem.case == register.case and problem.source == "case"
    event = problem.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "open", world.insurance_handler)


def test_the_case_must_be_one_the_unit_may_see(world, register):
    heating_case = assigned_case(world, world.heating, title="暖气不热")
    error = refused(
        InvalidInput,
        services.problem_create,
        actor=world.insurance_handler,
        title="热力的工单",
        category=register.window,
        source="case",
        tracking_number=heating_case.tracking_number,
        found_on=dt.date(2026, 11, 1),
    )
    assert error.field == "tracking_number"
    assert heating_case.tracking_number in error.message and "outside your scope" in error.message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"source": "gossip"}, "source"),
        ({"source": "case", "tracking_number": ""}, "tracking_number"),
        ({"source": "review", "tracking_number": "202611-000001"}, "tracking_number"),
        ({"found_on": None}, "found_on"),
        ({"found_on": dt.date(2026, 11, 26)}, "found_on"),  # tomorrow for the clock
        ({"found_on": dt.date(1999, 1, 1)}, "found_on"),
    ],
)
def test_bad_input_is_refused_on_its_field(world, register, changes, field):
    fields = dict(
        title="一个问题", category=register.window.pk, source="review", found_on=dt.date(2026, 11, 1)
    )
    fields.update(changes)
    error = refused(InvalidInput, services.problem_create, actor=world.insurance_handler, **fields)
    assert error.field == field and error.message


def test_a_category_of_another_unit_or_out_of_use_is_refused(world, register):
    heating_cat = register.heating_problem.category
    fields = dict(title="一个问题", source="review", found_on=dt.date(2026, 11, 1))
    error = refused(
        InvalidInput, services.problem_create, actor=world.insurance_handler, category=heating_cat, **fields
    )
    assert error.field == "category"
    services.category_update(
        actor=world.insurance_handler, category_id=register.window.pk, name="窗口服务", is_active=False
    )
    error = refused(
        InvalidInput,
        services.problem_create,
        actor=world.insurance_handler,
        category=register.window,
        **fields,
    )
    assert "no longer in use" in error.message


def test_only_unit_keepers_write(world, register):
    fields = dict(
        title="一个问题", category=register.window.pk, source="review", found_on=dt.date(2026, 11, 1)
    )
    for outsider in (world.supervisor, world.leader, world.operator, world.grid_worker):
        refused(NotPermitted, services.problem_create, actor=outsider, **fields)
    refused(NotPermitted, services.category_create, actor=world.leader, name="新分类")


def test_status_moves_along_the_transitions(world, register, clock):
    keeper = world.insurance_handler
    problem = services.problem_set_status(actor=keeper, problem_id=register.from_case.pk, status="rectifying")
    assert problem.status == "rectifying"
    clock.advance(hours=2)
    problem = services.problem_set_status(
        actor=keeper, problem_id=problem.pk, status="rectified", on=dt.date(2026, 11, 25), note="已落实"
    )
    assert (problem.status, problem.rectified_on) == ("rectified", dt.date(2026, 11, 25))
    assert list(problem.events.values_list("from_status", "to_status")) == [
        ("", "open"),
        ("open", "rectifying"),
        ("rectifying", "rectified"),
    ]
    reopened = services.problem_set_status(actor=keeper, problem_id=problem.pk, status="open", note="复发")
    assert (reopened.status, reopened.rectified_on) == ("open", None)


def test_rectified_without_a_date_means_today(world, register):
    problem = services.problem_set_status(
        actor=world.insurance_handler, problem_id=register.rude.pk, status="rectified"
    )
    assert problem.rectified_on == dt.date(2026, 11, 25)


def test_closing_needs_a_reason_and_illegal_moves_are_refused(world, register):
    keeper = world.insurance_handler
    error = refused(
        InvalidInput, services.problem_set_status, actor=keeper, problem_id=register.rude.pk, status="closed"
    )
    assert error.field == "note"
    closed = services.problem_set_status(
        actor=keeper, problem_id=register.rude.pk, status="closed", note="属上级系统设置"
    )
    assert (closed.status, closed.status_note) == ("closed", "属上级系统设置")
    error = refused(
        IllegalTransition, services.problem_set_status, actor=keeper, problem_id=closed.pk, status="rectified"
    )
    assert "To be rectified" in error.message
    refused(
        InvalidInput,
        services.problem_set_status,
        actor=keeper,
        problem_id=register.filing.pk,
        status="rectified",
        on=dt.date(2026, 8, 1),  # before it was found
    )


def test_another_units_problem_is_not_found_for_a_keeper(world, register):
    refused(
        NotFound,
        services.problem_set_status,
        actor=world.heating_handler,
        problem_id=register.rude.pk,
        status="rectifying",
    )
    # A supervisor reads it but may not change it.
    refused(
        NotPermitted,
        services.problem_set_status,
        actor=world.supervisor,
        problem_id=register.rude.pk,
        status="rectifying",
    )


def test_update_corrects_the_entry(world, register):
    problem = services.problem_update(
        actor=world.insurance_handler,
        problem_id=register.rude.pk,
        title="窗口工作人员答复生硬",
        category=register.enrolment.pk,
        source="case",
        tracking_number=register.case.tracking_number,
        found_on=dt.date(2026, 11, 19),
    )
    problem.refresh_from_db()
    assert (problem.title, problem.category, problem.case, problem.number) == (
        "窗口工作人员答复生硬",
        register.enrolment,
        register.case,
        "2026-004",
    )
    error = refused(
        InvalidInput,
        services.problem_update,
        actor=world.insurance_handler,
        problem_id=register.rude.pk,
        title="x",
        category=register.enrolment.pk,
        source="review",
        found_on=dt.date(2025, 11, 19),  # another year: the number would lie
    )
    assert error.field == "found_on"


def test_a_measure_addresses_several_problems_and_a_problem_several_measures(world, register):
    keeper = world.insurance_handler
    second = services.measure_create(
        actor=keeper,
        title="结算窗口增开",
        responsible="刘敏",
        problem_numbers=services.parse_numbers(f"{register.queue.number}，{register.filing.number}"),
    )
    assert set(register.measure.problems.all()) == {register.queue, register.from_case}
    assert set(register.queue.measures.all()) == {register.measure, second}
    services.measure_link(actor=keeper, measure_id=second.pk, problem_id=register.rude.pk)
    services.measure_link(actor=keeper, measure_id=second.pk, problem_id=register.filing.pk, linked=False)
    assert set(second.problems.all()) == {register.queue, register.rude}


def test_measure_refusals_change_nothing(world, register):
    keeper = world.insurance_handler
    error = refused(
        InvalidInput,
        services.measure_create,
        actor=keeper,
        title="措施",
        responsible="刘敏",
        problem_numbers=["2026-001", "2026-099", register.heating_problem.number + "x"],
    )
    assert error.field == "problems" and "2026-099" in error.message
    error = refused(InvalidInput, services.measure_create, actor=keeper, title="措施", responsible=" ")
    assert error.field == "responsible"
    error = refused(
        InvalidInput,
        services.measure_update,
        actor=keeper,
        measure_id=register.measure.pk,
        title="推行床旁结算",
        responsible="赵静",
        done_on=dt.date(2026, 12, 1),  # in the future
    )
    assert error.field == "done_on"
    refused(
        InvalidInput,
        services.measure_link,
        actor=keeper,
        measure_id=register.measure.pk,
        problem_id=register.heating_problem.pk,
    )
    refused(
        NotFound,
        services.measure_link,
        actor=world.heating_handler,
        measure_id=register.measure.pk,
        problem_id=register.heating_problem.pk,
    )


def test_measure_update_marks_it_done_and_replaces_the_problems(world, register):
    measure = services.measure_update(
        actor=world.insurance_handler,
        measure_id=register.measure.pk,
        title="推行床旁结算",
        responsible="赵静",
        problem_numbers=[register.queue.number],
        due_on=dt.date(2026, 12, 31),
        done_on=dt.date(2026, 11, 24),
    )
    assert measure.state(dt.date(2026, 11, 25)) == "done"
    assert list(measure.problems.all()) == [register.queue]


def test_measure_state_follows_its_dates(register):
    measure = register.measure
    assert measure.state(dt.date(2026, 12, 31)) == "in_progress"
    assert measure.state(dt.date(2027, 1, 1)) == "overdue"


def test_category_names_are_unique_per_unit(world, register):
    error = refused(InvalidInput, services.category_create, actor=world.insurance_handler, name=" 参保登记 ")
    assert error.field == "name"
    same_name = services.category_create(actor=world.heating_handler, name="参保登记")  # another unit may
    assert same_name.unit == world.heating
    refused(
        InvalidInput,
        services.category_update,
        actor=world.insurance_handler,
        category_id=register.window.pk,
        name="参保登记",
    )
    refused(
        InvalidInput,
        services.category_update,
        actor=world.heating_handler,
        category_id=register.window.pk,
        name="x",
    )
