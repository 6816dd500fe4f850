"""The dashboard (数据看板) in a real browser: ECharts draws every chart, a click on a month's bar opens
the cases of that month, and the wall screen (大屏) fits one 16:9 screen, at 1920×1080 and at
3840×2160, with nothing cut, light on dark, and refreshes its figures in place."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from minyi.analysis.models import HotIssue, SurgeAlert
from minyi.cases.services import case_apply, case_create
from minyi.catalog.models import Category
from minyi.core import clock as minyi_clock
from minyi.org.models import Area, Unit
from tests.browser.pages import charts_drawn, contrasts, cut_off, horizontal_overflow, screenshot
from tests.browser.test_console import assigned_case

pytestmark = pytest.mark.browser

WALL_SIZES = [(1920, 1080), (3840, 2160)]

BAR_OF_FIRST_MONTH_WITH_CASES = """() => {
  const el = document.querySelector('[data-chart="trend-chart"]');
  const chart = window.echarts.getInstanceByDom(el);
  const bars = chart.getOption().series[0].data;
  const i = bars.findIndex((d) => d.value > 0);
  const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [i, bars[i].value / 2]);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""

# The pie's labels as drawn (SVG text): each must lie inside the chart, whole.
PIE_LABELS = """() => {
  const el = document.querySelector('[data-chart="category-chart"]');
  const box = el.getBoundingClientRect();
  return [...el.querySelectorAll('svg text')].map((t) => {
    const r = t.getBoundingClientRect();
    return { text: t.textContent, inside: r.left >= box.left - 1 && r.right <= box.right + 1
             && r.top >= box.top - 1 && r.bottom <= box.bottom + 1 };
  });
}"""


def busy_district(world) -> None:
    """A month with more of everything than a wall screen's panel holds, with long names: 14 more
    streets, lead units and categories, a case each, 12 hot issues and 6 rising topics; and a case
    handled in time to the requester's content (every rate at its widest, 100.0%)."""
    case = assigned_case(world, title="幸福小区9号楼暖气不热")
    case_apply(case_id=case.pk, operation="sign_for", actor=world.heating_handler)
    case_apply(case_id=case.pk, operation="reply", actor=world.heating_handler, note="已维修，室温恢复。")
    case_apply(
        case_id=case.pk,
        operation="callback",
        actor=world.callback_agent,
        satisfaction="satisfied",
        resolved=True,
    )
    for i in range(14):
        street = Area.objects.create(
            code=f"1101990{i + 10:02d}",
            name=f"第{i + 1}经济技术开发区管委会街道",
            level=Area.Level.STREET,
            parent=world.district,
        )
        unit = Unit.objects.create(
            code=f"u{i}", name=f"区城市管理综合行政执法第{i + 1}大队", kind="department"
        )
        category = Category.objects.create(code=f"{i + 3:02d}", name=f"城市管理与市容环境卫生综合治理{i + 1}")
        case = case_create(
            actor=world.operator,
            channel="hotline",
            demand_type="complaint",
            title=f"开发区第{i + 1}路段夜间施工噪音扰民",
            description="夜间施工噪音扰民，影响休息，请尽快处理。",
            requester_name="李四",
            category=category.code,
            area=street.pk,
        )
        case_apply(case_id=case.pk, operation="accept", actor=world.dispatcher)
        case_apply(case_id=case.pk, operation="assign", actor=world.dispatcher, lead_unit=unit.pk)
    today = minyi_clock.today()
    for rank in range(1, 13):
        HotIssue.objects.create(
            computed_on=today,
            since=today - dt.timedelta(days=30),
            until=today,
            rank=rank,
            title=f"幸福家园第{rank}期小区冬季供暖温度长期不达标、多次报修无人处理",
            count=20 - rank,
            people=15 - rank,
            heat=30.5 - rank,
            start=minyi_clock.now() - dt.timedelta(days=9),
            end=minyi_clock.now(),
        )
    for n in range(6):
        SurgeAlert.objects.create(
            key=f"k{n}",
            term=f"噪音{n}",
            window_days=7,
            start=today - dt.timedelta(days=7),
            end=today,
            observed=13 + n,
            expected=0.4,
            p_value=0.001,
            explanation=f"第{n + 1}经济技术开发区「夜间施工噪音」：近7天{13 + n}件，预期0.4件（{33 + n}倍）",
            created_at=minyi_clock.now(),
        )


def test_charts_are_drawn_and_a_bar_opens_its_cases(site, clock):
    clock.set("2026-11-20 10:00")
    case = assigned_case(site.world)
    leader = site.login(site.world.leader)
    leader.goto("/console/dashboard/")
    for name in ("trend-chart", "category-chart", "unit-chart"):
        expect(leader.locator(f'[data-chart="{name}"] svg').first).to_be_attached()
    screenshot(leader, "dashboard")
    x, y = leader.evaluate(BAR_OF_FIRST_MONTH_WITH_CASES)
    leader.mouse.click(x, y)
    leader.wait_for_url(re.compile(r"/console/cases/\?.*received_from=2026-11-01"))
    expect(leader.locator(f'tr[data-case="{case.tracking_number}"]')).to_be_visible()


@pytest.mark.parametrize("width", [1280, 1024])
def test_the_pie_labels_stay_whole_inside_the_chart(site, clock, width):
    clock.set("2026-11-20 10:00")
    assigned_case(site.world)
    busy_district(site.world)
    leader = site.login(site.world.leader, width=width)
    leader.goto("/console/dashboard/")
    charts_drawn(leader)
    labels = leader.evaluate(PIE_LABELS)
    assert labels and all(label["inside"] for label in labels), labels
    assert not [label for label in labels if re.search(r"(\.\.\.|…)$", label["text"])], labels


def test_the_monthly_report_form_sits_beside_the_title(site, clock):
    leader = site.login(site.world.leader)
    leader.goto("/console/dashboard/")
    month = leader.locator("#report-month")
    title = leader.locator("h1")
    # a real field (not the browser's bare default) on the title's line, its buttons beside it
    assert month.bounding_box()["height"] >= 36 and month.bounding_box()["width"] >= 140
    for button in leader.locator("#monthly-report button").all():
        box, field = button.bounding_box(), month.bounding_box()
        assert abs((box["y"] + box["height"] / 2) - (field["y"] + field["height"] / 2)) < 4
        assert box["x"] > field["x"]
    assert abs(title.bounding_box()["y"] - month.bounding_box()["y"]) < 20


@pytest.mark.parametrize(("width", "height"), WALL_SIZES)
def test_the_wall_screen_fits_one_screen_with_nothing_cut(site, clock, width, height):
    clock.set("2026-11-20 10:00")
    assigned_case(site.world)
    busy_district(site.world)
    leader = site.login(site.world.leader, width=width, height=height)
    leader.goto("/console/dashboard/?screen=1")
    expect(leader.locator("body.wall")).to_be_visible()
    assert leader.locator("nav").count() == 0
    charts_drawn(leader)
    screenshot(leader, f"wall-screen-{width}x{height}")
    assert cut_off(leader) == []
    # more hot issues, units and streets than fit: the panels show the first ones whole and say so
    expect(leader.locator("#wall-hot [data-fit-note]")).to_contain_text("前")
    assert 3 <= leader.locator("[data-hot]:visible").count() < 12
    # light on dark, at least 4.5:1 for every text, charts' included
    low = [(what, ratio) for what, ratio in contrasts(leader) if ratio < 4.5]
    assert low == []
    assert leader.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 26, 46)"
    # read from across the room: the key figures are over 4 % of the screen's height, other text 1.5 %
    value = leader.evaluate("parseFloat(getComputedStyle(document.querySelector('.stat .value')).fontSize)")
    text = leader.evaluate("parseFloat(getComputedStyle(document.querySelector('.wall-list')).fontSize)")
    assert value >= 0.04 * height and text >= 0.015 * height


def test_the_wall_screen_follows_the_window(site, clock):
    clock.set("2026-11-20 10:00")
    assigned_case(site.world)
    busy_district(site.world)
    leader = site.login(site.world.leader, width=1920, height=1080)
    leader.goto("/console/dashboard/?screen=1")
    expect(leader.locator('[data-chart="trend-chart"] svg').first).to_be_attached()
    leader.set_viewport_size({"width": 1366, "height": 768})
    leader.wait_for_timeout(400)  # the charts and lists follow a resize after 100 ms
    assert cut_off(leader) == []
    svg = leader.locator('[data-chart="trend-chart"] svg').first.bounding_box()
    chart = leader.locator('[data-chart="trend-chart"]').bounding_box()
    assert abs(svg["width"] - chart["width"]) < 2 and abs(svg["height"] - chart["height"]) < 2


def test_the_wall_screen_refreshes_its_figures_in_place(site, clock, settings):
    settings.MINYI_WALL_REFRESH_SECONDS = 30
    clock.set("2026-11-20 10:00")
    assigned_case(site.world)
    leader = site.login(site.world.leader, width=1920, height=1080)
    leader.clock.install()
    leader.goto("/console/dashboard/?screen=1")
    received = leader.locator('[data-measure="received"] .value')
    expect(received).to_have_text("1")
    expect(leader.locator(".wall-every")).to_contain_text("30")
    leader.evaluate("window.notReloaded = true")
    assigned_case(site.world, title="幸福小区5号楼暖气不热")
    leader.clock.run_for(31_000)
    expect(received).to_have_text("2")
    expect(leader.locator('[data-chart="trend-chart"] svg').first).to_be_attached()
    assert leader.evaluate("window.notReloaded") is True
    assert (
        leader.evaluate(
            "window.echarts.getInstanceByDom(document.querySelector('[data-chart=\"trend-chart\"]'))"
            ".getOption().series[0].data.at(-1).value"
        )
        == 2
    )
    # the session ended: the figures stay and the page says they are no longer refreshed
    leader.context.clear_cookies()
    assigned_case(site.world, title="幸福小区7号楼暖气不热")
    leader.clock.run_for(31_000)
    expect(leader.locator("[data-stale]")).to_be_visible()
    expect(received).to_have_text("2")


def test_english_pages_name_the_measures_in_english(site, clock):
    clock.set("2026-11-20 10:00")
    assigned_case(site.world)
    leader = site.login(site.world.leader, language="en")
    leader.goto("/console/dashboard/")
    measures = leader.locator("#measures")
    for name in (
        "Overall score",
        "On-time completion rate",
        "Response rate",
        "Resolution rate",
        "Satisfaction rate",
    ):
        expect(measures).to_contain_text(name)
    expect(leader.get_by_test_id("score-formula")).to_have_text(
        "Overall score = Response rate × 10% + On-time completion rate × 30% + Resolution rate × 30%"
        " + Satisfaction rate × 30%"
    )
    assert not re.search(r"[综合评分按时办结率响应解决满意重]{3}", measures.inner_text())
    leader.goto("/console/dashboard/?screen=1")
    expect(leader.locator(".wall-kpis")).to_contain_text("On-time completion rate")
    expect(leader.locator("#wall-units-table thead")).to_contain_text("Overall score")


@pytest.mark.parametrize("width", [1280, 1024])
def test_the_case_page_deadlines_fit_their_card_in_english(site, clock, width):
    case = assigned_case(site.world)
    case_apply(case_id=case.pk, operation="sign_for", actor=site.world.heating_handler)
    handler = site.login(site.world.heating_handler, width=width, language="en")
    handler.goto(f"/console/cases/{case.pk}/")
    card = handler.locator("section.card", has=handler.get_by_role("heading", name="Deadlines"))
    expect(card).to_contain_text("Returns / reminders / reworks")
    screenshot(handler, f"case-page-en-{width}")
    assert horizontal_overflow(handler, width) == []
    box = card.bounding_box()
    for part in card.locator("dt, dd, .light").all():
        inner = part.bounding_box()
        assert inner["x"] >= box["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"] + 1, part
