"""The public timeline shows what happened and the reply, never internal notes or who did it."""

from __future__ import annotations

import pytest

from minyi.portal.timeline import public_timeline
from tests.cases.helpers import do, new_case
from tests.portal.helpers import REPLY, case_page, prove

RETURN_NOTE = "内部：这事归住建局管，不归热力公司"
SUPERVISION_NOTE = "督办：热力公司拖延三天了"
INSTRUCTION_NOTE = "领导批示：务必本周解决"
EXTENSION_NOTE = "内部：需更换主管道，等待配件"


@pytest.fixture
def handled(world, clock):
    """A heating complaint that was returned, reassigned back, supervised, instructed, extended and
    replied to."""
    case = new_case(world.operator, category="0101")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher, lead_unit=world.housing.pk)
    do(case, "return", world.housing_handler, note=RETURN_NOTE)
    do(case, "reassign", world.dispatcher, lead_unit=world.heating.pk)
    do(case, "sign_for", world.heating_handler)
    do(case, "supervise", world.supervisor, note=SUPERVISION_NOTE)
    do(case, "instruct", world.leader, note=INSTRUCTION_NOTE)
    do(case, "request_extension", world.heating_handler, days=2, note=EXTENSION_NOTE)
    do(case, "approve_extension", world.dispatcher)
    clock.advance(hours=2)
    return do(case, "reply", world.heating_handler, note=REPLY)


def test_only_public_operations_appear_in_order(handled):
    timeline = public_timeline(handled)

    assert [e.operation for e in timeline] == [
        "create",
        "accept",
        "assign",
        "reassign",
        "sign_for",
        "approve_extension",
        "reply",
    ]
    assert [e.label for e in timeline][:2] == ["Register", "Accept"]
    assert [e.reply for e in timeline] == [""] * 6 + [REPLY]
    assert timeline[-1].at > timeline[0].at


def test_the_page_hides_internal_notes_staff_and_units(client, world, handled):
    prove(client, handled)

    page = case_page(client, handled).content.decode()

    assert REPLY in page
    assert "Sign for" in page and "Reply" in page
    for secret in (RETURN_NOTE, SUPERVISION_NOTE, INSTRUCTION_NOTE, EXTENSION_NOTE):
        assert secret not in page
    for person in (
        world.heating_handler,
        world.housing_handler,
        world.dispatcher,
        world.supervisor,
        world.leader,
        world.operator,
    ):
        assert person.full_name not in page
    assert world.housing.name not in page  # the unit it was first (wrongly) sent to
    assert "Return" not in page  # the operation itself is internal
    assert "张三" not in page and "13812341234" not in page  # the requester's own details are not shown


def test_a_rejection_shows_its_reason(client, world):
    case = new_case(world.operator)
    do(case, "reject", world.dispatcher, note="不属于政府职责范围，请咨询物业公司。")
    prove(client, case)

    page = case_page(client, case).content.decode()

    assert "不属于政府职责范围，请咨询物业公司。" in page
    assert '<span class="badge rejected">Rejected</span>' in page


def test_a_withdrawal_shows_its_reason(client, world):
    case = new_case(world.operator)
    do(case, "withdraw", world.operator, note="群众来电表示问题已自行解决")
    prove(client, case)

    page = case_page(client, case).content.decode()

    assert "群众来电表示问题已自行解决" in page


def test_an_answer_on_the_spot_is_shown_as_the_reply(client, world):
    case = new_case(world.operator, demand_type="inquiry")
    do(case, "answer", world.operator, note="医保报销请携带身份证到区医保局一楼窗口办理。")
    prove(client, case)

    page = case_page(client, case).content.decode()

    assert page.count("医保报销请携带身份证到区医保局一楼窗口办理。") == 2  # the reply card and the timeline
    assert world.operator.full_name not in page


def test_the_note_of_a_suspension_stays_internal(client, world):
    case = new_case(world.operator, category="0101")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    do(case, "suspend", world.dispatcher, note="内部：等待法院判决")
    prove(client, case)

    page = case_page(client, case).content.decode()

    assert "Suspend" in page
    assert "等待法院判决" not in page
