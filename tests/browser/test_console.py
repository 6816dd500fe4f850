"""The staff console in a real browser: the closed loop, a return and reassignment, an overdue case,
a unit kept out of another unit's case, and the leader's landing page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create
from tests.browser.conftest import PASSWORD
from tests.browser.pages import (
    case_id_from,
    do_operation,
    expect_status,
    open_case_from_row,
    open_operation,
    open_queue,
    queue_count,
    row,
    screenshot,
)
from tests.org.helpers import build_lakeside

pytestmark = pytest.mark.browser

TITLE = "幸福小区3号楼暖气不热"
DESCRIPTION = "幸福小区3号楼暖气只有十四度，家里有老人，请尽快处理。"


def assigned_case(world, *, title: str = TITLE, co_units=None) -> Case:
    """A heating case registered, accepted and assigned to 热力公司 through the services."""
    case = case_create(
        actor=world.operator,
        channel="hotline",
        demand_type="complaint",
        title=title,
        description=DESCRIPTION,
        requester_name="张三",
        requester_phone="13812341234",
        area=world.east_grid.pk,
        category="010101",
    )
    case_apply(case_id=case.pk, operation="accept", actor=world.dispatcher)
    params = {} if co_units is None else {"lead_unit": world.heating.pk, "co_units": co_units}
    return case_apply(case_id=case.pk, operation="assign", actor=world.dispatcher, **params)


def test_closed_loop_from_call_to_archive(site):
    w = site.world

    # 受理台: the operator registers the call and reads the numbers back to the caller.
    operator = site.login(w.operator)
    expect(operator).to_have_url(re.compile(r"/console/intake/$"))
    form = operator.locator("#intake-form")
    form.locator("#id_requester_phone").fill("13812341234")
    form.locator("#id_requester_name").fill("张三")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_description").fill(DESCRIPTION)
    form.locator("#id_area").select_option(str(w.east_grid.pk))
    form.locator("#id_category").select_option("010101")
    expect(form.locator("#id_category option:checked")).to_contain_text("供热不足")
    form.get_by_role("button", name=re.compile(r"^(登记|Register)$")).click()
    operator.wait_for_url(re.compile(r"/console/intake/\?done=\d+"))
    number = operator.get_by_test_id("tracking-number").inner_text().strip()
    code = operator.get_by_test_id("query-code").inner_text().strip()
    case = Case.objects.get(tracking_number=number)
    assert code == case.query_code and code
    assert case.title == TITLE and case.category.code == "010101" and case.area == w.east_grid
    assert case.requester_phone == "13812341234" and case.status == "received"
    expect(operator.locator("#done .badge.received")).to_be_visible()
    screenshot(operator, "intake-desk")

    # The operator accepts it on the case page.
    operator.locator(f'#done a[href="/console/cases/{case.pk}/"]').click()
    assert case_id_from(operator.url) == case.pk
    expect(operator.locator("h1")).to_contain_text(TITLE)
    do_operation(operator, "accept")
    expect_status(operator, "accepted")

    # 派单台: the dispatcher finds it under "To assign"; the routing catalogue proposes 热力公司.
    dispatcher = site.login(w.dispatcher)
    expect(dispatcher).to_have_url(re.compile(r"/console/dispatch/$"))
    open_queue(dispatcher, "accepted")
    assert queue_count(dispatcher, "accepted") == "1"
    screenshot(dispatcher, "dispatch-desk")
    open_case_from_row(dispatcher, number)
    open_operation(dispatcher, "assign")
    lead = dispatcher.locator("#op-assign select[name=lead_unit]")
    expect(lead).to_have_value(str(w.heating.pk))
    expect(lead.locator("option:checked")).to_have_text("热力公司")
    expect(dispatcher.locator("#op-assign .help").first).to_contain_text("热力公司")
    screenshot(dispatcher, "case-page-assign")
    do_operation(dispatcher, "assign")
    case.refresh_from_db()
    assert case.status == "assigned" and case.lead_unit == w.heating

    # 工作台: the 热力公司 handler signs for it from the "To sign for" row, then replies.
    handler = site.login(w.heating_handler)
    expect(handler).to_have_url(re.compile(r"/console/workbench/$"))
    expect(handler.locator('#queue a[data-queue="to_sign"]')).to_have_attribute("aria-selected", "true")
    expect(row(handler, number).locator(".light.green")).to_be_visible()
    screenshot(handler, "unit-workbench")
    row(handler, number).locator('form[action$="/do/sign_for/"] button').click()
    expect(handler.locator(".messages li.success")).to_contain_text(number)
    expect(row(handler, number)).to_have_count(0)
    open_queue(handler, "handling")
    open_case_from_row(handler, number)
    expect_status(handler, "handling")
    reply = "已联系热力站检修管道，3号楼室温已恢复到20度。"
    do_operation(handler, "reply", note=reply)
    handler.goto(f"/console/cases/{case.pk}/")
    expect_status(handler, "replied")
    expect(handler.get_by_test_id("reply")).to_have_text(reply)

    # 回访台: the callback agent records "satisfied", then archives the case.
    agent = site.login(w.callback_agent)
    expect(agent).to_have_url(re.compile(r"/console/callback/$"))
    expect(row(agent, number)).to_be_visible()
    screenshot(agent, "callback-desk")
    open_case_from_row(agent, number)
    do_operation(
        agent,
        "callback",
        note="群众表示暖气已经热了。",
        fill=lambda f: f.locator("input[name=satisfaction][value=satisfied]").check(),
    )
    open_queue(agent, "to_archive")
    open_case_from_row(agent, number)
    expect_status(agent, "called_back")
    expect(agent.locator("section.card", has=agent.get_by_test_id("reply"))).to_contain_text("满意")
    do_operation(agent, "archive")
    agent.goto(f"/console/cases/{case.pk}/")
    expect_status(agent, "archived")
    ops = agent.locator("ol.timeline > li").evaluate_all("items => items.map(li => li.dataset.op)")
    assert ops == ["create", "accept", "assign", "sign_for", "reply", "callback", "archive"]
    expect(agent.locator("#actions")).not_to_contain_text("归档")
    screenshot(agent, "case-page")
    case.refresh_from_db()
    assert case.status == "archived" and case.satisfaction == "satisfied"


def test_a_merged_repeat_follows_its_master_through_a_rejected_reply(site):
    """Issue 17: B merged into A, A replied, A's requester dissatisfied at callback, A reopened. The
    callback desk does not call B on the rejected reply, and B goes back with A (已并单)."""
    w = site.world
    a = assigned_case(w)
    b = case_create(actor=w.operator, channel="hotline", demand_type="complaint", title=TITLE,
                    description="3号楼暖气一直不热，已经一周了。", requester_name="王五",
                    requester_phone="13900005555", area=w.east_grid.pk)  # fmt: skip
    case_apply(case_id=b.pk, operation="merge", actor=w.dispatcher, master=a.pk)
    case_apply(case_id=a.pk, operation="sign_for", actor=w.heating_handler)
    case_apply(case_id=a.pk, operation="reply", actor=w.heating_handler, note="已通知物业处理。")

    agent = site.login(w.callback_agent)
    expect(row(agent, a.tracking_number)).to_be_visible()
    expect(row(agent, b.tracking_number)).to_be_visible()  # each requester is called back
    assert queue_count(agent, "replied") == "2"
    open_case_from_row(agent, a.tracking_number)
    do_operation(
        agent,
        "callback",
        note="群众说暖气还是不热。",
        fill=lambda f: f.locator("input[name=satisfaction][value=dissatisfied]").check(),
    )
    agent.goto("/console/callback/")
    expect(row(agent, a.tracking_number)).to_have_count(0)
    expect(row(agent, b.tracking_number)).to_have_count(0)  # not called back on the rejected reply
    assert queue_count(agent, "replied") == "0"
    screenshot(agent, "callback-desk-repeat-held")
    agent.goto(f"/console/cases/{b.pk}/")  # its page says why it is not called back now
    expect_status(agent, "replied")
    expect(agent.locator("details#op-callback")).to_have_count(0)
    expect(agent.get_by_test_id("withheld")).to_contain_text(a.tracking_number)
    screenshot(agent, "case-page-repeat-held")
    agent.goto("/console/callback/")

    open_queue(agent, "dissatisfied")
    open_case_from_row(agent, a.tracking_number)
    do_operation(agent, "reopen", note="群众不满意，要求上门检修。")
    expect(agent.locator(".messages li.success")).to_contain_text(a.tracking_number)

    agent.goto(f"/console/cases/{b.pk}/")
    expect_status(agent, "merged")
    followed = agent.locator('ol.timeline li[data-op="master_reopened"]')
    expect(followed).to_contain_text("随主单重办")
    expect(followed).to_contain_text(a.tracking_number)
    expect(agent.locator("details#op-callback")).to_have_count(0)
    screenshot(agent, "case-page-repeat-follows-master")
    b.refresh_from_db()
    assert b.status == "merged" and b.replied_at is None


def test_return_and_reassign(site):
    w = site.world
    case = assigned_case(w)  # lead 热力公司, co-unit 区住建局 (the routing rule)

    handler = site.login(w.heating_handler)
    open_case_from_row(handler, case.tracking_number)
    reason = "该小区不在热力公司供热范围内，属于自管锅炉，请改派区住建局。"
    do_operation(handler, "return", note=reason)

    dispatcher = site.login(w.dispatcher)
    open_queue(dispatcher, "returned")
    assert queue_count(dispatcher, "returned") == "1"
    open_case_from_row(dispatcher, case.tracking_number)
    expect_status(dispatcher, "returned")
    expect(dispatcher.locator('ol.timeline li[data-op="return"]')).to_contain_text(reason)
    do_operation(
        dispatcher,
        "reassign",
        fill=lambda f: f.locator("select[name=lead_unit]").select_option(str(w.housing.pk)),
    )
    case.refresh_from_db()
    assert case.status == "assigned" and case.lead_unit == w.housing

    housing = site.login(w.housing_handler)
    expect(housing).to_have_url(re.compile(r"/console/workbench/$"))
    expect(row(housing, case.tracking_number)).to_be_visible()
    assert queue_count(housing, "to_sign") == "1"
    open_case_from_row(housing, case.tracking_number)
    expect(housing.locator("details#op-sign_for")).to_be_attached()

    handler.goto("/console/workbench/")
    expect(row(handler, case.tracking_number)).to_have_count(0)


def test_overdue_case_turns_red(site, clock):
    w = site.world
    case = assigned_case(w)  # at Wednesday 09:00: sign for within 1, handle within 5 working days

    handler = site.login(w.heating_handler)
    expect(row(handler, case.tracking_number).locator(".light.green")).to_be_visible()
    assert queue_count(handler, "red") == "0"

    clock.advance(days=10)  # past both deadlines, for this test and for the live server
    handler.reload()
    assert queue_count(handler, "red") == "1"
    open_queue(handler, "red")
    expect(row(handler, case.tracking_number).locator(".light.red")).to_be_visible()
    screenshot(handler, "unit-workbench-overdue")

    supervisor = site.login(w.supervisor)
    expect(supervisor).to_have_url(re.compile(r"/console/supervision/$"))
    by_unit = supervisor.locator("#by-unit tbody tr", has_text="热力公司")
    expect(by_unit).to_have_count(1)
    expect(by_unit.locator("td").nth(1).locator(".light.red")).to_have_text("1")
    expect(row(supervisor, case.tracking_number).locator(".light.red")).to_be_visible()
    screenshot(supervisor, "supervision-board")

    supervisor.goto(f"/console/cases/{case.pk}/")
    expect(supervisor.locator("h1 + p .light.red")).to_be_visible()


def test_unit_cannot_open_another_units_case(site):
    w = site.world
    case = assigned_case(w, title="热力公司专属工单标题", co_units=[])  # 区住建局 is not a co-unit here

    heating = site.login(w.heating_handler)
    answer = heating.goto(f"/console/cases/{case.pk}/")
    assert answer.status == 200
    expect(heating.locator("h1")).to_contain_text("热力公司专属工单标题")

    housing = site.login(w.housing_handler)
    answer = housing.goto(f"/console/cases/{case.pk}/")
    assert answer.status == 404
    body = housing.locator("body").inner_text()
    assert "热力公司专属工单标题" not in body
    assert case.tracking_number not in body
    assert housing.locator("details.op").count() == 0
    refused = housing.locator("main").inner_text()
    # the same page as for a case that does not exist: nothing tells the two apart
    missing = housing.goto(f"/console/cases/{case.pk + 1000}/")
    assert missing.status == 404
    same = housing.locator("main").inner_text().replace(str(case.pk + 1000), str(case.pk))
    assert same == refused


def test_leader_lands_on_leader_home(site):
    assigned_case(site.world)
    leader = site.login(site.world.leader)
    expect(leader).to_have_url(re.compile(r"/console/leader/$"))
    expect(leader.locator("h1")).to_be_visible()
    expect(leader.locator('nav a[href="/console/supervision/"]')).to_be_visible()
    screenshot(leader, "leader-home")


# Bugs found by these tests once, kept as tests.


def test_queue_tabs_do_not_nest_a_second_queue(site):
    dispatcher = site.login(site.world.dispatcher)
    expect(dispatcher.locator("[id=queue]")).to_have_count(1)
    open_queue(dispatcher, "returned")
    assert dispatcher.locator("[id=queue]").count() == 1


def test_timeline_shows_the_due_moment_readably(site):
    case = assigned_case(site.world)
    dispatcher = site.login(site.world.dispatcher)
    dispatcher.goto(f"/console/cases/{case.pk}/")
    expect(dispatcher.locator('ol.timeline li[data-op="assign"]')).to_contain_text(
        "2026-12-02 18:00", timeout=1000
    )


def test_assign_proposal_names_the_deadline_unit(site):
    w = site.world
    case = case_create(
        actor=w.operator,
        channel="hotline",
        demand_type="complaint",
        title=TITLE,
        description=DESCRIPTION,
        requester_phone="13812341234",
        category="010101",
    )
    case_apply(case_id=case.pk, operation="accept", actor=w.dispatcher)
    dispatcher = site.login(w.dispatcher)
    dispatcher.goto(f"/console/cases/{case.pk}/")
    proposal = open_operation(dispatcher, "assign").locator(".help").first
    expect(proposal).to_contain_text("热力公司")
    assert "working_days" not in proposal.inner_text()


def test_a_pasted_demand_brings_its_similar_cases(site):
    # Text pasted with the mouse (or committed by an input method) raises no key event: the panels
    # listened to keyup and stayed empty while the operator read a whole demand.
    w = site.world
    assigned_case(w)
    operator = site.login(w.operator)
    form = operator.locator("#intake-form")
    form.locator("#id_title").fill(TITLE)  # fill() sets the value and fires `input`, no key events
    form.locator("#id_description").fill(DESCRIPTION)
    expect(operator.locator("#similar-cases")).to_contain_text(TITLE, timeout=8000)


def answered(page, path: str):
    return page.expect_response(lambda response: path in response.url)


def place_options(select) -> list[str]:
    return select.locator("option").evaluate_all("os => os.map(o => o.textContent)")


def test_the_operator_finds_a_place_by_its_pinyin_initials(site):
    w = site.world
    community, grids, garden = build_lakeside(w)
    operator = site.login(w.operator)
    form = operator.locator("#intake-form")
    select = form.locator("#id_area")
    expect(select.locator('optgroup[label="东城街道 · 湖畔社区"]')).to_be_attached()
    everything = place_options(select)
    assert everything.index("湖畔社区第二网格") < everything.index("湖畔社区第十网格")
    assert "西城社区 / 西城一网格" in everything
    form.locator("#id_requester_name").fill("张三")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_description").fill(DESCRIPTION)

    finder = form.get_by_role("searchbox", name=re.compile("查找地点|Find a place"))
    finder.fill("hp")
    shown = [name for name in place_options(select) if name != "—"]
    assert shown == [garden.name, community.name, *(g.name for g in grids)], shown
    expect(select).to_have_value(str(garden.pk))  # the first match is chosen
    expect(select).to_have_class(re.compile("place-list"))  # the matches are shown as a list
    screenshot(operator, "place-picker-hp")

    # By name, several words (all must be found), then on by keyboard: Enter goes to the select and
    # does not send the form, the arrow key picks the next match.
    finder.fill("湖畔 第十")
    assert [n for n in place_options(select) if n != "—"] == ["湖畔社区第十网格", "湖畔社区第十一网格"]
    finder.press("Enter")
    expect(select).to_be_focused()
    select.press("ArrowDown")
    expect(select).to_have_value(str(grids[10].pk))
    select.press("Enter")  # closes the list; sends nothing
    expect(select).not_to_have_class(re.compile("place-list"))
    finder.fill("zzz")
    expect(form.locator(".place-status")).to_contain_text("zzz")
    finder.fill("")  # emptied: every place is back, in its order, and the choice stays
    assert place_options(select) == everything
    expect(select).to_have_value("")  # "zzz" matched nothing, so nothing stayed chosen

    # 湖畔社区第十一网格 by its initials; the panels that follow the place (a changed choice is
    # announced) are answered before the form is sent (one writer at a time on the test's SQLite).
    with answered(operator, "/intake/suggest/"), answered(operator, "/intake/similar/"):
        finder.fill("hpsqdsy")
    form.get_by_role("button", name=re.compile(r"^(登记|Register)$")).click()
    operator.wait_for_url(re.compile(r"/console/intake/\?done=\d+"))
    operator.wait_for_load_state("networkidle")  # the page's panels have asked the server (SQLite)
    assert Case.objects.get().area == grids[10]
    assert Case.objects.count() == 1  # Enter in the finder earlier sent nothing


def test_without_javascript_the_place_picker_is_a_grouped_select(site):
    w = site.world
    community, grids, _garden = build_lakeside(w)
    context = site.browser.new_context(base_url=site.base_url, java_script_enabled=False, locale="zh-CN")
    site.contexts.append(context)
    page = context.new_page()
    page.goto("/console/login/")
    page.locator("#id_username").fill(w.operator.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/intake/$"))
    form = page.locator("#intake-form")
    expect(form.locator(".place-filter")).to_have_count(0)
    group = form.locator('#id_area optgroup[label="东城街道 · 湖畔社区"]')
    assert place_options(group)[:3] == [community.name, grids[0].name, grids[1].name]
    form.locator("#id_area").select_option(str(grids[9].pk))
    form.locator("#id_requester_name").fill("张三")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_description").fill(DESCRIPTION)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/intake/\?done=\d+"))
    assert Case.objects.get().area == grids[9]
