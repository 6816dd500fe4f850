"""GET requests, requests/{id} and tokens/{token}: what a key reads, what the public reads."""

from __future__ import annotations

import re

import pytest

from minyi.api.keys import create_key
from minyi.cases.services import case_apply
from tests.open311.helpers import (
    FORMATS,
    REQUEST_FIELDS,
    TOKEN_FIELDS,
    call,
    expect_error,
    registered,
    rows,
    url,
)

W3C_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")


def get_requests(client, fmt, data=None, resource="requests"):
    return rows(call(client, "GET", resource, fmt, data), fmt, root="service_requests", item="request")


def handled(world, case, *, reply=""):
    """Accepted and assigned by the dispatcher (routing: 热力公司), signed for, perhaps replied."""
    for op in ("accept", "assign"):
        case_apply(case_id=case.pk, operation=op, actor=world.dispatcher)
    case_apply(case_id=case.pk, operation="sign_for", actor=world.heating_handler)
    if reply:
        case_apply(case_id=case.pk, operation="reply", actor=world.heating_handler, note=reply)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_reads_its_case_in_full(client, world, centre_key, clock, fmt):
    case = handled(
        world, registered(world, latitude="39.912345", longitude="116.401234"), reply="已排气，恢复供热。"
    )
    (row,) = get_requests(client, fmt, {"api_key": centre_key}, resource=f"requests/{case.tracking_number}")
    assert set(row) <= REQUEST_FIELDS
    assert row["service_request_id"] == case.tracking_number
    assert row["status"] == "closed"
    assert row["status_notes"] == "已排气，恢复供热。"
    assert row["description"] == case.description
    assert row["service_code"] == "0101" and row["service_name"] == "供热"
    assert row["agency_responsible"] == "热力公司"
    assert row["address"] == "幸福小区3号楼2单元301"
    assert row["address_id"] == world.east_grid.code
    assert (row["lat"], row["long"]) == ("39.912345", "116.401234")
    assert row["requested_datetime"] == "2026-11-25T09:00:00+08:00"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C_LOCAL.match(row[name]), (name, row[name])


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_public_reads_titles_areas_and_step_names_only(client, world, clock, fmt):
    case = handled(
        world, registered(world, latitude="39.912345", longitude="116.401234"), reply="张先生您好，已修好。"
    )
    response = client.get(url("requests", fmt))
    assert response.status_code == 200
    text = response.content.decode()
    for private in (case.description, "张三", "13812341234", case.query_code, "幸福小区", "张先生", "吴热力"):
        assert private not in text, private
    (row,) = get_requests(client, fmt)
    assert row["description"] == case.title
    assert row["address"] == "东城街道 / 东城社区 / 东城一网格"
    assert (row["lat"], row["long"]) == ("39.912", "116.401")
    assert row["status_notes"] == "Reply"
    assert row["agency_responsible"] == "热力公司"


@pytest.mark.parametrize("fmt", FORMATS)
def test_numbers_in_a_public_title_are_blanked(client, world, clock, fmt):
    case = registered(world, title="张三电话138 1234 1234暖气不热，身份证11010119900307123X")
    (row,) = get_requests(client, fmt)
    assert row["description"] == "张三电话***暖气不热，身份证***"
    (row,) = get_requests(client, "json", {"api_key": create_key("screen", roles=["leader"])[1]})
    assert row["description"] == case.description


@pytest.mark.parametrize(
    "typed", ["138.1234.5678", "138—1234—5678", "138_1234_5678", "(138)1234/5678", "１３８ １２３４ ５６７８"]
)
def test_a_public_title_blanks_a_number_whatever_separators_were_typed(client, world, clock, typed):
    registered(world, title=f"电话{typed}，2026-11-25起暖气不热")
    (row,) = get_requests(client, "json")
    assert row["description"] == "电话***，2026-11-25起暖气不热"  # the date is no phone number


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_public_never_sees_confidential_cases_or_hidden_categories(client, world, clock, fmt):
    from minyi.catalog.models import Category

    visible = registered(world)
    secret = registered(world, is_confidential=True)
    report = registered(world, demand_type="report")  # a 举报 is always confidential
    hidden = registered(world, category="0201")
    Category.objects.filter(code="0201").update(is_public=False)
    numbers = {r["service_request_id"] for r in get_requests(client, fmt)}
    assert numbers == {visible.tracking_number}
    for case in (secret, report, hidden):
        expect_error(client, "GET", f"requests/{case.tracking_number}", fmt, status=404)
        expect_error(client, "GET", f"tokens/{case.tracking_number}", fmt, status=404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_reads_only_what_its_account_may_see(client, world, wechat_key, heating_key, clock, fmt):
    theirs = registered(world)  # registered by the operator, not by the WeChat key
    expect_error(
        client, "GET", f"requests/{theirs.tracking_number}", fmt, {"api_key": wechat_key}, status=404
    )
    assert get_requests(client, fmt, {"api_key": wechat_key}) == []
    assert get_requests(client, fmt, {"api_key": heating_key}) == []  # not assigned to 热力公司 yet
    handled(world, theirs)
    (row,) = get_requests(client, fmt, {"api_key": heating_key})
    assert row["description"] == theirs.description


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_public_read_a_key_is_required(client, world, settings, centre_key, clock, fmt):
    settings.MINYI_OPEN311_PUBLIC_READ = False
    case = registered(world)
    resources = ["requests", f"requests/{case.tracking_number}", f"tokens/{case.tracking_number}"]
    for resource in [*resources, "servicerequestupdates"]:
        assert "api_key is required" in expect_error(client, "GET", resource, fmt, status=403)
    assert len(get_requests(client, fmt, {"api_key": centre_key})) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_key_on_a_read_is_403_even_with_public_read(client, world, fmt):
    expect_error(client, "GET", "requests", fmt, {"api_key": "minyi_00000000_" + "x" * 30}, status=403)


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_is_404_and_db_ids_are_not_ids(client, world, centre_key, clock, fmt):
    case = registered(world)
    expect_error(client, "GET", "requests/202611-999999", fmt, {"api_key": centre_key}, status=404)
    expect_error(client, "GET", f"requests/{case.pk}", fmt, {"api_key": centre_key}, status=404)
    expect_error(client, "GET", "tokens/202611-999999", fmt, status=404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_is_the_tracking_number(client, world, clock, fmt):
    case = registered(world)
    (row,) = get_requests(client, fmt, resource=f"tokens/{case.tracking_number}")
    assert set(row) == TOKEN_FIELDS
    assert row == {"service_request_id": case.tracking_number, "token": case.tracking_number}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_list_of_ids_overrides_the_other_filters(client, world, clock, fmt):
    first, second, third = registered(world), registered(world), registered(world)
    data = {"service_request_id": f"{first.tracking_number}, {third.tracking_number}", "status": "closed"}
    numbers = [r["service_request_id"] for r in get_requests(client, fmt, data)]
    assert sorted(numbers) == sorted([first.tracking_number, third.tracking_number])
    assert second.tracking_number not in numbers


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_and_service_code_filter(client, world, clock, fmt):
    open_case = registered(world)
    closed = handled(world, registered(world), reply="已处理。")
    roads = registered(world, category="0102")
    shortage = registered(world, category="010101")

    def numbers(**data):
        return {r["service_request_id"] for r in get_requests(client, fmt, data)}

    assert numbers(status="open") == {
        open_case.tracking_number,
        roads.tracking_number,
        shortage.tracking_number,
    }
    assert numbers(status="closed") == {closed.tracking_number}
    assert len(numbers(status="open,closed")) == 4
    # a service includes the services below it (供热 → 供热不足)
    heating = {open_case.tracking_number, closed.tracking_number, shortage.tracking_number}
    assert numbers(service_code="0101") == heating
    assert numbers(service_code="0102") == {roads.tracking_number}
    assert len(numbers(service_code="", status="")) == 4  # empty parameters: as if not given


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_filters_are_400(client, world, fmt):
    assert "pending" in expect_error(client, "GET", "requests", fmt, {"status": "pending"}, status=400)
    assert "9999" in expect_error(client, "GET", "requests", fmt, {"service_code": "9999"}, status=400)
    description = expect_error(client, "GET", "requests", fmt, {"start_date": "yesterday"}, status=400)
    assert "start_date" in description and "W3C" in description
    expect_error(client, "GET", "requests", fmt, {"end_date": "2026-13-45T00:00:00Z"}, status=400)
    data = {"start_date": "2026-11-25T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"}
    assert "after" in expect_error(client, "GET", "requests", fmt, data, status=400)


def test_the_default_window_is_the_last_90_days(client, world, clock):
    clock.set("2026-06-01 09:00")
    old = registered(world)
    clock.set("2026-11-20 09:00")
    recent = registered(world)
    clock.set("2026-11-25 09:00")
    assert [r["service_request_id"] for r in get_requests(client, "json")] == [recent.tracking_number]
    data = {"start_date": "2026-05-31T00:00:00+08:00"}  # 90 days from the start
    assert [r["service_request_id"] for r in get_requests(client, "json", data)] == [old.tracking_number]
    data = {"start_date": "2026-05-31T00:00:00+08:00", "end_date": "2026-11-30T00:00:00+08:00"}
    assert len(get_requests(client, "json", data)) == 2


def test_dates_accept_utc_and_an_unencoded_plus(client, world, clock):
    case = registered(world)  # 2026-11-25 09:00 Beijing = 01:00 UTC
    assert get_requests(client, "json", {"start_date": "2026-11-25T00:59:00Z"})[0]["service_request_id"] == (
        case.tracking_number
    )
    assert get_requests(client, "json", {"start_date": "2026-11-25T01:01:00Z"}) == []
    response = client.get("/open311/v2/requests.json?start_date=2026-11-25T08:59:00+08:00")  # "+" → " "
    assert response.status_code == 200 and case.tracking_number in response.content.decode()


def test_at_most_1000_results_newest_first(client, world, clock, monkeypatch):
    from minyi.open311 import views

    assert views.MAX_RESULTS == 1000
    monkeypatch.setattr(views, "MAX_RESULTS", 2)
    cases = [registered(world) for _ in range(3)]
    numbers = [r["service_request_id"] for r in get_requests(client, "json")]
    assert numbers == [cases[2].tracking_number, cases[1].tracking_number]


def test_a_request_is_found_by_its_id_without_hyphen_or_in_full_width(client, world, centre_key, clock):
    case = handled(world, registered(world))
    period, sequence = case.tracking_number.split("-")
    wide = case.tracking_number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))

    for typed in (period + sequence, wide):
        (row,) = get_requests(client, "json", {"api_key": centre_key}, resource=f"requests/{typed}")
        assert row["service_request_id"] == case.tracking_number
    listed = get_requests(client, "json", {"api_key": centre_key, "service_request_id": period + sequence})
    assert [r["service_request_id"] for r in listed] == [case.tracking_number]
