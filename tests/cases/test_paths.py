"""Side paths and their edges: repeats of closed masters, reassignment, callbacks, strict input."""

from __future__ import annotations

import pytest

from minyi.cases.models import Case
from minyi.cases.workflow import Status
from minyi.core.clock import local as clock_local
from minyi.core.errors import InvalidInput
from minyi.knowledge.models import KnowledgeEntry
from minyi.notifications.models import Notification
from tests.cases.helpers import do, new_case, ops


def assigned(world, **fields):
    case = do(new_case(world.operator, category="010101", **fields), "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher)


def test_reopening_a_direct_answer_sends_it_to_the_centre_for_assignment(world, clock):
    case = do(
        new_case(world.operator, category="0102"), "answer", world.operator, note="请拨打住建局电话咨询。"
    )
    do(case, "callback", world.callback_agent, satisfaction="dissatisfied")
    case = do(case, "reopen", world.callback_agent, note="群众要求派单处理")
    assert case.status == Status.ACCEPTED and case.rework_count == 1
    case = do(case, "assign", world.dispatcher)
    assert case.status == Status.ASSIGNED and case.lead_unit == world.housing


@pytest.mark.parametrize(("operation", "note"), [("reject", "重复诉求"), ("withdraw", "群众撤回")])
def test_repeats_of_a_master_closed_without_an_answer_become_cases_again(world, clock, operation, note):
    master = new_case(world.operator)
    repeats = [do(new_case(world.operator), "merge", world.dispatcher, master=master.pk) for _ in range(2)]
    do(master, operation, world.dispatcher, note=note)
    for repeat in repeats:
        repeat.refresh_from_db()
        assert repeat.status == Status.ACCEPTED and repeat.master is None
        assert ops(repeat)[-1] == "unmerge" and repeat.events.last().actor is None
        assert repeat.events.last().data["master"] == master.tracking_number
        # the dispatchers are told of each repeat to handle again, on its own page
        assert Notification.objects.filter(user=world.dispatcher, case=repeat, kind="returned").exists()


def test_repeats_follow_their_master_into_another_master(world, clock):
    final = assigned(world)
    middle = new_case(world.operator)
    repeat = do(new_case(world.operator), "merge", world.dispatcher, master=middle.pk)
    do(middle, "merge", world.dispatcher, master=final.pk)
    assert Case.objects.get(pk=repeat.pk).master_id == final.pk
    do(final, "sign_for", world.heating_handler)
    do(final, "reply", world.heating_handler, note="已修复")
    assert set(Case.objects.filter(pk__in=[middle.pk, repeat.pk]).values_list("status", flat=True)) == {
        "replied"
    }


def test_a_repeat_merged_into_an_answered_master_gets_the_answer_at_once(world, clock):
    master = do(
        new_case(world.operator, demand_type="inquiry"), "answer", world.operator, note="请到3号窗口办理"
    )
    repeat = do(new_case(world.operator), "merge", world.dispatcher, master=master.pk)
    repeat.refresh_from_db()
    assert repeat.status == Status.REPLIED and repeat.reply_text == "请到3号窗口办理"


def test_reassignment_keeps_the_co_units_and_tells_the_previous_unit(world, clock):
    case = do(assigned(world), "return", world.heating_handler, note="非供热问题")
    case = do(case, "reassign", world.dispatcher, lead_unit=world.insurance.pk)
    assert list(case.co_units.all()) == [world.housing]
    told = Notification.objects.filter(user=world.heating_handler, case=case, kind="assigned")
    assert told.count() == 2  # assigned first, then told of the reassignment


def test_reassigning_to_the_same_unit_is_refused(world, clock):
    case = assigned(world)
    due = case.handle_due_at
    with pytest.raises(InvalidInput, match="热力公司"):
        do(case, "reassign", world.dispatcher, lead_unit=world.heating.pk)
    assert Case.objects.get(pk=case.pk).handle_due_at == due


def test_a_second_callback_is_a_new_version(world, clock):
    case = do(
        do(assigned(world), "sign_for", world.heating_handler), "reply", world.heating_handler, note="好"
    )
    first = do(case, "callback", world.callback_agent, satisfaction="unreachable")
    second = do(case, "callback", world.callback_agent, satisfaction="satisfied")
    assert second.version == first.version + 1


def test_reminders_do_not_change_the_version(world, clock):
    case = assigned(world)
    assert do(case, "remind", world.supervisor).version == case.version


@pytest.mark.parametrize(("value", "stored"), [("false", False), ("yes", True), (False, False), ("1", True)])
def test_yes_or_no_is_read_strictly(world, clock, value, stored):
    case = do(
        do(assigned(world), "sign_for", world.heating_handler), "reply", world.heating_handler, note="好"
    )
    case = do(case, "callback", world.callback_agent, satisfaction="satisfied", resolved=value)
    assert case.resolved is stored


@pytest.mark.parametrize(
    ("operation", "params", "field"),
    [
        ("classify", {"needs_contact": "perhaps"}, "needs_contact"),
        ("assign", {"lead_unit": "abc"}, "lead_unit"),
        ("assign", {"co_units": "12"}, "co_units"),
        ("answer", {"knowledge_entry": "abc", "note": "答复"}, "knowledge_entry"),
    ],
)
def test_malformed_parameters_are_refused(world, clock, operation, params, field):
    case = do(new_case(world.operator, category="010101"), "accept", world.dispatcher)
    with pytest.raises(InvalidInput) as caught:
        do(case, operation, world.dispatcher, **params)
    assert caught.value.field == field


def test_an_inactive_unit_cannot_be_assigned(world, clock):
    world.insurance.is_active = False
    world.insurance.save()
    case = do(new_case(world.operator), "accept", world.dispatcher)
    with pytest.raises(InvalidInput):
        do(case, "assign", world.dispatcher, lead_unit=world.insurance)


def test_the_dispatcher_may_set_the_handling_limit_instead_of_the_rule(world, clock):
    case = do(new_case(world.operator, category="010101"), "accept", world.operator)
    case = do(case, "assign", world.dispatcher, handle_days=10)
    # Wednesday 25 Nov 2026 + 10 working days = Wednesday 9 Dec, at the close of the day.
    assert clock_local(case.handle_due_at).date().isoformat() == "2026-12-09"
    assert case.events.last().data["limit"] == "10 working_days"
    with pytest.raises(InvalidInput, match="办理时限|handling limit"):
        do(case, "reassign", world.dispatcher, lead_unit=world.housing.pk, handle_days=0)


def test_the_requester_rates_a_reply_once(world, clock):
    from minyi.access.principals import Citizen
    from minyi.core.errors import IllegalTransition, NotPermitted

    case = do(new_case(world.operator, category="0102"), "answer", world.operator, note="已告知办理流程。")
    with pytest.raises(NotPermitted):
        do(case, "rate", world.callback_agent, stars=5)
    with pytest.raises(InvalidInput):
        do(case, "rate", Citizen(case_id=case.pk), stars=6)
    case = do(case, "rate", Citizen(case_id=case.pk), stars=4)
    assert case.citizen_rating == 4 and case.citizen_rated_at is not None
    with pytest.raises(IllegalTransition):
        do(case, "rate", Citizen(case_id=case.pk), stars=5)


def test_a_wrong_knowledge_answer_can_be_reopened_like_any_answer(world, clock):
    entry = KnowledgeEntry.objects.create(
        question="城乡居民医保什么时候缴费？", answer="每年9月至12月集中缴费。"
    )
    case = do(
        new_case(world.operator, category="0102"),
        "answer",
        world.operator,
        note=entry.answer,
        knowledge_entry=entry.pk,
    )
    assert case.status == Status.REPLIED and case.events.last().data["knowledge_entry"] == entry.pk
    # the callback finds the caller was told something that did not answer the demand
    case = do(case, "callback", world.callback_agent, satisfaction="dissatisfied", resolved=False)
    case = do(case, "reopen", world.callback_agent, note="知识库答复与诉求不符，群众要求处理")
    assert case.status == Status.ACCEPTED and case.rework_count == 1
    case = do(case, "assign", world.dispatcher)
    assert case.status == Status.ASSIGNED and case.lead_unit == world.housing
