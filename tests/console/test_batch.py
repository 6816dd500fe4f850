"""批量操作: one action on many cases of a list or a queue, each case on its own through case_apply,
with a result per case (done, or refused and why)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from minyi.analysis.models import HotIssue
from minyi.cases.models import Case
from minyi.cases.workflow import Status
from minyi.console.batch import forget_before
from minyi.console.models import BatchRun
from minyi.core import clock as minyi_clock
from minyi.org.roles import Role
from tests.cases.helpers import do, new_case, ops
from tests.cases.test_concurrency import race
from tests.console.helpers import client_for, text_of
from tests.world import person

TOKEN = "0123456789abcdef0123456789abcdef"


def accepted(world, **fields) -> Case:
    return do(new_case(world.operator, **fields), "accept", world.operator)


def heating(world, **fields) -> Case:
    return accepted(world, category="010101", **fields)


def send(client, operation: str, cases, *, token: str = TOKEN, **fields):
    data = {"operation": operation, "token": token, "next": "/console/dispatch/?queue=accepted"} | fields
    data["cases"] = [str(c.pk) if isinstance(c, Case) else c for c in cases]
    return client.post("/console/cases/batch/", data)


def results(response) -> list[tuple[str, str, str]]:
    """(the row's ref, done|refused, its text) of each row of a result page, in order."""
    html = response.content.decode()
    rows = re.findall(r'<tr data-ref="([^"]*)" data-result="(\w+)">(.*?)</tr>', html, flags=re.S)
    return [(ref, result, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))) for ref, result, body in rows]


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_a_mixed_batch_assigns_the_right_cases_and_refuses_the_others_each_with_its_reason(world, clock):
    first, second = heating(world), heating(world)
    waiting = new_case(world.operator, category="010101")  # received: not yet accepted
    waiting_events = ops(waiting)
    client = client_for(world.dispatcher)

    # A refusal in the middle stops nothing: the case after it is still assigned.
    response = send(client, "assign", [first, waiting, "999999", second, "abc"], lead_unit=world.heating.pk)

    assert response.status_code == 302
    page = client.get(response["Location"])
    rows = results(page)
    assert [(ref, result) for ref, result, _text in rows] == [
        (str(first.pk), "done"),
        (str(waiting.pk), "refused"),
        ("999999", "refused"),
        (str(second.pk), "done"),
        ("abc", "refused"),
    ]
    assert "热力公司" in rows[0][2] and first.tracking_number in rows[0][2]
    assert "工单当前状态为“待受理”，不能交办" in rows[1][2] and waiting.tracking_number in rows[1][2]
    assert "工单 999999 不存在，或不在您的数据权限范围内" in rows[2][2]
    assert "工单 abc 不存在" in rows[4][2]
    assert "已完成 2 件，未执行 3 件" in text_of(page)
    for case in (first, second):
        case = fresh(case)
        assert case.status == Status.ASSIGNED and case.lead_unit == world.heating
        assert case.handle_due_at is not None  # the deadline rule, as a single assignment
    # The refused case is exactly as it was.
    after = fresh(waiting)
    assert after.status == Status.RECEIVED and after.version == waiting.version and after.lead_unit is None
    assert ops(after) == waiting_events


def test_a_case_outside_the_users_scope_is_refused_as_not_found_and_shown_by_nothing_but_its_id(world, clock):
    east_dispatcher = person("east-dispatcher", "东城派单", world.east_office, Role.DISPATCHER, scope="area")
    ours = heating(world, area=world.east_grid.pk)
    foreign = heating(world, area=world.west_grid.pk, title="西城某小区暖气漏水")
    client = client_for(east_dispatcher)

    page = client.get(send(client, "assign", [ours, foreign], lead_unit=world.heating.pk)["Location"])

    rows = results(page)
    assert [result for _ref, result, _text in rows] == ["done", "refused"]
    assert f"工单 {foreign.pk} 不存在，或不在您的数据权限范围内" in rows[1][2]
    html = page.content.decode()
    assert foreign.tracking_number not in html and "西城某小区" not in html
    assert fresh(foreign).status == Status.ACCEPTED and fresh(ours).status == Status.ASSIGNED


def test_a_user_without_the_right_gets_a_refusal_for_each_case_and_changes_nothing(world, clock):
    case = heating(world)
    client = client_for(world.supervisor)  # may remind, not assign

    page = client.get(send(client, "assign", [case], lead_unit=world.heating.pk)["Location"])

    [(_ref, result, text)] = results(page)
    assert result == "refused" and "您无权对该工单执行“交办”" in text and "派单员" in text
    assert fresh(case).status == Status.ACCEPTED and ops(case) == ["create", "accept"]


def test_a_user_whose_roles_take_no_batch_action_is_refused_at_the_door(world, clock):
    case = heating(world)
    response = send(client_for(world.heating_handler), "assign", [case], lead_unit=world.heating.pk)
    assert response.status_code == 403 and "派单员" in text_of(response)
    assert fresh(case).status == Status.ACCEPTED and not BatchRun.objects.exists()


def test_without_a_unit_each_case_goes_where_the_routing_catalogue_proposes(world, clock):
    routed = heating(world)
    unrouted = accepted(world)  # no category, no place: no rule
    client = client_for(world.dispatcher)

    page = client.get(send(client, "assign", [routed, unrouted], lead_unit="")["Location"])

    rows = results(page)
    assert [result for _ref, result, _text in rows] == ["done", "refused"]
    assert "派单目录中没有" in rows[1][2]
    routed = fresh(routed)
    # The catalogue's co-units are suggestions: no co-unit is added that the dispatcher did not tick.
    assert routed.lead_unit == world.heating and list(routed.co_units.all()) == []
    assert fresh(unrouted).status == Status.ACCEPTED


def test_the_handling_limit_and_the_note_of_the_bar_apply_to_every_case(world, clock):
    cases = [heating(world), heating(world)]
    client = client_for(world.dispatcher)
    send(
        client,
        "assign",
        cases,
        lead_unit=world.housing.pk,
        co_units=[world.heating.pk],
        handle_days="10",
        assign_note="同一小区暖气，统一处理",
    )
    for case in cases:
        case = fresh(case)
        event = case.events.get(operation="assign")
        assert case.lead_unit == world.housing and list(case.co_units.all()) == [world.heating]
        assert event.note == "同一小区暖气，统一处理" and event.data["limit"] == "10 working_days"


def test_the_same_form_sent_twice_acts_once_and_shows_the_first_results(world, clock):
    cases = [heating(world), heating(world)]
    client = client_for(world.dispatcher)
    first = send(client, "assign", cases, lead_unit=world.heating.pk)
    again = send(client, "assign", cases, lead_unit=world.heating.pk)

    assert again["Location"] == first["Location"]
    page = client.get(again["Location"])
    assert "此批操作已提交过，未重复执行" in text_of(page)
    assert [result for _ref, result, _text in results(page)] == ["done", "done"]
    assert BatchRun.objects.count() == 1
    for case in cases:
        assert ops(case).count("assign") == 1


def test_the_same_cases_sent_again_from_a_fresh_form_are_refused_as_already_assigned(world, clock):
    cases = [heating(world), heating(world)]
    client = client_for(world.dispatcher)
    send(client, "assign", cases, lead_unit=world.heating.pk)
    versions = [fresh(case).version for case in cases]

    page = client.get(send(client, "assign", cases, token="f" * 32, lead_unit=world.housing.pk)["Location"])

    rows = results(page)
    assert [result for _ref, result, _text in rows] == ["refused", "refused"]
    assert all("已经交办过（当前状态“待签收”），未重复交办" in text for _ref, _result, text in rows)
    for case, version in zip(cases, versions, strict=True):
        case = fresh(case)
        assert case.lead_unit == world.heating and case.version == version and ops(case).count("assign") == 1


def test_a_batch_reminder_records_the_message_on_each_case_it_may_remind(world, clock):
    due = [do(heating(world), "assign", world.dispatcher) for _ in range(2)]
    not_yet = heating(world)
    client = client_for(world.supervisor)

    response = send(client, "remind", [*due, not_yet], remind_note="请今天内联系住户")
    page = client.get(response["Location"])
    again = send(client, "remind", [*due, not_yet], remind_note="请今天内联系住户")  # a double click

    assert again["Location"] == response["Location"]
    assert [result for _ref, result, _text in results(page)] == ["done", "done", "refused"]
    for case in due:
        case = fresh(case)
        assert case.remind_count == 1 and case.events.get(operation="remind").note == "请今天内联系住户"
    assert "remind" not in ops(not_yet)


def test_an_operator_accepts_several_new_cases_at_once(world, clock):
    cases = [new_case(world.operator) for _ in range(3)]
    client = client_for(world.operator)
    page = client.get(send(client, "accept", cases)["Location"])
    assert [result for _ref, result, _text in results(page)] == ["done"] * 3
    assert {fresh(case).status for case in cases} == {Status.ACCEPTED}


def test_wrong_input_refuses_the_whole_batch_and_says_what_to_fix(world, clock, settings):
    cases = [heating(world), heating(world), heating(world)]
    client = client_for(world.dispatcher)
    settings.MINYI_BATCH_MAX_CASES = 2
    refusals = {
        "已选择 3 件工单，超过单次批量操作上限 2 件": send(client, "assign", cases),
        "请至少选择一件工单": send(client, "assign", []),
        "此表单已过期": send(client, "assign", cases[:1], token="x"),
        "请选择要对所选工单执行的操作": send(client, "", cases[:1]),
        "请从提供的操作中选择": send(client, "reject", cases[:1], note="重复"),
        "办理时限（工作日）：": send(client, "assign", cases[:1], handle_days="0"),
    }
    for message, response in refusals.items():
        assert response.status_code == 400 and message in text_of(response), message
        assert "未执行任何操作" in text_of(response)
    assert {fresh(case).status for case in cases} == {Status.ACCEPTED} and not BatchRun.objects.exists()


def test_the_batch_needs_the_csrf_token(world, clock):
    case = heating(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dispatcher)
    assert send(client, "assign", [case], lead_unit=world.heating.pk).status_code == 403
    assert fresh(case).status == Status.ACCEPTED


def test_a_result_page_is_for_the_user_who_sent_the_batch_only(world, clock):
    client = client_for(world.dispatcher)
    location = send(client, "assign", [heating(world)], lead_unit=world.heating.pk)["Location"]
    assert client.get(location).status_code == 200
    assert client_for(world.operator).get(location).status_code == 404


def test_the_queue_offers_the_actions_the_user_may_take_there_with_a_checkbox_per_row(world, clock):
    to_assign = heating(world)
    new = new_case(world.operator)
    client = client_for(world.dispatcher)

    page = client.get("/console/dispatch/?queue=accepted").content.decode()
    assert 'id="batch-form"' in page and f'name="cases" value="{to_assign.pk}" form="batch-form"' in page
    assert 'value="assign"' in page and 'value="accept"' not in page and "全选本页" in page
    assert f"选择工单 {to_assign.tracking_number}" in page  # each checkbox says which case it picks

    page = client.get("/console/dispatch/?queue=received").content.decode()
    assert 'value="accept"' in page and 'value="assign"' not in page and f'value="{new.pk}"' in page

    listing = client.get("/console/cases/").content.decode()  # the list: whatever fits some case shown
    assert 'value="accept"' in listing and 'value="assign"' in listing and 'value="remind"' not in listing


def test_no_batch_bar_where_the_user_may_take_no_action(world, clock):
    do(heating(world), "assign", world.dispatcher)
    page = client_for(world.heating_handler).get("/console/workbench/").content.decode()
    assert "batch-form" not in page and 'name="cases"' not in page
    leader = client_for(world.leader).get("/console/supervision/").content.decode()
    assert "batch-form" not in leader


def test_old_result_lists_are_forgotten(world, clock):
    client = client_for(world.dispatcher)
    send(client, "assign", [heating(world)], lead_unit=world.heating.pk)
    clock.advance(days=31)
    assert forget_before(minyi_clock.now() - dt.timedelta(days=30)) == 1
    assert not BatchRun.objects.exists()


def test_the_cases_of_a_hot_issue_can_be_assigned_together_and_the_page_leads_back_to_them(world, clock):
    cases = [heating(world, title=f"湖畔花园{n}号楼暖气不热") for n in range(1, 4)]
    now = minyi_clock.now()
    issue = HotIssue.objects.create(
        computed_on=now.date(),
        since=now.date(),
        until=now.date(),
        rank=1,
        title="湖畔花园暖气不热",
        keywords=["暖气"],
        places=["湖畔花园"],
        count=3,
        people=3,
        heat=5.0,
        start=now,
        end=now,
        case_ids=[c.pk for c in cases],
    )
    client = client_for(world.dispatcher)
    url = f"/console/analysis/hot/{issue.pk}/"
    page = client.get(url).content.decode()
    assert 'id="batch-form"' in page and f'name="next" value="{url}"' in page

    done = client.get(send(client, "assign", cases, next=url, lead_unit=world.heating.pk)["Location"])
    assert [result for _ref, result, _text in results(done)] == ["done"] * 3
    assert f'href="{url}"' in done.content.decode()  # 返回列表: back to the hot issue


@pytest.mark.postgres_only
def test_the_same_form_sent_at_once_from_two_servers_reminds_each_case_once(tx_world, clock):
    world = tx_world
    cases = [do(heating(world), "assign", world.dispatcher) for _ in range(3)]

    def sender():
        return send(client_for(world.supervisor), "remind", cases, remind_note="请尽快办理")

    responses = race(*[sender for _ in range(4)])
    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    assert len({r["Location"] for r in responses}) == 1 and BatchRun.objects.count() == 1
    assert [fresh(case).remind_count for case in cases] == [1, 1, 1]
