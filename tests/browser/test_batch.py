"""批量操作 in a real browser: the dispatcher ticks cases in 待交办, assigns them to one unit at once,
reads the result of each, and the queue no longer lists them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create
from minyi.cases.workflow import Status
from tests.browser.pages import horizontal_overflow, open_queue, queue_count, row, screenshot

pytestmark = pytest.mark.browser


def accepted_heating_case(world, n: int) -> Case:
    case = case_create(
        actor=world.operator,
        channel="hotline",
        demand_type="complaint",
        title=f"湖畔花园{n}号楼暖气不热",
        description=f"湖畔花园{n}号楼暖气只有十四度，请尽快处理。",
        requester_name="张三",
        requester_phone="13812341234",
        area=world.east_grid.pk,
        category="010101",
    )
    return case_apply(case_id=case.pk, operation="accept", actor=world.dispatcher)


def test_the_dispatcher_assigns_three_cases_of_the_queue_at_once(site):
    w = site.world
    cases = [accepted_heating_case(w, n) for n in range(1, 5)]
    chosen, left = cases[:3], cases[3]
    page = site.login(w.dispatcher)
    open_queue(page, "accepted")
    bar = page.locator("#batch-form")
    expect(bar.get_by_role("radio")).to_have_count(0)  # one action fits this queue: its button says it

    # "All on this page", then one taken out again: the counter follows, read out politely.
    bar.get_by_label("全选本页").check()
    expect(bar.locator("[data-batch-count]")).to_have_text("已选 4 件")
    page.get_by_label(f"选择工单 {left.tracking_number}").uncheck()
    expect(bar.locator("[data-batch-count]")).to_have_text("已选 3 件")
    expect(bar.get_by_label("全选本页")).not_to_be_checked()
    expect(bar.locator('[data-batch-fields="assign"]')).to_be_visible()

    bar.get_by_label("主办单位").select_option(label="热力公司")
    screenshot(page, "batch-assign-selected")
    bar.get_by_role("button", name="交办所选工单").click()

    page.wait_for_url(re.compile(r"/console/cases/batch/\d+/$"))
    expect(page.locator("#batch-summary")).to_contain_text("已完成 3 件，未执行 0 件")
    results = page.locator("#batch-results tbody tr")
    expect(results).to_have_count(3)
    for case in chosen:
        line = page.locator(f'#batch-results tr[data-ref="{case.pk}"]')
        expect(line).to_contain_text(case.tracking_number)
        expect(line).to_contain_text("已完成")
        expect(line).to_contain_text("热力公司")
    screenshot(page, "batch-assign-results")

    page.get_by_role("link", name="返回列表").click()
    expect(page.locator('#queue a[data-queue="accepted"]')).to_have_attribute("aria-selected", "true")
    for case in chosen:
        expect(row(page, case.tracking_number)).to_have_count(0)
    expect(row(page, left.tracking_number)).to_be_visible()
    assert queue_count(page, "accepted") == "1"
    assert {Case.objects.get(pk=c.pk).status for c in chosen} == {Status.ASSIGNED}
    assert Case.objects.get(pk=left.pk).status == Status.ACCEPTED


def test_a_batch_from_the_case_list_says_which_cases_were_refused_and_why(site):
    w = site.world
    waiting = accepted_heating_case(w, 7)
    new = case_create(
        actor=w.operator,
        channel="hotline",
        demand_type="inquiry",
        title="社保卡补办流程咨询",
        description="社保卡丢了，想问补办流程。",
        requester_name="李四",
        requester_phone="13812345678",
    )
    page = site.login(w.dispatcher)
    page.get_by_role("link", name="工单查询").click()
    bar = page.locator("#batch-form")
    bar.get_by_role("radio", name="受理").check()
    expect(bar.locator('[data-batch-fields="assign"]')).to_be_hidden()  # accepting needs no input
    bar.get_by_role("radio", name="交办").check()
    expect(bar.locator('[data-batch-fields="assign"]')).to_be_visible()
    bar.get_by_role("radio", name="受理").check()
    for case in (waiting, new):
        page.get_by_label(f"选择工单 {case.tracking_number}").check()
    screenshot(page, "batch-case-list")
    bar.get_by_role("button", name="对所选工单执行").click()

    page.wait_for_url(re.compile(r"/console/cases/batch/\d+/$"))
    expect(page.locator("#batch-summary")).to_contain_text("已完成 1 件，未执行 1 件")
    expect(page.locator(f'tr[data-ref="{new.pk}"]')).to_contain_text("已完成")
    refused = page.locator(f'tr[data-ref="{waiting.pk}"]')
    expect(refused).to_contain_text("未执行")
    expect(refused).to_contain_text("已经受理过（当前状态“已受理”），未重复受理")
    screenshot(page, "batch-accept-mixed-results")
    assert Case.objects.get(pk=new.pk).status == Status.ACCEPTED


def test_the_batch_bar_fits_a_phone(site):
    w = site.world
    case = accepted_heating_case(w, 9)
    page = site.login(w.dispatcher, width=375, height=800)
    page.goto("/console/dispatch/?queue=accepted")
    page.get_by_label(f"选择工单 {case.tracking_number}").check()
    expect(page.locator("#batch-form [data-batch-count]")).to_have_text("已选 1 件")
    screenshot(page, "batch-phone")
    assert horizontal_overflow(page, 375) == []
