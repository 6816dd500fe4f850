"""并单: the repeats merged into a master follow it through its course (workflow.FOLLOW_MASTER), in the
master's transaction, each step recorded on the repeat by the system with the master's number; the
master's state withholds what a repeat may not do on its own (workflow.HELD_BY_MASTER)."""

from __future__ import annotations

import pytest

from minyi.access.cases import allowed_operations
from minyi.cases.models import Case, Satisfaction
from minyi.cases.workflow import Status
from minyi.console.desks import CALLBACK, queue_cases, queue_counts
from minyi.core import clock as minyi_clock
from minyi.core.errors import IllegalTransition
from tests.cases.helpers import do, new_case, ops

PEOPLE = [("王五", "13900005555"), ("赵六", "13900006666")]


def master_with_repeats(world, *, sign_for: bool = True):
    """A heating case with two repeats from other people, merged before it was assigned."""
    master = do(new_case(world.operator, category="010101"), "accept", world.dispatcher)
    repeats = [
        do(new_case(world.operator, requester_name=name, requester_phone=phone), "merge", world.dispatcher,
           master=master.pk)
        for name, phone in PEOPLE
    ]  # fmt: skip
    master = do(master, "assign", world.dispatcher)
    if sign_for:
        master = do(master, "sign_for", world.heating_handler)
    return master, repeats


def replied(world):
    master, repeats = master_with_repeats(world)
    return do(master, "reply", world.heating_handler, note="已更换3号楼暖气阀门，室温恢复到20度。"), repeats


def fresh(cases: list[Case]) -> list[Case]:
    return [Case.objects.get(pk=c.pk) for c in cases]


def assert_followed(repeat: Case, master: Case, master_operation: str, operation: str = "follow_master"):
    """The repeat's last event is the system following `master_operation` of the master."""
    event = repeat.events.order_by("id").last()
    assert event.operation == operation and event.actor is None
    assert event.data["master"] == master.tracking_number
    assert event.data["master_operation"] == master_operation
    if operation != "master_replied":
        assert master.tracking_number in event.note
    return event


def listed(world, queue: str) -> set[int]:
    """The cases the callback desk lists in `queue`."""
    cases = queue_cases(world.callback_agent, CALLBACK.queue(queue), minyi_clock.now())
    return set(cases.values_list("pk", flat=True))


def to_call_back(world) -> set[int]:
    return listed(world, "replied")


def test_the_walk_through_a_rejected_reply_is_not_kept_by_a_repeat(world, clock):
    """Merge B into A, reply on A, callback 不满意, 重办: B goes back with A instead of staying
    已答复（待回访） with the rejected reply, and is answered with A's new reply."""
    a = do(new_case(world.operator, category="010101"), "accept", world.dispatcher)
    b = do(new_case(world.operator, requester_name="王五", requester_phone="13900005555"), "merge",
           world.dispatcher, master=a.tracking_number)  # fmt: skip
    a = do(do(a, "assign", world.dispatcher), "sign_for", world.heating_handler)
    a = do(a, "reply", world.heating_handler, note="已通知物业处理。")
    assert Case.objects.get(pk=b.pk).status == Status.REPLIED
    a = do(a, "callback", world.callback_agent, satisfaction="dissatisfied", resolved=False)
    assert b.pk not in to_call_back(world)  # the callback desk does not call B on A's rejected reply
    with pytest.raises(IllegalTransition, match=a.tracking_number):
        do(b, "callback", world.callback_agent, satisfaction="satisfied")
    a = do(a, "reopen", world.callback_agent, note="暖气仍不热，群众要求上门检修")
    b = Case.objects.get(pk=b.pk)
    assert a.status == Status.HANDLING
    assert b.status == Status.MERGED and b.master_id == a.pk
    assert (b.reply_text, b.replied_at) == ("", None)  # its timeline keeps the rejected reply
    assert b.handle_due_at == a.handle_due_at
    assert_followed(b, a, "reopen", "master_reopened")
    assert b.pk not in to_call_back(world)
    a = do(a, "reply", world.heating_handler, note="已上门更换阀门，室温20度。")
    b = Case.objects.get(pk=b.pk)
    assert b.status == Status.REPLIED and b.reply_text == "已上门更换阀门，室温20度。"
    assert b.pk in to_call_back(world)
    assert ops(b)[-4:] == ["master_replied", "follow_master", "master_reopened", "master_replied"]


def test_the_masters_reply_reaches_each_repeat(world, clock):
    master, repeats = replied(world)
    for repeat in fresh(repeats):
        assert repeat.status == Status.REPLIED and repeat.reply_text == master.reply_text
        assert repeat.replied_at == master.replied_at and repeat.replied_on_time is True
        assert_followed(repeat, master, "reply", "master_replied")
    assert {r.pk for r in repeats} <= to_call_back(world)  # each requester is called back on it


def test_a_repeat_takes_its_masters_handling_deadline_from_the_assignment(world, clock):
    master, repeats = master_with_repeats(world, sign_for=False)
    for repeat in fresh(repeats):
        assert repeat.status == Status.MERGED
        assert repeat.handle_due_at == master.handle_due_at is not None
        assert_followed(repeat, master, "assign")
    # A case merged later takes it at once.
    late = do(new_case(world.operator), "merge", world.dispatcher, master=master.pk)
    assert Case.objects.get(pk=late.pk).handle_due_at == master.handle_due_at


def test_an_approved_extension_moves_the_repeats_deadline(world, clock):
    master, repeats = master_with_repeats(world)
    before = master.handle_due_at
    master = do(master, "request_extension", world.heating_handler, note="需更换管道", days=5)
    master = do(master, "approve_extension", world.dispatcher)
    assert master.handle_due_at > before
    for repeat in fresh(repeats):
        assert repeat.status == Status.MERGED
        assert (repeat.handle_due_at, repeat.handle_due_original_at) == (master.handle_due_at, before)
        event = assert_followed(repeat, master, "approve_extension")
        assert event.data["days"] == 5


def test_suspension_and_resumption_are_followed_and_the_deadline_moves_with_the_master(world, clock):
    master, repeats = master_with_repeats(world)
    before = master.handle_due_at
    master = do(master, "suspend", world.dispatcher, note="等待法院判决")
    for repeat in fresh(repeats):
        assert repeat.status == Status.MERGED
        assert_followed(repeat, master, "suspend")
    clock.advance(days=7)
    master = do(master, "resume", world.dispatcher)
    assert master.handle_due_at > before
    for repeat in fresh(repeats):
        assert repeat.status == Status.MERGED and repeat.handle_due_at == master.handle_due_at
        assert_followed(repeat, master, "resume")
        assert ops(repeat)[-2:] == ["follow_master", "follow_master"]


def test_the_masters_callback_is_recorded_on_the_repeats_whose_requesters_give_their_own(world, clock):
    master, repeats = replied(world)
    first, second = repeats
    do(first, "callback", world.callback_agent, satisfaction="basically_satisfied")
    master = do(master, "callback", world.callback_agent, satisfaction="satisfied", resolved=True)
    first, second = fresh(repeats)
    assert (first.status, first.satisfaction) == (Status.CALLED_BACK, "basically_satisfied")
    assert (second.status, second.satisfaction) == (Status.REPLIED, "")  # not the master's result
    for repeat in (first, second):
        event = assert_followed(repeat, master, "callback")
        assert event.data["satisfaction"] == "satisfied" and str(Satisfaction.SATISFIED.label) in event.note
    assert second.pk in to_call_back(world)  # the reply stands: its requester is still to be called
    second = do(second, "callback", world.callback_agent, satisfaction="satisfied")
    assert second.status == Status.CALLED_BACK


def test_a_dissatisfied_master_callback_holds_the_repeats_callbacks_until_it_is_settled(world, clock):
    master, repeats = replied(world)
    master = do(master, "callback", world.callback_agent, satisfaction="dissatisfied", resolved=False)
    waiting = {r.pk for r in repeats}
    assert not waiting & to_call_back(world)
    assert queue_counts(world.callback_agent, CALLBACK, minyi_clock.now())["replied"] == 0
    for repeat in fresh(repeats):
        assert repeat.status == Status.REPLIED and repeat.satisfaction == ""
        assert "callback" not in {op.name for op in allowed_operations(world.callback_agent, repeat)}
        with pytest.raises(IllegalTransition) as refused:
            do(repeat, "callback", world.callback_agent, satisfaction="satisfied")
        assert master.tracking_number in str(refused.value)
        assert Case.objects.get(pk=repeat.pk).satisfaction == ""
    # Called back again (the requester accepts the reply after all): the repeats are called back on it.
    do(master, "callback", world.callback_agent, satisfaction="basically_satisfied")
    assert waiting <= to_call_back(world)


def test_reopening_the_master_takes_every_repeat_back_without_the_rejected_reply(world, clock):
    master, repeats = replied(world)
    do(repeats[0], "callback", world.callback_agent, satisfaction="satisfied")  # called back before
    master = do(master, "callback", world.callback_agent, satisfaction="dissatisfied")
    clock.advance(hours=2)
    master = do(master, "reopen", world.dispatcher, note="群众不满意，重新办理")
    assert master.status == Status.HANDLING and master.rework_count == 1
    for repeat in fresh(repeats):
        assert repeat.status == Status.MERGED and repeat.master_id == master.pk
        assert (repeat.satisfaction, repeat.replied_at, repeat.replied_on_time) == ("", None, None)
        assert repeat.reply_text == ""
        assert repeat.handle_due_at == master.handle_due_at
        assert repeat.rework_count == 0  # the rework is the master's unit's
        assert_followed(repeat, master, "reopen", "master_reopened")
    assert not Case.objects.filter(master=master, status__in=[Status.REPLIED, Status.CALLED_BACK]).exists()


def test_archiving_the_master_archives_its_repeats_and_not_before(world, clock):
    master, repeats = replied(world)
    first = do(repeats[0], "callback", world.callback_agent, satisfaction="satisfied")
    assert first.pk not in listed(world, "to_archive")
    assert "archive" not in {op.name for op in allowed_operations(world.callback_agent, first)}
    with pytest.raises(IllegalTransition, match=master.tracking_number):
        do(first, "archive", world.callback_agent)
    master = do(master, "callback", world.callback_agent, satisfaction="satisfied")
    master = do(master, "archive", world.callback_agent)
    for repeat in fresh(repeats):
        assert repeat.status == Status.ARCHIVED and repeat.closed_at == master.closed_at
        assert_followed(repeat, master, "archive", "master_archived")
    assert fresh(repeats)[0].satisfaction == "satisfied"  # its own callback is kept


def test_a_repeat_whose_own_requester_is_dissatisfied_may_be_reopened_and_leaves_its_master(world, clock):
    master, repeats = replied(world)
    repeat = do(repeats[0], "callback", world.callback_agent, satisfaction="dissatisfied")
    repeat = do(repeat, "reopen", world.callback_agent, note="此户情况不同，需单独处理")
    assert repeat.status == Status.ACCEPTED and repeat.master is None and repeat.handle_due_at is None
    assert repeat.events.order_by("id").last().data["left_master"] == master.tracking_number
    do(master, "callback", world.callback_agent, satisfaction="dissatisfied")
    master = do(master, "reopen", world.dispatcher, note="重新办理")
    assert Case.objects.get(pk=repeat.pk).status == Status.ACCEPTED  # no longer follows
    assert Case.objects.get(pk=repeats[1].pk).status == Status.MERGED
