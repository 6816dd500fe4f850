"""请示领导批示: the centre asks a named leader for an instruction (request_instruction); the request
stays open, on that leader's list, until the leader instructs on the case (instruct)."""

from __future__ import annotations

import pytest

from minyi.access.cases import instruction_requests_for, leaders_for
from minyi.cases.models import Case, InstructionRequest
from minyi.core.errors import IllegalTransition, InvalidInput, NotPermitted
from minyi.notifications.models import Notification
from minyi.org.roles import Role
from tests.cases.helpers import do, new_case, ops
from tests.conftest import at
from tests.world import person


@pytest.fixture
def case(world, clock):
    case = new_case(world.operator, category="010101", area=world.east_grid)
    do(case, "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher)


@pytest.fixture
def deputy(world):
    return person("deputy", "钱副区长", world.centre, Role.LEADER)


def test_a_supervisor_asks_a_named_leader_who_sees_it_on_the_list(world, clock, case):
    version = case.version
    case = do(
        case,
        "request_instruction",
        world.supervisor,
        leader=world.leader.pk,
        note="红牌督办仍未办结，请示区长。",
    )
    event = case.events.get(operation="request_instruction")
    assert event.actor == world.supervisor and event.data["leader"] == world.leader.pk
    assert event.data["leader_name"] == "孙区长" and case.version == version  # it only adds to the case
    (waiting,) = instruction_requests_for(world.leader)
    assert (waiting.case, waiting.requested_by, waiting.note) == (
        case,
        world.supervisor,
        "红牌督办仍未办结，请示区长。",
    )
    told = Notification.objects.get(user=world.leader, kind=Notification.Kind.INSTRUCTION)
    assert case.tracking_number in told.message and "赵督办" in told.message


def test_the_leaders_instruction_answers_the_request_and_tells_who_asked(world, clock, case, deputy):
    do(case, "request_instruction", world.dispatcher, leader=world.leader.pk, note="请示是否约谈热力公司。")
    do(case, "request_instruction", world.dispatcher, leader="deputy", note="同时请示钱副区长。")
    clock.advance(hours=2)
    do(case, "instruct", world.leader, note="请住建局牵头约谈，三日内办结。")
    assert list(instruction_requests_for(world.leader)) == []
    assert [r.leader for r in instruction_requests_for(deputy)] == [deputy]  # asked too: still open
    answered = InstructionRequest.objects.get(leader=world.leader)
    assert answered.answered_at == at("2026-11-25 11:00")
    assert Notification.objects.filter(user=world.dispatcher, message__contains="请住建局牵头约谈").exists()
    assert ops(case)[-3:] == ["request_instruction", "request_instruction", "instruct"]


def test_only_a_leader_who_may_instruct_on_the_case_can_be_asked(world, clock, case):
    west_leader = person(
        "west-leader", "吴街道书记", world.centre, Role.LEADER, area=world.west, scope="area"
    )
    assert world.leader in leaders_for(case) and west_leader not in leaders_for(case)
    for who in (world.supervisor.pk, west_leader.pk, "nobody"):
        with pytest.raises(InvalidInput, match="孙区长") as caught:
            do(case, "request_instruction", world.dispatcher, leader=who, note="请示。")
        assert caught.value.field == "leader"
    with pytest.raises(NotPermitted):
        do(case, "request_instruction", world.heating_handler, leader=world.leader.pk, note="请示。")
    assert not InstructionRequest.objects.exists() and "request_instruction" not in ops(case)


def test_a_leader_is_asked_once_until_they_answer(world, clock, case):
    do(case, "request_instruction", world.dispatcher, leader=world.leader.pk, note="请示。")
    with pytest.raises(IllegalTransition, match="孙区长"):
        do(case, "request_instruction", world.supervisor, leader=world.leader.pk, note="再次请示。")
    with pytest.raises(InvalidInput, match="decide|批示事项|决定"):
        do(case, "request_instruction", world.supervisor, leader=world.leader.pk, note="")
    assert InstructionRequest.objects.count() == 1
    do(case, "instruct", world.leader, note="同意。")
    do(
        case,
        "request_instruction",
        world.supervisor,
        leader=world.leader.pk,
        note="办理后仍有异议，再次请示。",
    )
    assert Case.objects.get(pk=case.pk).instruction_requests.filter(answered_at__isnull=True).count() == 1
