"""Issue 17 in a real browser: a supervisor asks the district head for an instruction (请示批示), the
head finds the case under 待我批示 on the leader home and gives it; the supervision board shows how
many working days each case is overdue, most overdue first, and the heading turns the order round;
the dispatcher's extension tab shows what the unit asks and why."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from minyi.cases.services import case_apply
from tests.browser.pages import do_operation, open_queue, row, screenshot
from tests.browser.test_console import assigned_case

pytestmark = pytest.mark.browser


def test_a_leader_finds_the_case_awaiting_the_instruction_and_gives_it(site):
    w = site.world
    case = assigned_case(w)
    supervisor = site.login(w.supervisor)
    supervisor.goto(f"/console/cases/{case.pk}/")
    do_operation(
        supervisor,
        "request_instruction",
        note="热力公司多次催办仍未签收，请示是否约谈。",
        fill=lambda form: form.locator("select[name=leader]").select_option(label="孙区长"),
    )
    expect(supervisor.locator('li[data-op="request_instruction"]')).to_contain_text("孙区长")

    leader = site.login(w.leader)
    awaiting = leader.locator("#awaiting-instruction")
    expect(awaiting.locator("h2")).to_contain_text("待我批示")
    listed = awaiting.locator(f'tr[data-case="{case.tracking_number}"]')
    expect(listed).to_contain_text("热力公司多次催办仍未签收，请示是否约谈。")
    expect(listed).to_contain_text("赵督办")
    screenshot(leader, "leader-home-awaiting-instruction")
    listed.get_by_role("link", name=case.tracking_number).click()
    expect(leader.locator("details#op-instruct")).to_have_attribute("open", "")  # the form asked for, open
    do_operation(leader, "instruct", note="请住建局牵头约谈热力公司，三日内办结。")
    leader.goto("/console/leader/")
    expect(awaiting.locator("tbody tr")).to_have_count(0)
    expect(awaiting).to_contain_text("暂无待您批示的工单")


def test_the_supervision_board_counts_working_days_overdue_and_sorts_by_them(site, clock):
    w = site.world
    cases = []
    for day in ("2026-11-02", "2026-11-19", "2026-11-23"):  # each due the next working day at 18:00
        clock.set(f"{day} 10:00")
        case = assigned_case(w)
        case_apply(
            case_id=case.pk, operation="reassign", actor=w.dispatcher, lead_unit=w.housing.pk, handle_days=1
        )
        cases.append(case_apply(case_id=case.pk, operation="sign_for", actor=w.housing_handler))
    clock.set("2026-11-25 10:00")  # Wednesday

    supervisor = site.login(w.supervisor)
    heading = supervisor.locator('#queue th[data-column="overdue"]')
    expect(heading).to_contain_text("超期天数")
    assert "工作日" in heading.get_attribute("title")
    expect(heading).to_have_attribute("aria-sort", "descending")
    numbers = supervisor.locator('#queue tbody tr td[data-cell="days-overdue"]')
    expect(numbers).to_have_text(["16", "3", "1"])  # most overdue first
    screenshot(supervisor, "supervision-board-days-overdue")
    heading.get_by_role("link").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    expect(numbers).to_have_text(["1", "3", "16"])
    expect(row(supervisor, cases[0].tracking_number).locator(".light.red").first).to_be_visible()


def test_the_extension_tab_shows_what_the_unit_asks_and_why(site):
    w = site.world
    case = assigned_case(w)
    case_apply(case_id=case.pk, operation="sign_for", actor=w.heating_handler)
    case_apply(
        case_id=case.pk,
        operation="request_extension",
        actor=w.heating_handler,
        days=3,
        note="主管道需整段更换，材料三天后到货。",
    )
    dispatcher = site.login(w.dispatcher)
    open_queue(dispatcher, "extension")
    extension = row(dispatcher, case.tracking_number)
    expect(extension.locator('[data-cell="days-asked"]')).to_have_text("3 个工作日")
    expect(extension.locator('[data-cell="new-deadline"]')).to_have_text("2026-12-07 18:00")
    expect(extension.locator('[data-cell="reason"]')).to_have_text("主管道需整段更换，材料三天后到货。")
    screenshot(dispatcher, "dispatch-extension-requests")
