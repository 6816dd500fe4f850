"""The livelihood-projects ledger in a real browser: the heating company files its monthly report
(月调度) from the dispatch list, the project page shows it, and the leader sees it on the wall chart
and in the monthly summary."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from minyi.projects.models import ProgressReport
from tests.browser.pages import horizontal_overflow, screenshot
from tests.projects.conftest import build_ledger

pytestmark = pytest.mark.browser


def test_a_unit_files_its_monthly_report_and_the_leader_sees_it(site):
    ledger = build_ledger(site.world)
    unit = site.login(site.world.heating_handler)
    unit.goto("/console/projects/dispatch/")
    row = unit.locator('#dispatch tr[data-item="1-1"]')
    expect(row).to_have_attribute("data-state", "due")
    row.get_by_role("link").last.click()
    form = unit.locator("#report-form")
    form.locator("#id_percent").fill("100")
    form.locator("#id_done").fill("一次管网更换全部完成，通过验收")
    form.locator("button[type=submit]").click()
    # at 100 % the form asks how the sub-item was completed, and nothing is stored yet
    expect(unit.locator("#report-form .field-error")).to_be_visible()
    assert not ProgressReport.objects.exists()
    form.locator("#id_completion").select_option("substantive")
    form.locator("#id_done").fill("一次管网更换全部完成，通过验收")
    form.locator("button[type=submit]").click()
    unit.wait_for_url("**/console/projects/dispatch/?month=2026-11")
    expect(unit.locator('#dispatch tr[data-item="1-1"]')).to_have_attribute("data-state", "filed")
    report = ProgressReport.objects.get(item=ledger.mains)
    assert (report.percent, report.completion, report.on_time) == (100, "substantive", True)

    leader = site.login(site.world.leader)
    leader.goto("/console/projects/")
    leader.locator('#ledger tr[data-project="1"] a').click()
    expect(leader.locator("#reports")).to_contain_text("一次管网更换全部完成")
    leader.goto("/console/projects/wall/")
    expect(leader.locator("#wall")).to_contain_text("一次管网更换")
    screenshot(leader, "projects-wall")
    leader.goto("/console/projects/summary/")
    expect(leader.get_by_test_id("done")).to_have_text("1/2")
    screenshot(leader, "projects-summary")


def test_the_report_form_fits_a_phone(site):
    build_ledger(site.world)
    item = site.world.heating_handler
    phone = site.login(item, width=390, height=844)
    phone.goto("/console/projects/dispatch/")
    phone.locator('#dispatch tr[data-item="1-1"]').get_by_role("link").last.click()
    expect(phone.locator("#report-form")).to_be_visible()
    assert horizontal_overflow(phone, 390) == []
