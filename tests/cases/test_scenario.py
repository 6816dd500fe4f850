"""One scripted walk through every path of the closed loop, on the real 2026 calendar."""

from __future__ import annotations

from minyi.cases.models import Case, CaseEvent
from minyi.cases.workflow import Status
from minyi.notifications.models import Notification
from tests.cases.helpers import do, new_case, ops
from tests.conftest import at


def test_main_path_with_extension_and_rework_across_spring_festival(world, clock):
    # Friday before the 2026 Spring Festival: Sat 02-14 is a make-up working day, 02-15..23 off.
    clock.set("2026-02-13 10:00")
    case = new_case(world.operator, category="010101")
    assert case.status == Status.RECEIVED
    assert case.tracking_number == "202602-000001"
    assert len(case.query_code) == 6

    case = do(case, "accept", world.dispatcher)
    assert case.status == Status.ACCEPTED

    case = do(case, "assign", world.dispatcher)  # routing: 供热 → 热力公司 + 区住建局
    assert case.status == Status.ASSIGNED
    assert case.lead_unit == world.heating
    assert list(case.co_units.all()) == [world.housing]
    # sign for within 1 working day: Saturday 02-14 (调休) counts.
    assert case.sign_due_at == at("2026-02-14 18:00")
    # handle within 5 working days: 02-14, then 02-24, 25, 26, 27.
    assert case.handle_due_at == at("2026-02-27 18:00")
    assert case.handle_due_original_at == case.handle_due_at
    assert Notification.objects.filter(user=world.heating_handler, case=case, kind="assigned").exists()

    clock.set("2026-02-14 09:00")
    case = do(case, "sign_for", world.heating_handler)
    assert case.status == Status.HANDLING and case.signed_at == at("2026-02-14 09:00")

    clock.set("2026-02-26 11:00")
    case = do(case, "request_extension", world.heating_handler, days=2, note="需更换主管道，等待配件")
    assert case.status == Status.EXTENSION_REQUESTED
    case = do(case, "approve_extension", world.dispatcher)
    assert case.status == Status.HANDLING
    # two more working days after Fri 02-27: Sat 02-28 (调休) and Mon 03-02.
    assert case.handle_due_at == at("2026-03-02 18:00")
    assert case.handle_due_original_at == at("2026-02-27 18:00")
    assert case.extension_count == 1

    clock.set("2026-02-28 15:00")
    case = do(case, "reply", world.heating_handler, note="已更换主管道，室温恢复到20度。")
    assert case.status == Status.REPLIED and case.replied_on_time is True

    case = do(case, "callback", world.callback_agent, satisfaction="dissatisfied", resolved=False)
    assert case.status == Status.CALLED_BACK
    clock.set("2026-03-02 09:30")
    case = do(case, "reopen", world.callback_agent, note="群众反映三楼仍然不热")
    assert case.status == Status.HANDLING
    assert case.rework_count == 1
    assert case.handle_due_at == at("2026-03-09 18:00")  # 5 working days after Mon 03-02

    clock.set("2026-03-04 16:00")
    case = do(case, "reply", world.heating_handler, note="已对三楼管道排气，温度达标。")
    case = do(case, "callback", world.callback_agent, satisfaction="satisfied", resolved=True)
    case = do(case, "archive", world.callback_agent)
    assert case.status == Status.ARCHIVED
    assert case.closed_at == at("2026-03-04 16:00")

    assert ops(case) == [
        "create",
        "accept",
        "assign",
        "sign_for",
        "request_extension",
        "approve_extension",
        "reply",
        "callback",
        "reopen",
        "reply",
        "callback",
        "archive",
    ]
    statuses = list(case.events.values_list("from_status", "to_status"))
    assert statuses[0] == ("", "received") and statuses[-1] == ("called_back", "archived")
    assert CaseEvent.objects.get(case=case, operation="approve_extension").data["days"] == 2


def test_return_then_reassign(world, clock):
    case = new_case(world.operator, category="010101", title="路面塌陷")
    do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)
    case = do(case, "return", world.heating_handler, note="属道路问题，不是供热")
    assert case.status == Status.RETURNED and case.return_count == 1
    assert Notification.objects.filter(user=world.dispatcher, kind="returned").exists()
    case = do(case, "reassign", world.dispatcher, lead_unit=world.housing.pk)
    assert case.status == Status.ASSIGNED and case.lead_unit == world.housing
    case = do(case, "sign_for", world.housing_handler)
    assert case.status == Status.HANDLING
    assert ops(case)[-3:] == ["return", "reassign", "sign_for"]


def test_return_then_uphold_keeps_unit_and_handling_deadline(world, clock):
    case = new_case(world.operator, category="010101")
    do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)
    due = case.handle_due_at
    clock.advance(hours=2)
    case = do(case, "return", world.heating_handler, note="不是我们的")
    case = do(case, "uphold", world.dispatcher, note="供热问题由热力公司主办")
    assert case.status == Status.ASSIGNED and case.lead_unit == world.heating
    assert case.handle_due_at == due


def test_merge_passes_the_masters_reply_to_the_repeat(world, clock):
    master = new_case(world.operator, category="010101")
    repeat = new_case(world.operator, category="010101", requester_name="李四", requester_phone="13900001111")
    do(master, "accept", world.dispatcher)
    do(master, "assign", world.dispatcher)
    repeat = do(repeat, "merge", world.dispatcher, master=master.pk)
    assert repeat.status == Status.MERGED and repeat.master == master
    do(master, "sign_for", world.heating_handler)
    do(master, "reply", world.heating_handler, note="已修复")
    repeat.refresh_from_db()
    assert repeat.status == Status.REPLIED
    assert repeat.reply_text == "已修复"
    repeat = do(repeat, "callback", world.callback_agent, satisfaction="satisfied")
    assert repeat.status == Status.CALLED_BACK
    assert repeat.requester_name == "李四"


def test_unmerge_returns_to_accepted(world, clock):
    master = new_case(world.operator)
    repeat = new_case(world.operator)
    repeat = do(repeat, "merge", world.dispatcher, master=master.tracking_number)
    repeat = do(repeat, "unmerge", world.dispatcher)
    assert repeat.status == Status.ACCEPTED and repeat.master is None


def test_reject_answer_directly_and_withdraw(world, clock):
    rejected = do(new_case(world.operator), "reject", world.dispatcher, note="属于司法程序，请通过诉讼解决")
    assert rejected.status == Status.REJECTED and rejected.closed_at is not None

    answered = do(
        new_case(world.operator, demand_type="inquiry"),
        "answer",
        world.operator,
        note="医保报销请携带身份证到区政务大厅3号窗口办理。",
    )
    assert answered.status == Status.REPLIED
    answered = do(answered, "callback", world.callback_agent, satisfaction="satisfied")
    assert answered.status == Status.CALLED_BACK

    case = new_case(world.operator, category="010101")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    withdrawn = do(case, "withdraw", world.operator, note="群众来电说已经热了")
    assert withdrawn.status == Status.WITHDRAWN


def test_suspend_and_resume_stop_the_clock(world, clock):
    clock.set("2026-11-02 09:00")  # Monday
    case = new_case(world.operator, category="0102")
    do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)
    do(case, "sign_for", world.housing_handler)
    assert case.handle_due_at == at("2026-11-09 18:00")
    clock.set("2026-11-03 09:00")
    case = do(case, "suspend", world.dispatcher, note="等待法院判决")
    assert case.status == Status.SUSPENDED
    clock.set("2026-11-05 09:00")  # two working days later
    case = do(case, "resume", world.dispatcher)
    assert case.status == Status.HANDLING
    assert case.handle_due_at == at("2026-11-11 18:00")
    assert Case.objects.get(pk=case.pk).suspended_at is None


def test_reopening_a_direct_answer_sends_it_to_the_centre_for_assignment(world, clock):
    case = do(
        new_case(world.operator, category="0102"), "answer", world.operator, note="请拨打住建局电话咨询。"
    )
    do(case, "callback", world.callback_agent, satisfaction="dissatisfied")
    case = do(case, "reopen", world.callback_agent, note="群众要求派单处理")
    assert case.status == Status.ACCEPTED and case.rework_count == 1
    case = do(case, "assign", world.dispatcher)
    assert case.status == Status.ASSIGNED and case.lead_unit == world.housing
