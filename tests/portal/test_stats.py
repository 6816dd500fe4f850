"""The public statistics page: this month's headline measures and top categories, whole district."""

from __future__ import annotations

import json
import re

from django.urls import reverse

from tests.cases.helpers import do, new_case


def reply(world, clock, *, category="0101", late=False, satisfaction=None):
    case = new_case(world.operator, category=category)
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    lead = {"0101": world.heating_handler, "0102": world.housing_handler}[category]
    do(case, "sign_for", lead)
    if late:
        clock.advance(days=10)
    do(case, "reply", lead, note="已处理。")
    if late:
        clock.advance(days=-10)
    if satisfaction:
        do(case, "callback", world.callback_agent, satisfaction=satisfaction)
    return case


def figure(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', page).group(1)


def test_the_headline_measures_of_this_month(client, world, clock):
    clock.set("2026-10-20 10:00")
    new_case(world.operator, category="0101")  # last month: not counted
    clock.set("2026-11-03 10:00")
    reply(world, clock, satisfaction="satisfied")
    reply(world, clock, satisfaction="dissatisfied")
    reply(world, clock, category="0102", satisfaction="basically_satisfied")
    reply(world, clock, category="0102", late=True)
    new_case(world.operator)  # received, not yet handled
    clock.set("2026-11-25 09:00")

    response = client.get(reverse("portal:stats"))

    page = response.content.decode()
    assert figure(page, "received") == "5"
    assert figure(page, "closed") == "4"
    assert figure(page, "on-time") == "75.0%"  # 3 of 4 replies before the deadline
    assert figure(page, "satisfaction") == "66.7%"  # 2 of 3 reached at callback
    assert response.context["top"] == [("城乡建设", 4)]  # 供热 and 道路维修 roll up to their top category


def test_the_top_categories_are_ranked_and_drawn(client, world, clock):
    clock.set("2026-11-02 10:00")
    for _ in range(2):
        new_case(world.operator, category="0201")
    new_case(world.operator, category="0101")
    clock.set("2026-11-25 09:00")

    page = client.get(reverse("portal:stats")).content.decode()

    chart = json.loads(
        re.search(r'<script id="top-chart" type="application/json">(.*?)</script>', page).group(1)
    )
    assert chart["yAxis"]["data"] == ["劳动和社会保障", "城乡建设"]
    assert chart["series"][0]["data"] == [2, 1]
    assert '<div class="chart" data-chart="top-chart"' in page
    assert "vendor/echarts/echarts.min.js" in page


def test_an_empty_month_shows_dashes_and_no_chart(client, world, clock):
    page = client.get(reverse("portal:stats")).content.decode()

    assert figure(page, "received") == "0"
    assert figure(page, "on-time") == "—" and figure(page, "satisfaction") == "—"
    assert "No classified demand yet this month." in page
    assert "echarts.min.js" not in page
