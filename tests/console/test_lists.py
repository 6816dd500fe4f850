"""The case list: each filter narrows as it says, bad parameters get a message on their field, and
nobody ever sees a case outside their scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from minyi.cases.models import Case
from tests.cases.helpers import do, new_case
from tests.conftest import at

URL = "/console/cases/"


@dataclass
class Cases:
    heat: Case  # 供热不足 in 东城一网格 → 热力公司 (co: 区住建局), handling
    road: Case  # 道路维修 in 西城一网格, by web, a suggestion → 区住建局, assigned
    insurance: Case  # 医疗保险, an inquiry → 区医保局, assigned
    fresh: Case  # just received, not classified


def build_cases(world, clock) -> Cases:
    """Four cases on four days of November 2026, driven through the services."""
    clock.set("2026-11-02 09:00")
    heat = new_case(world.operator, category="010101", area=world.east_grid, address="幸福小区3号楼")
    do(heat, "accept", world.dispatcher)
    do(heat, "assign", world.dispatcher)
    do(heat, "sign_for", world.heating_handler)
    clock.set("2026-11-10 09:00")
    road = new_case(
        world.operator,
        channel="web",
        demand_type="suggestion",
        category="0102",
        area=world.west_grid,
        title="西城路路面坑洼",
        description="路面有一个大坑，晚上骑车很危险。",
        address="西城路12号",
        requester_name="李四",
        requester_phone="13900001111",
    )
    do(road, "accept", world.dispatcher)
    do(road, "assign", world.dispatcher)
    clock.set("2026-11-20 09:00")
    insurance = new_case(
        world.operator,
        demand_type="inquiry",
        category="0201",
        title="医保报销比例咨询",
        description="想问一下门诊报销比例。",
        requester_name="王五",
        requester_phone="13700002222",
    )
    do(insurance, "accept", world.dispatcher)
    do(insurance, "assign", world.dispatcher)
    clock.set("2026-11-25 09:00")
    fresh = new_case(world.operator, title="噪音扰民", description="楼下饭店深夜噪音很大。")
    return Cases(*(Case.objects.get(pk=c.pk) for c in (heat, road, insurance, fresh)))


@pytest.fixture
def cases(world, clock) -> Cases:
    return build_cases(world, clock)


def in_english(client) -> None:
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def listed(client, user, query: str = "") -> list[str]:
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    return [case.tracking_number for case in response.context["page"]]


def numbers(*cases: Case) -> list[str]:
    """Tracking numbers, newest received first (the list's default order)."""
    return [c.tracking_number for c in sorted(cases, key=lambda c: c.received_at, reverse=True)]


def test_without_filters_everything_in_scope_newest_first(client, world, cases):
    assert listed(client, world.dispatcher) == numbers(cases.heat, cases.road, cases.insurance, cases.fresh)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=handling", ["heat"]),
        ("?status=assigned&status=received", ["road", "insurance", "fresh"]),
        ("?unit={heating}", ["heat"]),  # lead unit only: 区住建局 co-handles heat but leads road
        ("?unit={housing}", ["road"]),
        ("?area={east}", ["heat"]),  # 东城街道 includes its community and grids
        ("?area={west_grid}", ["road"]),
        ("?category=01", ["heat", "road"]),  # 城乡建设 includes 供热 / 供热不足 and 道路维修
        ("?category=0101", ["heat"]),
        ("?channel=web", ["road"]),
        ("?demand_type=inquiry", ["insurance"]),
        ("?received_from=2026-11-10&received_to=2026-11-20", ["road", "insurance"]),
        ("?received_to=2026-11-02", ["heat"]),  # the last day counts whole
        ("?q=坑洼", ["road"]),  # title
        ("?q=门诊报销", ["insurance"]),  # description
        ("?q=幸福小区", ["heat"]),  # address
        ("?q=+噪音++", ["fresh"]),  # spaces around are ignored
        ("?q={road_number}", ["road"]),  # tracking number, exactly
        ("?category=01&channel=hotline", ["heat"]),  # filters combine
    ],
)
def test_each_filter_narrows(client, world, cases, query, expected):
    query = query.format(
        heating=world.heating.pk,
        housing=world.housing.pk,
        east=world.east.pk,
        west_grid=world.west_grid.pk,
        road_number=cases.road.tracking_number,
    )
    assert listed(client, world.dispatcher, query) == numbers(*(getattr(cases, name) for name in expected))


def test_the_light_filter(client, world, cases, clock):
    # Now 2026-11-25 09:00: heat is past its deadline, road in its last fifth, insurance well in time.
    Case.objects.filter(pk=cases.heat.pk).update(
        handle_due_at=at("2026-11-24 18:00"), handle_warn_at=at("2026-11-23 18:00")
    )
    Case.objects.filter(pk=cases.road.pk).update(
        sign_due_at=at("2026-11-26 18:00"),
        sign_warn_at=at("2026-11-25 08:00"),
        handle_due_at=at("2026-11-30 18:00"),
        handle_warn_at=at("2026-11-27 18:00"),
    )
    Case.objects.filter(pk=cases.insurance.pk).update(
        sign_due_at=at("2026-11-27 18:00"),
        sign_warn_at=at("2026-11-27 08:00"),
        handle_due_at=at("2026-12-04 18:00"),
        handle_warn_at=at("2026-12-03 18:00"),
    )
    assert listed(client, world.dispatcher, "?light=red") == numbers(cases.heat)
    assert listed(client, world.dispatcher, "?light=yellow") == numbers(cases.road)
    assert listed(client, world.dispatcher, "?light=green") == numbers(cases.insurance)  # fresh: no clock


def test_sorting_by_deadline(client, world, cases):
    order = listed(client, world.dispatcher, "?sort=deadline")
    due = dict(Case.objects.values_list("tracking_number", "handle_due_at"))
    with_deadline = [n for n in order if due[n] is not None]
    assert with_deadline == sorted(with_deadline, key=lambda n: due[n])
    assert order[-1] == cases.fresh.tracking_number  # no deadline: last
    assert listed(client, world.dispatcher, "?sort=oldest")[0] == cases.heat.tracking_number


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?unit=abc", "unit", "Select a valid choice"),
        ("?unit=999999", "unit", "Select a valid choice"),
        ("?status=closed", "status", "Select a valid choice"),
        ("?light=purple", "light", "Select a valid choice"),
        ("?category=9999", "category", "Select a valid choice"),
        ("?received_from=2026-13-45", "received_from", "Enter a valid date"),
        ("?received_from=2026-11-20&received_to=2026-11-01", "received_to", "before the start date"),
        ("?sort=random", "sort", "Select a valid choice"),
    ],
)
def test_bad_parameters_get_a_message_on_their_field(client, world, cases, query, field, message):
    client.force_login(world.dispatcher)
    in_english(client)
    response = client.get(URL + query)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert response.context["page"] is None  # nothing listed while a filter is wrong
    html = response.content.decode()
    assert "Some filters are not valid" in html
    assert re.search(r'class="(field )?field-error"', html) and message in html


def test_a_unit_handler_sees_only_their_units_cases(client, world, cases):
    assert listed(client, world.insurance_handler) == numbers(cases.insurance)
    assert listed(client, world.insurance_handler, f"?unit={world.heating.pk}") == []
    assert listed(client, world.insurance_handler, f"?q={cases.heat.tracking_number}") == []
    # 区住建局 leads road and co-handles heat
    assert listed(client, world.housing_handler) == numbers(cases.heat, cases.road)


def test_the_count_and_the_pages(client, world, cases, settings):
    settings.MINYI_PAGE_SIZE = 3
    client.force_login(world.dispatcher)
    in_english(client)
    html = client.get(URL).content.decode()
    assert "4 cases" in html and "Page 1 of 2" in html
    second = client.get(URL + "?page=2&sort=oldest")
    assert [c.tracking_number for c in second.context["page"]] == [cases.fresh.tracking_number]
    assert client.get(URL + "?page=zz").status_code == 200  # a bad page number shows the first


def test_a_count_beyond_the_cap_says_more_than_instead_of_counting_on(client, world, cases, monkeypatch):
    from minyi.console.views import common

    monkeypatch.setattr(common, "COUNT_CAP", 3)  # the district holds 4 cases
    client.force_login(world.dispatcher)
    in_english(client)
    html = client.get(URL).content.decode()
    assert "More than 3 cases" in html and "4 cases" not in html
    monkeypatch.setattr(common, "COUNT_CAP", 4)
    assert "4 cases" in client.get(URL).content.decode()


def test_the_page_offers_search_export_and_the_menu_mark(client, world, cases):
    client.force_login(world.dispatcher)
    html = client.get(URL + "?channel=web&page=1").content.decode()
    assert 'name="q"' in html and "data-search" in html
    assert '/console/cases/export/?channel=web&amp;format=xlsx"' in html
    assert '/console/cases/export/?channel=web&amp;format=csv"' in html
    assert 'href="/console/cases/" aria-current="page"' in html


def test_the_list_needs_a_login(client):
    assert client.get(URL).status_code == 302


def test_a_user_without_a_role_is_refused(client, world):
    from minyi.org.models import User

    nobody = User.objects.create_user(username="nobody", password="x")
    client.force_login(nobody)
    assert client.get(URL).status_code == 403


def test_the_search_finds_a_number_typed_without_hyphen_or_in_full_width(client, world, cases):
    period, sequence = cases.heat.tracking_number.split("-")
    wide = str.maketrans("0123456789-", "０１２３４５６７８９－")

    for typed in (period + sequence, f"{period} {sequence}", cases.heat.tracking_number.translate(wide)):
        assert listed(client, world.dispatcher, f"?{urlencode({'q': typed})}") == [cases.heat.tracking_number]
    # a unit still finds only what it may see
    assert listed(client, world.insurance_handler, f"?q={period}{sequence}") == []
