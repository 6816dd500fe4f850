"""The dashboard (数据看板) in a real browser: ECharts draws every chart, a click on a month's bar opens
the cases of that month, and the wall screen (大屏) draws the same charts on its dark page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import screenshot
from tests.browser.test_console import assigned_case

pytestmark = pytest.mark.browser

BAR_OF_FIRST_MONTH_WITH_CASES = """() => {
  const el = document.querySelector('[data-chart="trend-chart"]');
  const chart = window.echarts.getInstanceByDom(el);
  const bars = chart.getOption().series[0].data;
  const i = bars.findIndex((d) => d.value > 0);
  const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [i, bars[i].value / 2]);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def test_charts_are_drawn_and_a_bar_opens_its_cases(site, clock):
    clock.set("2026-11-20 10:00")
    case = assigned_case(site.world)
    leader = site.login(site.world.leader)
    leader.goto("/console/dashboard/")
    for name in ("trend-chart", "category-chart", "unit-chart"):
        expect(leader.locator(f'[data-chart="{name}"] canvas').first).to_be_attached()
    screenshot(leader, "dashboard")
    x, y = leader.evaluate(BAR_OF_FIRST_MONTH_WITH_CASES)
    leader.mouse.click(x, y)
    leader.wait_for_url(re.compile(r"/console/cases/\?.*received_from=2026-11-01"))
    expect(leader.locator(f'tr[data-case="{case.tracking_number}"]')).to_be_visible()


def test_the_wall_screen_draws_on_its_dark_page(site, clock):
    clock.set("2026-11-20 10:00")
    assigned_case(site.world)
    leader = site.login(site.world.leader, width=1920, height=1080)
    leader.goto("/console/dashboard/?screen=1")
    expect(leader.locator("body.wall")).to_be_visible()
    expect(leader.locator('[data-chart="trend-chart"] canvas').first).to_be_attached()
    assert leader.locator("nav").count() == 0
    screenshot(leader, "wall-screen")
