"""The livelihood-projects ledger in a real browser: the heating company files its monthly report
(月调度) from the dispatch list, the project page shows it, and the leader sees it on the wall chart
and in the monthly summary; the wall chart's wall screen (大屏) fits one screen, light on dark, and
shows a long ledger a page at a time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from minyi.projects.models import ProgressReport, Project
from minyi.projects.services import refresh_project
from tests.browser.pages import contrasts, cut_off, horizontal_overflow, screenshot
from tests.projects.conftest import build_ledger, sub_item

WALL_SIZES = [(1920, 1080), (3840, 2160)]

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


def long_ledger(world, projects: int = 14):
    """The test ledger and `projects` more, of three sub-items each, with long names: more rows than
    one screen holds."""
    ledger = build_ledger(world)
    for n in range(3, 3 + projects):
        project = Project.objects.create(
            batch=ledger.batch,
            number=str(n),
            name=f"城区背街小巷环境综合整治及雨污分流改造第{n}期工程",
            leader=world.leader,
            lead_unit=world.housing,
            deadline=dt.date(2026, 12, 31),
        )
        for i in range(1, 4):
            sub_item(project, str(i), f"第{i}标段道路破损修复、管网清淤与绿化补植", world.housing)
        refresh_project(project)
    return ledger


@pytest.mark.parametrize(("width", "height"), WALL_SIZES)
def test_the_wall_chart_screen_is_readable_and_fits_one_screen(site, settings, width, height):
    settings.MINYI_WALL_REFRESH_SECONDS = 30  # refreshed between pages: each page still comes round
    long_ledger(site.world)
    leader = site.login(site.world.leader, width=width, height=height)
    leader.clock.install()
    leader.goto("/console/projects/wall/?screen=1")
    names = leader.locator("#wall tbody th")
    expect(names.first).to_contain_text("老旧小区供热管网改造")
    screenshot(leader, f"projects-wall-screen-{width}x{height}")
    assert cut_off(leader) == []
    # the names on the wall: light on the dark screen, 4.5:1 or more, as is every other text
    assert [ratio for _what, ratio in contrasts(leader, "#wall tbody th") if ratio < 4.5] == []
    assert [(what, ratio) for what, ratio in contrasts(leader) if ratio < 4.5] == []
    assert (
        leader.evaluate("parseFloat(getComputedStyle(document.querySelector('#wall')).fontSize)")
        >= 0.017 * height
    )
    # 15 projects of the leader, 59 rows: a page of whole projects at a time, each for 20 seconds
    rows = leader.locator("#wall tbody tr")
    assert rows.count() == 59
    note = leader.locator("[data-page-note]")
    expect(note).to_have_text(re.compile(r"^第 1 / \d 页$"))
    pages = int(note.inner_text().split("/")[1].split()[0])
    assert pages >= 2
    seen = []
    for page in range(1, pages + 1):
        expect(note).to_have_text(f"第 {page} / {pages} 页")
        shown = leader.locator("#wall tbody tr:visible")
        assert "project" in shown.first.get_attribute("class")  # a page starts with a project …
        assert "sub" in shown.last.get_attribute("class")  # … and ends with its last sub-item
        seen += [t.strip() for t in shown.locator("th").all_inner_texts()]
        assert cut_off(leader) == []
        leader.clock.run_for(21_000)
    assert len(seen) == 59 == len(set(seen)) and seen[0].startswith("1. 老旧小区供热管网改造")
    expect(note).to_have_text(f"第 1 / {pages} 页")  # and round again
