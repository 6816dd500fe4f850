"""数据看板 and its wall mode: the configured measures with 环比/同比, charts whose figures link to the
cases behind them, units ranked by score, streets' heat; only for the centre and leaders."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from minyi.cases.services import case_apply, case_create
from minyi.stats import rollups
from minyi.stats.models import MonthlyMeasures


@pytest.fixture
def handled(world, clock):
    clock.set("2026-11-10 09:00")
    case = case_create(
        actor=world.operator,
        channel="hotline",
        demand_type="complaint",
        title="暖气不热",
        description="东城一网格暖气不热",
        requester_name="张三",
        category="010101",
        area=world.east_grid,
    )
    d = world.dispatcher
    case_apply(case_id=case.pk, operation="accept", actor=d)
    case_apply(case_id=case.pk, operation="assign", actor=d)
    clock.advance(hours=1)
    case_apply(case_id=case.pk, operation="sign_for", actor=world.heating_handler)
    clock.advance(hours=3)
    case_apply(case_id=case.pk, operation="reply", actor=world.heating_handler, note="已维修，室温恢复。")
    clock.advance(hours=2)
    case_apply(
        case_id=case.pk,
        operation="callback",
        actor=world.callback_agent,
        satisfaction="satisfied",
        resolved=True,
    )
    clock.set("2026-11-20 10:00")
    return case


def chart(html: str, name: str) -> dict:
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


@pytest.mark.parametrize("persona", ["heating_handler", "street_head", "grid_worker"])
def test_units_do_not_see_the_dashboard(client, world, handled, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("console:dashboard")).status_code == 403


def test_the_dashboard_shows_the_configured_measures_and_the_score(client, world, handled, settings):
    client.force_login(world.leader)
    html = client.get(reverse("console:dashboard")).content.decode()
    for measure in (
        "received",
        "closed",
        "score",
        "on_time_rate",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
    ):
        assert f'data-measure="{measure}"' in html, measure
    assert "100.0%" in html  # signed in time, resolved, satisfied: every rate of the month is full
    units = html.split('id="unit-ranking"')[1].split("</table>")[0]
    # one order: too few to be ranked (measures.toml: score.min_cases), and not in the chart
    assert world.heating.name in units and "样本不足" in units and 'data-rank=""' in units
    assert "样本 1 件，少于 10 件，不参与排名" in units
    assert chart(html, "unit-chart")["series"][0]["data"] == []
    settings.MINYI_RANKING_MIN_CASES = 1
    units = client.get(reverse("console:dashboard")).content.decode().split('id="unit-ranking"')[1]
    assert f'data-unit="{world.heating.pk}" data-rank="1" data-score="100.0"' in units


def test_every_chart_figure_links_to_its_cases(client, world, handled, settings):
    settings.MINYI_RANKING_MIN_CASES = 1
    client.force_login(world.dispatcher)
    html = client.get(reverse("console:dashboard")).content.decode()
    november = next(d for d in chart(html, "trend-chart")["series"][0]["data"] if d["value"])
    assert "received_from=2026-11-01" in november["url"] and "received_to=2026-11-30" in november["url"]
    listed = client.get(november["url"]).content.decode()
    assert handled.tracking_number in listed
    pie = chart(html, "category-chart")["series"][0]["data"]
    assert pie[0]["name"] == "城乡建设" and "category=01" in pie[0]["url"]
    bars = chart(html, "unit-chart")["series"][0]["data"]
    assert bars[-1]["value"] == 100.0 and f"unit={world.heating.pk}" in bars[-1]["url"]


def test_the_wall_screen_is_full_screen_and_refreshes_itself(client, world, handled, settings):
    settings.MINYI_WALL_REFRESH_SECONDS = 90
    client.force_login(world.leader)
    html = client.get(reverse("console:dashboard"), {"screen": "1", "period": "month"}).content.decode()
    # app.js refetches the page every 90 s and swaps its live parts; without JavaScript it reloads
    assert 'class="wall" data-refresh="90"' in html and "每 90 秒自动刷新" in html
    assert '<noscript><meta http-equiv="refresh" content="90"></noscript>' in html
    assert 'aria-label="Main"' not in html and "主导航" not in html and 'data-chart="trend-chart"' in html
    for part in ("kpis", "trend-data", "units", "streets", "category-data", "hot", "alerts", "updated"):
        assert f'data-live="{part}"' in html, part
    assert "综合评分 = 响应率 × 10% + 按时办结率 × 30% + 解决率 × 30% + 满意率 × 30%" in html


def test_the_score_line_shows_the_weights_as_shares_of_the_score(client, world, handled, settings, tmp_path):
    client.force_login(world.leader)
    for page in ("console:dashboard", "console:leader"):
        html = client.get(reverse(page)).content.decode()
        formula = html.split('data-testid="score-formula"')[1].split("</p>")[0]
        assert formula.endswith(
            ">综合评分 = 响应率 × 10% + 按时办结率 × 30% + 解决率 × 30% + 满意率 × 30%"
        ), page
    measures_file = tmp_path / "m.toml"
    measures_file.write_text(
        "[rates.satisfaction_rate]\nlabel = '满意率'\nnumerator = 'content'\ndenominator = 'called_back'\n"
        "[rates.rework_rate]\nlabel = '重办率'\nnumerator = 'reworked'\ndenominator = 'closed'\n"
        "lower_is_better = true\n"
        "[score]\nlabel = '考评得分'\nweights = { satisfaction_rate = 2, rework_rate = 1 }\n",
        encoding="utf-8",
    )
    settings.MINYI_MEASURES_FILE = str(measures_file)
    html = client.get(reverse("console:dashboard")).content.decode()
    assert "考评得分 = 满意率 × 66.7% + (1 − 重办率) × 33.3%" in html


def test_english_pages_name_the_measures_in_english(client, world, handled, settings):
    settings.MINYI_RANKING_MIN_CASES = 1
    client.force_login(world.leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = (
        "Overall score",
        "On-time completion rate",
        "Response rate",
        "Resolution rate",
        "Satisfaction rate",
        "Rework rate",
    )
    for page, query in [
        ("console:dashboard", {}),
        ("console:dashboard", {"screen": "1"}),
        ("console:leader", {}),
    ]:
        html = client.get(reverse(page), query).content.decode()
        cards = html.split('data-measure="received"')[1].split('data-testid="score-formula"')[0]
        for name in english:
            assert f'<span class="label">{name}</span>' in cards, (page, query, name)
        assert not re.search("综合评分|按时办结率|响应率|解决率|满意率|重办率", html), (page, query)
        assert "Overall score = Response rate × 10% + On-time completion rate × 30%" in html
    units = client.get(reverse("console:dashboard")).content.decode().split('id="unit-ranking"')[1]
    assert '<th scope="col" class="right">Overall score</th>' in units


def test_breakdowns_by_channel_and_type_link_to_their_cases(client, world, handled):
    client.force_login(world.dispatcher)
    html = client.get(reverse("console:dashboard")).content.decode()
    channels = html.split('id="by-channel"')[1].split("</table>")[0]
    assert "channel=hotline" in channels and "热线电话" in channels
    assert "demand_type=complaint" in html.split('id="by-type"')[1].split("</table>")[0]


def test_a_closed_month_comes_from_its_stored_figures_for_the_centre(client, world, handled, clock):
    clock.set("2026-12-02 09:00")
    assert rollups.refresh() == [dt.date(2026, 11, 1)]
    row = MonthlyMeasures.objects.get(month=dt.date(2026, 11, 1))
    row.data["total"]["received"] = 987  # marks which way the figure came
    row.save()
    client.force_login(world.leader)
    html = client.get(reverse("console:dashboard"), {"period": "last_month"}).content.decode()
    received = html.split('data-measure="received"')[1].split("</span>")[0]
    assert received.endswith(">987")
    this_month = client.get(reverse("console:dashboard")).content.decode()  # December: counted live
    received = this_month.split('data-measure="received"')[1].split("</a>")[0]
    assert 'data-change="mom" title="上期：987">−100.0%<' in received
