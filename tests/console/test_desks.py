"""Each role's desk shows its queues, only within the user's scope, with counts and row actions."""

from __future__ import annotations

import re

import pytest

from minyi.cases.workflow import Status
from minyi.console.desks import DISPATCH, WORKBENCH, desks_for, queue_cases, queue_counts
from minyi.core import clock as minyi_clock
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for, text_of


def assigned_heating_case(world, **fields):
    case = do(new_case(world.operator, category="010101", **fields), "accept", world.operator)
    return do(case, "assign", world.dispatcher)


def test_every_role_with_a_desk_lands_on_it(world):
    expected = {
        "operator": "/console/intake/",
        "dispatcher": "/console/dispatch/",
        "heating_handler": "/console/workbench/",
        "supervisor": "/console/supervision/",
        "callback_agent": "/console/callback/",
        "leader": "/console/leader/",
        "grid_worker": "/console/intake/",
        # the door-to-door visits are a visit secretary's work, not the hotline's intake desk
        "visit_secretary": "/console/visits/",
    }
    for persona, url in expected.items():
        response = client_for(getattr(world, persona)).get("/console/")
        assert response.status_code == 302 and response["Location"] == url, persona


def test_a_visit_secretary_may_still_register_at_the_intake_desk(world):
    assert [d.key for d in desks_for(world.visit_secretary)] == ["intake"]
    assert client_for(world.visit_secretary).get("/console/intake/").status_code == 200


def test_desks_are_offered_by_role(world):
    assert [d.key for d in desks_for(world.dispatcher)] == ["dispatch"]
    assert [d.key for d in desks_for(world.heating_handler)] == ["workbench"]
    assert desks_for(world.admin) == []
    response = client_for(world.admin).get("/console/")
    assert response["Location"] == "/admin/"


def test_the_dispatch_desk_counts_each_queue(world, clock):
    new_case(world.operator)
    do(new_case(world.operator), "accept", world.operator)
    returned = assigned_heating_case(world)
    do(returned, "return", world.heating_handler, note="不属于我单位")
    counts = queue_counts(world.dispatcher, DISPATCH, minyi_clock.now())
    assert counts["received"] == 1 and counts["accepted"] == 1 and counts["returned"] == 1
    page = client_for(world.dispatcher).get("/console/dispatch/?queue=returned")
    assert returned.tracking_number in text_of(page)


HEATING = dict(title="幸福小区3号楼暖气不热", description="幸福小区3号楼暖气温度只有十四度，老人孩子受不了。")
HEATING_AGAIN = dict(title="幸福小区3号楼暖气不热", description="3号楼暖气只有十四度，请尽快处理，谢谢。")


def test_possible_repeats_are_the_cases_flagged_at_registration_with_a_master_still_valid(world, clock):
    first = new_case(world.operator, area=world.east_grid.pk, requester_phone="13900001111", **HEATING)
    clock.advance(minutes=6)
    repeat = new_case(world.operator, area=world.east_grid.pk, requester_phone="13900002222", **HEATING_AGAIN)
    # The same phone with another problem is not a repeat (it was, by the phone alone).
    new_case(
        world.operator, requester_phone="13900001111", title="和平路路灯不亮", description="和平路路灯坏了。"
    )
    queue = DISPATCH.queue("repeats")
    assert [c.pk for c in queue_cases(world.dispatcher, queue, minyi_clock.now())] == [repeat.pk]
    assert queue_counts(world.dispatcher, DISPATCH, minyi_clock.now())["repeats"] == 1
    page = client_for(world.dispatcher).get("/console/dispatch/?queue=repeats")
    row = text_of(page)
    assert first.tracking_number in row and "同一网格" in row and "相隔 6 分钟" in row and "暖气" in row
    assert f'value="{first.tracking_number}"' in page.content.decode()  # 并入此件 into the master
    do(first, "withdraw", world.operator, note="群众撤回")  # the master may no longer be one
    assert not queue_cases(world.dispatcher, queue, minyi_clock.now()).exists()


def test_the_desk_offers_no_merge_into_a_master_the_user_may_not_merge_into(world, clock):
    first = new_case(world.operator, area=world.east_grid.pk, **HEATING)
    clock.advance(minutes=6)
    repeat = new_case(world.operator, area=world.east_grid.pk, **HEATING_AGAIN)
    do(repeat, "accept", world.dispatcher)
    do(repeat, "assign", world.dispatcher)  # assigned: no longer to merge, no longer in the queue
    assert not queue_cases(world.dispatcher, DISPATCH.queue("repeats"), minyi_clock.now()).exists()
    page = client_for(world.dispatcher).get("/console/dispatch/?queue=repeats").content.decode()
    assert f'value="{first.tracking_number}"' not in page


def test_the_workbench_lists_only_the_units_own_cases(world, clock):
    heating = assigned_heating_case(world)
    roads = do(new_case(world.operator, category="0102"), "accept", world.operator)
    roads = do(roads, "assign", world.dispatcher)
    to_sign = queue_cases(world.heating_handler, WORKBENCH.queue("to_sign"), minyi_clock.now())
    assert list(to_sign) == [heating]
    # 区住建局 co-handles the heating case and leads the road case.
    housing_to_sign = queue_cases(world.housing_handler, WORKBENCH.queue("to_sign"), minyi_clock.now())
    assert list(housing_to_sign) == [roads]
    co = queue_cases(world.housing_handler, WORKBENCH.queue("co"), minyi_clock.now())
    assert list(co) == [heating]
    page = text_of(client_for(world.insurance_handler).get("/console/workbench/"))
    assert heating.tracking_number not in page and roads.tracking_number not in page


def test_overdue_cases_show_red_on_the_workbench_and_the_supervision_board(world, clock):
    case = assigned_heating_case(world)
    do(case, "sign_for", world.heating_handler)
    clock.advance(days=14)
    page = client_for(world.heating_handler).get("/console/workbench/?queue=red")
    assert case.tracking_number in text_of(page) and 'class="light red"' in page.content.decode()
    board = client_for(world.supervisor).get("/console/supervision/")
    assert board.context["by_unit"][0]["lead_unit__name"] == "热力公司"
    assert board.context["by_unit"][0]["red"] == 1


def test_a_row_button_performs_the_operation_and_returns_to_the_desk(world, clock):
    case = assigned_heating_case(world)
    client = client_for(world.heating_handler)
    response = client.post(
        f"/console/cases/{case.pk}/do/sign_for/",
        {"expected_version": case.version, "next": "/console/workbench/"},
    )
    assert response.status_code == 302 and response["Location"] == "/console/workbench/"
    case.refresh_from_db()
    assert case.status == Status.HANDLING


def test_htmx_tab_switch_renders_only_the_queue(world, clock):
    new_case(world.operator)
    response = client_for(world.dispatcher).get(
        "/console/dispatch/?queue=accepted", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue">') and "<html" not in html


@pytest.mark.parametrize(
    ("url", "role"),
    [("/console/dispatch/", "派单员"), ("/console/workbench/", "承办人"), ("/console/callback/", "回访员")],
)
def test_a_desk_of_another_role_is_a_friendly_403_naming_the_role(world, url, role):
    response = client_for(world.operator).get(url)
    assert response.status_code == 403
    assert "无权操作" in text_of(response) and role in text_of(response)


def test_the_callback_desk_shows_the_reply_to_read_out(world, clock):
    case = do(assigned_heating_case(world), "sign_for", world.heating_handler)
    do(case, "reply", world.heating_handler, note="已更换3号楼供暖阀门，室温恢复到20度。")
    page = client_for(world.callback_agent).get("/console/callback/")
    assert case.tracking_number in text_of(page) and "已更换3号楼供暖阀门" in text_of(page)


def test_the_tab_counts_of_a_desk_are_one_query(world, clock, django_assert_num_queries):
    new_case(world.operator)
    assert world.dispatcher.role_scopes  # read once per request, before the desk
    with django_assert_num_queries(1):
        counts = queue_counts(world.dispatcher, DISPATCH, minyi_clock.now())
    assert counts["received"] == 1 and set(counts) == {q.key for q in DISPATCH.queues}


def cells(html: str, case, name: str) -> str:
    """The text of a row's cell (data-cell) on a desk page."""
    row = html.split(f'data-case="{case.tracking_number}"')[1].split("</tr>")[0]
    found = re.search(rf'data-cell="{name}"[^>]*>(.*?)</(td|span|div)>', row, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_extension_tab_shows_the_days_asked_the_new_deadline_and_the_reason(world, clock):
    """Issue 17: the dispatcher decided on an extension without seeing what was asked or why."""
    case = do(new_case(world.operator, category="010101"), "accept", world.operator)
    do(case, "assign", world.dispatcher, handle_days=5)  # Wed 11-25: due Wed 12-02 18:00
    do(case, "sign_for", world.heating_handler)
    do(case, "request_extension", world.heating_handler, days=3, note="主管道需整段更换，材料三天后到货。")
    html = client_for(world.dispatcher).get("/console/dispatch/?queue=extension").content.decode()
    assert cells(html, case, "days-asked") == "3 个工作日"
    assert cells(html, case, "new-deadline") == "2026-12-07 18:00"  # three working days on, past a weekend
    assert cells(html, case, "reason") == "主管道需整段更换，材料三天后到货。"
    heading = html.split('data-column="extension"')[1].split("</th>")[0]
    assert "工作日" in heading  # its title says the new deadline is counted in working days


def test_the_supervision_board_shows_days_overdue_most_overdue_first(world, clock):
    """Issue 17: the board had no 超期天数 column; working days since the deadline, sortable."""
    cases = []
    for day in ("2026-11-02", "2026-11-19", "2026-11-23"):  # each due the next working day at 18:00
        clock.set(f"{day} 10:00")
        case = do(new_case(world.operator, category="010101"), "accept", world.operator)
        do(case, "assign", world.dispatcher, handle_days=1)
        cases.append(do(case, "sign_for", world.heating_handler))
    clock.set("2026-11-24 10:00")
    due_later = do(new_case(world.operator, category="010101"), "accept", world.operator)
    do(due_later, "assign", world.dispatcher, handle_days=5)
    clock.set("2026-11-25 10:00")  # Wednesday
    client = client_for(world.supervisor)
    html = client.get("/console/supervision/?queue=red").content.decode()
    shown = re.findall(r'<tr data-case="([^"]+)"', html.split('id="queue"')[1])
    assert shown == [c.tracking_number for c in cases]  # most overdue first
    # working days begun since the deadline: 15 whole ones and this morning; 2 and this morning; this morning
    assert [cells(html, c, "days-overdue") for c in cases] == ["16", "3", "1"]
    heading = html.split('data-column="overdue"')[1].split("</th>")[0]
    assert (
        'aria-sort="descending"' in heading and "工作日" in heading and 'data-sort="least_overdue"' in heading
    )
    html = client.get("/console/supervision/?queue=red&sort=least_overdue").content.decode()
    assert re.findall(r'<tr data-case="([^"]+)"', html.split('id="queue"')[1]) == [
        c.tracking_number for c in reversed(cases)
    ]
    supervised = client.get("/console/supervision/?queue=supervised").content.decode()
    assert 'data-column="overdue"' in supervised  # the column stands in the supervised tab too
