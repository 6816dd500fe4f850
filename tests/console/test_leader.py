"""The leader home: only for leaders, the numbers of stats/measures.py for the chosen period, links
to the matching case lists, a chart fed by JSON (no inline script), a fixed number of queries."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minyi.cases.models import Case
from minyi.org.roles import Role
from minyi.stats import measures, periods
from tests.cases.helpers import do, new_case
from tests.conftest import at
from tests.world import person

URL = "/console/leader/"


def assigned(world, clock, moment: str, category: str, *, to=None, **fields) -> Case:
    """A case received at `moment` and assigned by the routing catalogue (or `to` a unit)."""
    clock.set(moment)
    case = new_case(world.operator, category=category, **fields)
    do(case, "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher, **({"lead_unit": to} if to else {}))


@pytest.fixture
def district(world, clock):
    """October and November 2026: replies on time and late, callbacks, one case overdue now."""
    october = assigned(world, clock, "2026-10-20 10:00", "0102", area=world.west_grid)  # 区住建局
    do(october, "sign_for", world.housing_handler)
    clock.set("2026-11-03 10:00")  # after its 5 working days: a late reply in November
    do(october, "reply", world.housing_handler, note="已修复路面。")
    do(october, "callback", world.callback_agent, satisfaction="dissatisfied")

    on_time = assigned(world, clock, "2026-11-04 10:00", "010101", area=world.east_grid)  # 热力公司
    do(on_time, "sign_for", world.heating_handler)
    clock.set("2026-11-05 10:00")
    do(on_time, "reply", world.heating_handler, note="已排气，温度达标。")
    do(on_time, "callback", world.callback_agent, satisfaction="satisfied")

    overdue = assigned(world, clock, "2026-11-09 10:00", "0201")  # 区医保局, never signed for
    clock.set("2026-11-25 09:00")
    return {"october": october, "on_time": on_time, "overdue": overdue}


def page(client, user, query: str = ""):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(URL + query)


def stat(html: str, name: str) -> str:
    return re.search(rf'data-measure="{name}"[^>]*><span class="value">([^<]*)</span>', html).group(1)


@pytest.mark.parametrize("persona", ["dispatcher", "heating_handler", "supervisor", "operator"])
def test_only_leaders(client, world, persona):
    assert page(client, getattr(world, persona)).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_the_numbers_of_this_month(client, world, district):
    response = page(client, world.leader)
    assert response.status_code == 200
    html = response.content.decode()
    # November: on_time and overdue received; october and on_time replied (one late); 1 of 2 satisfied.
    # Due: october and on_time (replied) and overdue (deadline passed unreplied): 1 of 3 on time.
    assert (stat(html, "received"), stat(html, "closed")) == ("2", "2")
    assert (stat(html, "on_time_rate"), stat(html, "satisfaction_rate")) == ("33.3%", "50.0%")
    assert "1 / 3" in html and "1 / 2" in html  # orders due closed on time, callbacks satisfied
    november = periods.this_month(at("2026-11-25 09:00"))
    assert response.context["headline"] == measures.headline(Case.objects.all(), november.start, november.end)
    assert "Key measures, 2026-11-01 to 2026-11-30" in html
    assert 'href="/console/leader/" aria-current="page"' in html


def test_the_breakdowns_link_to_the_case_list(client, world, district):
    html = page(client, world.leader).content.decode()
    received = "received_from=2026-11-01&amp;received_to=2026-11-30"
    assert f'href="/console/cases/?{received}"' in html  # the received count
    assert f'href="/console/cases/?unit={world.heating.pk}&amp;{received}">1<' in html
    assert f'href="/console/cases/?category=02&amp;{received}">1<' in html
    assert f'href="/console/cases/?area={world.east.pk}&amp;{received}">1<' in html
    assert f'href="/console/cases/?status=called_back&amp;{received}">1<' in html
    assert f'href="/console/cases/?status=assigned&amp;{received}">1<' in html


def test_the_overdue_ranking_links_to_the_red_cases(client, world, district):
    response = page(client, world.leader)
    ranking = [(row.name, row.red, row.late) for row, _url in response.context["overdue"]]
    assert ranking == [("区医保局", 1, 0), ("区住建局", 0, 1)]
    link = f"/console/cases/?unit={world.insurance.pk}&light=red"
    assert f'href="{link.replace("&", "&amp;")}"' in response.content.decode()
    listed = client.get(link).context["page"]
    assert [c.pk for c in listed] == [district["overdue"].pk]


def test_the_trend_chart_is_json_for_app_js(client, world, district):
    html = page(client, world.leader).content.decode()
    assert '<div class="chart" data-chart="trend-chart"' in html
    assert "vendor/echarts/echarts.min.js" in html
    option = json.loads(
        re.search(r'<script id="trend-chart" type="application/json">(.*?)</script>', html).group(1)
    )
    months = option["xAxis"]["data"]
    assert len(months) == 12 and months[0] == "2025-12" and months[-1] == "2026-11"
    received, closed = (series["data"] for series in option["series"])
    assert (received[-2:], closed[-2:]) == ([1, 2], [0, 2])
    assert sum(received) == 3


@pytest.mark.parametrize(
    ("query", "key", "first", "received"),
    [
        ("?period=last_month", "last_month", "2026-10-01", "1"),
        ("?period=year", "year", "2026-01-01", "3"),
        ("?period=dates&start=2026-11-04&end=2026-11-04", "dates", "2026-11-04", "1"),
        ("?start=2026-10-01&end=2026-11-08", "dates", "2026-10-01", "2"),
    ],
)
def test_choosing_the_period(client, world, district, query, key, first, received):
    response = page(client, world.leader, query)
    assert response.context["period_key"] == key
    assert response.context["period"].first_day.isoformat() == first
    assert stat(response.content.decode(), "received") == received


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?start=2026-11-20&end=2026-11-01", "before the start date"),
        ("?period=dates&start=2026-11-20", "Give both dates"),
        ("?start=tomorrow&end=2026-11-01", "Enter a valid date"),
    ],
)
def test_a_wrong_period_says_why_and_shows_this_month(client, world, district, query, message):
    response = page(client, world.leader, query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["period_key"] == "month"


def test_a_fixed_number_of_queries_whatever_the_number_of_units(client, world, district, clock):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    client.force_login(world.leader)
    before = queries()
    for unit in (world.east_office, world.east_committee, world.centre):
        assigned(world, clock, "2026-11-24 10:00", "0102", to=unit.pk, area=world.east_grid2)
    clock.set("2026-11-25 09:00")
    # 17, 4 for 环比 and 同比 (each a stored month's look-up and a count), 1 for 待我批示
    assert queries() == before <= 22
    assert len(client.get(URL).context["units"]) == 3 + 3


def test_cases_awaiting_my_instruction_are_listed_until_i_give_it(client, world, district):
    """Issue 17: the leader home had no list of the cases whose 批示 was asked of the leader (待我批示)."""
    overdue = district["overdue"]
    deputy = person("deputy", "钱副区长", world.centre, Role.LEADER)
    do(
        overdue,
        "request_instruction",
        world.supervisor,
        leader=world.leader.pk,
        note="医保局超期未签收，请示区长。",
    )
    do(district["october"], "request_instruction", world.dispatcher, leader=deputy.pk, note="请示钱副区长。")
    html = page(client, world.leader).content.decode()
    listed = html.split('id="awaiting-instruction"')[1].split("</section>")[0]
    assert f'data-case="{overdue.tracking_number}"' in listed and "医保局超期未签收，请示区长。" in listed
    assert district["october"].tracking_number not in listed  # asked of another leader
    assert "赵督办" in listed and f"/console/cases/{overdue.pk}/#op-instruct" in listed
    case_page = client.get(f"/console/cases/{overdue.pk}/").content.decode()
    assert '<details class="op" id="op-instruct" open>' in case_page  # the form it is asked for, open
    do(overdue, "instruct", world.leader, note="请医保局今日签收并办理。")
    listed = page(client, world.leader).content.decode().split('id="awaiting-instruction"')[1]
    assert overdue.tracking_number not in listed.split("</section>")[0]
    assert "No case awaits your instruction." in listed
