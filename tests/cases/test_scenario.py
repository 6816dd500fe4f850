"""One scripted scenario that walks cases through every path of the closed loop on the real 2026
calendar, asserting statuses, events and deadlines at each step."""

from __future__ import annotations

from minyi.cases.models import Case, CaseEvent
from minyi.cases.workflow import Status
from minyi.notifications.models import Notification
from tests.cases.helpers import do, new_case, ops
from tests.conftest import at


def test_every_path_of_the_closed_loop(world, clock):
    main_path_across_the_spring_festival(world, clock)
    return_then_reassign(world, clock)
    return_then_uphold(world, clock)
    merge_then_the_masters_reply_reaches_the_repeat(world, clock)
    merge_then_unmerge(world, clock)
    reject(world, clock)
    answer_directly(world, clock)
    suspend_and_resume_across_national_day(world, clock)
    withdraw(world, clock)


def transitions(case) -> list[tuple[str, str, str]]:
    return list(case.events.values_list("operation", "from_status", "to_status"))


def main_path_across_the_spring_festival(world, clock):
    # Friday before the 2026 Spring Festival: Sat 02-14 is a make-up working day, 02-15..23 off,
    # Sat 02-28 a make-up working day again.
    clock.set("2026-02-13 10:00")
    case = new_case(world.operator, category="010101")
    assert case.status == Status.RECEIVED
    assert case.tracking_number == "202602-000001"
    assert len(case.query_code) == 6

    case = do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)  # routing: 供热 → 热力公司 + 区住建局
    assert case.status == Status.ASSIGNED
    assert case.lead_unit == world.heating
    assert list(case.co_units.all()) == [world.housing]
    assert case.sign_due_at == at("2026-02-14 18:00")  # 1 working day: the make-up Saturday
    assert case.handle_due_at == at("2026-02-27 18:00")  # 5 working days: 02-14, 24, 25, 26, 27
    assert case.handle_due_original_at == case.handle_due_at
    assert Notification.objects.filter(user=world.heating_handler, case=case, kind="assigned").exists()
    assert Notification.objects.filter(user=world.housing_handler, case=case, kind="assigned").exists()

    clock.set("2026-02-14 09:00")
    case = do(case, "sign_for", world.heating_handler)
    assert case.status == Status.HANDLING and case.signed_at == at("2026-02-14 09:00")
    assert case.sign_due_at is None

    clock.set("2026-02-26 11:00")
    case = do(case, "request_extension", world.heating_handler, days=2, note="需更换主管道，等待配件")
    assert case.status == Status.EXTENSION_REQUESTED
    case = do(case, "approve_extension", world.dispatcher)
    assert case.status == Status.HANDLING
    assert case.handle_due_at == at("2026-03-02 18:00")  # + Sat 02-28 (make-up day) and Mon 03-02
    assert case.handle_due_original_at == at("2026-02-27 18:00")
    assert case.extension_count == 1

    clock.set("2026-02-28 15:00")
    case = do(case, "reply", world.heating_handler, note="已更换主管道，室温恢复到20度。")
    assert case.status == Status.REPLIED and case.replied_on_time is True
    case = do(case, "callback", world.callback_agent, satisfaction="dissatisfied", resolved=False)
    assert case.status == Status.CALLED_BACK and case.satisfaction == "dissatisfied"

    clock.set("2026-03-02 09:30")
    case = do(case, "reopen", world.callback_agent, note="群众反映三楼仍然不热")
    assert case.status == Status.HANDLING and case.rework_count == 1
    assert case.handle_due_at == at("2026-03-09 18:00")  # a new handling clock: 5 working days
    assert Notification.objects.filter(user=world.heating_handler, case=case, kind="reopened").exists()

    clock.set("2026-03-04 16:00")
    case = do(case, "reply", world.heating_handler, note="已对三楼管道排气，温度达标。")
    case = do(case, "callback", world.callback_agent, satisfaction="satisfied", resolved=True)
    case = do(case, "archive", world.callback_agent)
    assert case.status == Status.ARCHIVED and case.closed_at == at("2026-03-04 16:00")

    assert transitions(case) == [
        ("create", "", "received"),
        ("accept", "received", "accepted"),
        ("assign", "accepted", "assigned"),
        ("sign_for", "assigned", "handling"),
        ("request_extension", "handling", "extension_requested"),
        ("approve_extension", "extension_requested", "handling"),
        ("reply", "handling", "replied"),
        ("callback", "replied", "called_back"),
        ("reopen", "called_back", "handling"),
        ("reply", "handling", "replied"),
        ("callback", "replied", "called_back"),
        ("archive", "called_back", "archived"),
    ]
    extension = CaseEvent.objects.get(case=case, operation="approve_extension")
    assert extension.data["days"] == 2 and extension.actor == world.dispatcher
    assert (
        CaseEvent.objects.filter(case=case, operation="callback").first().data["satisfaction"]
        == "dissatisfied"
    )


def return_then_reassign(world, clock):
    clock.set("2026-03-10 10:00")
    case = new_case(world.operator, category="010101", title="路面塌陷")
    do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)
    case = do(case, "return", world.heating_handler, note="属道路问题，不是供热")
    assert case.status == Status.RETURNED and case.return_count == 1
    assert Notification.objects.filter(user=world.dispatcher, case=case, kind="returned").exists()
    clock.set("2026-03-10 14:00")
    case = do(case, "reassign", world.dispatcher, lead_unit=world.housing.pk, co_units=[])
    assert case.status == Status.ASSIGNED and case.lead_unit == world.housing
    assert case.handle_due_at == at("2026-03-17 18:00")  # the new unit's own 5 working days
    case = do(case, "sign_for", world.housing_handler)
    assert transitions(case)[-3:] == [
        ("return", "assigned", "returned"),
        ("reassign", "returned", "assigned"),
        ("sign_for", "assigned", "handling"),
    ]
    assert (
        CaseEvent.objects.get(case=case, operation="reassign").data["previous_lead_unit"] == world.heating.pk
    )


def return_then_uphold(world, clock):
    clock.set("2026-03-10 10:00")
    case = new_case(world.operator, category="010101")
    do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)
    due = case.handle_due_at
    clock.set("2026-03-10 15:00")
    case = do(case, "return", world.heating_handler, note="不是我们的")
    case = do(case, "uphold", world.dispatcher, note="供热问题由热力公司主办")
    assert case.status == Status.ASSIGNED and case.lead_unit == world.heating
    assert case.handle_due_at == due  # the handling clock kept running
    assert case.sign_due_at == at("2026-03-11 18:00")  # a new day to sign for
    assert ops(case)[-2:] == ["return", "uphold"]


def merge_then_the_masters_reply_reaches_the_repeat(world, clock):
    master = new_case(world.operator, category="010101")
    repeat = new_case(world.operator, category="010101", requester_name="李四", requester_phone="13900001111")
    do(master, "accept", world.dispatcher)
    do(master, "assign", world.dispatcher)
    repeat = do(repeat, "merge", world.dispatcher, master=master.pk)
    assert repeat.status == Status.MERGED and repeat.master == master
    do(master, "sign_for", world.heating_handler)
    do(master, "reply", world.heating_handler, note="已修复")
    repeat.refresh_from_db()
    assert repeat.status == Status.REPLIED and repeat.reply_text == "已修复"
    assert transitions(repeat) == [
        ("create", "", "received"),
        ("merge", "received", "merged"),
        ("master_replied", "merged", "replied"),
    ]
    repeat = do(repeat, "callback", world.callback_agent, satisfaction="satisfied")
    assert repeat.status == Status.CALLED_BACK and repeat.requester_name == "李四"


def merge_then_unmerge(world, clock):
    master = new_case(world.operator)
    repeat = do(new_case(world.operator), "merge", world.dispatcher, master=master.tracking_number)
    repeat = do(repeat, "unmerge", world.dispatcher)
    assert repeat.status == Status.ACCEPTED and repeat.master is None
    assert ops(repeat) == ["create", "merge", "unmerge"]


def reject(world, clock):
    case = do(new_case(world.operator), "reject", world.dispatcher, note="属于司法程序，请通过诉讼解决")
    assert case.status == Status.REJECTED and case.closed_at is not None
    assert transitions(case)[-1] == ("reject", "received", "rejected")
    assert case.events.last().note == "属于司法程序，请通过诉讼解决"


def answer_directly(world, clock):
    case = new_case(world.operator, demand_type="inquiry")
    case = do(case, "answer", world.operator, note="医保报销请携带身份证到区政务大厅3号窗口办理。")
    assert case.status == Status.REPLIED and case.reply_text.startswith("医保报销")
    case = do(case, "callback", world.callback_agent, satisfaction="satisfied")
    case = do(case, "archive", world.callback_agent)
    assert ops(case) == ["create", "answer", "callback", "archive"]
    assert case.lead_unit is None


def suspend_and_resume_across_national_day(world, clock):
    clock.set("2026-09-28 09:00")  # Monday; 10-01..07 off, Sat 10-10 a make-up working day
    case = new_case(world.operator, category="0102")
    do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)
    case = do(case, "sign_for", world.housing_handler)
    assert case.handle_due_at == at("2026-10-10 18:00")  # 09-29, 09-30, 10-08, 10-09, Sat 10-10
    clock.set("2026-09-29 09:00")
    case = do(case, "suspend", world.dispatcher, note="等待法院判决")
    assert case.status == Status.SUSPENDED and case.alert_at is None
    clock.set("2026-09-30 09:00")  # one working day (8 h) suspended
    case = do(case, "resume", world.dispatcher)
    assert case.status == Status.HANDLING
    assert case.handle_due_at == at("2026-10-12 18:00")  # moved by the one working day suspended
    assert transitions(case)[-2:] == [
        ("suspend", "handling", "suspended"),
        ("resume", "suspended", "handling"),
    ]
    assert Case.objects.get(pk=case.pk).suspended_at is None


def withdraw(world, clock):
    case = new_case(world.operator, category="010101")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    case = do(case, "withdraw", world.operator, note="群众来电说已经热了")
    assert case.status == Status.WITHDRAWN and case.closed_at is not None
    assert transitions(case)[-1] == ("withdraw", "assigned", "withdrawn")
    assert Notification.objects.filter(user=world.heating_handler, case=case, kind="withdrawn").exists()
    assert Notification.objects.filter(user=world.housing_handler, case=case, kind="withdrawn").exists()
