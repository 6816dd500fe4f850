"""mySociety's servicerequestupdates: the feed, updates posted by a unit's system, and the full flow."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.cases.models import Case, CaseEvent
from minyi.cases.services import case_apply
from minyi.cases.workflow import Status
from tests.open311.helpers import (
    FORMATS,
    JPEG,
    PHP,
    UPDATE_FIELDS,
    call,
    demand,
    expect_error,
    registered,
    rows,
)


def feed(client, fmt, data=None):
    body = call(client, "GET", "servicerequestupdates", fmt, data)
    return rows(body, fmt, root="service_request_updates", item="request_update")


def post_update(client, fmt, data, *, status=200):
    body = call(client, "POST", "servicerequestupdates", fmt, data, status=status)
    return rows(body, fmt, root="service_request_updates", item="request_update")


def dispatch(world, case):
    for op in ("accept", "assign"):
        case_apply(case_id=case.pk, operation=op, actor=world.dispatcher)


@pytest.mark.parametrize("fmt", FORMATS)
def test_full_flow_from_wechat_to_the_heating_company_and_back(
    client, world, wechat_key, heating_key, clock, fmt
):
    # 1. The WeChat front posts a request.
    (posted,) = rows(
        call(client, "POST", "requests", fmt, demand(wechat_key)),
        fmt,
        root="service_requests",
        item="request",
    )
    number = posted["service_request_id"]
    # 2. It reads it back: open, in full.
    clock.advance(minutes=5)
    (row,) = rows(
        call(client, "GET", f"requests/{number}", fmt, {"api_key": wechat_key}),
        fmt,
        root="service_requests",
        item="request",
    )
    assert row["status"] == "open" and row["description"].startswith("幸福小区3号楼暖气不热。")
    # 3. The dispatcher accepts and assigns it (routing: 热力公司).
    case = Case.objects.get(tracking_number=number)
    dispatch(world, case)
    # 4. The heating company's system reports it FIXED: it signs for and replies in one go.
    clock.advance(hours=3)
    (update,) = post_update(
        client,
        fmt,
        {
            "api_key": heating_key,
            "service_request_id": number,
            "update_id": "heat-4711",
            "updated_datetime": "2026-11-25T12:05:00+08:00",
            "status": "FIXED",
            "description": "已对3号楼管道排气，室温恢复到20度。",
        },
    )
    assert set(update) == {"update_id"}
    reply = CaseEvent.objects.get(pk=int(update["update_id"]))
    assert reply.operation == "reply" and reply.case.tracking_number == number
    case.refresh_from_db()
    assert case.status == Status.REPLIED
    assert case.reply_text == "已对3号楼管道排气，室温恢复到20度。"
    assert list(case.events.values_list("operation", flat=True)) == [
        "create",
        "accept",
        "assign",
        "sign_for",
        "reply",
    ]
    # 5. The WeChat front sees it in the update feed, and the request is closed.
    updates = feed(client, fmt, {"api_key": wechat_key})
    assert all(set(u) == UPDATE_FIELDS for u in updates)
    assert [u["status"] for u in updates] == [
        "OPEN",
        "INVESTIGATING",
        "ACTION_SCHEDULED",
        "IN_PROGRESS",
        "FIXED",
    ]
    last = updates[-1]
    assert last["update_id"] == update["update_id"]
    assert last["service_request_id"] == number
    assert last["description"] == "已对3号楼管道排气，室温恢复到20度。"
    assert last["updated_datetime"] == "2026-11-25T12:05:00+08:00"
    assert all(
        not u["description"] or u["description"] == last["description"] for u in updates
    )  # no staff notes
    (row,) = rows(
        call(client, "GET", f"requests/{number}", fmt, {"api_key": wechat_key}),
        fmt,
        root="service_requests",
        item="request",
    )
    assert row["status"] == "closed" and row["status_notes"] == last["description"]
    assert row["agency_responsible"] == "热力公司"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_public_feed_has_step_names_and_no_confidential_cases(client, world, clock, fmt):
    case = registered(world)
    registered(world, is_confidential=True)
    case_apply(case_id=case.pk, operation="reject", actor=world.dispatcher, note="张三的诉求不属于本区。")
    updates = feed(client, fmt)
    assert [(u["service_request_id"], u["status"]) for u in updates] == [
        (case.tracking_number, "OPEN"),
        (case.tracking_number, "NOT_COUNCILS_RESPONSIBILITY"),
    ]
    assert [u["description"] for u in updates] == ["Register", "Reject"]
    assert "张三" not in client.get(f"/open311/v2/servicerequestupdates.{fmt}").content.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_internal_operations_are_not_in_the_feed(client, world, centre_key, clock, fmt):
    case = registered(world)
    dispatch(world, case)
    case_apply(case_id=case.pk, operation="return", actor=world.heating_handler, note="不归我们管，吴热力")
    case_apply(case_id=case.pk, operation="attach", actor=world.dispatcher, note="内部备注")
    text = client.get(f"/open311/v2/servicerequestupdates.{fmt}", {"api_key": centre_key}).content.decode()
    assert "吴热力" not in text and "内部备注" not in text
    assert [u["status"] for u in feed(client, fmt, {"api_key": centre_key})] == [
        "OPEN",
        "INVESTIGATING",
        "ACTION_SCHEDULED",
    ]


def test_the_feed_window_defaults_to_the_last_24_hours(client, world, clock):
    old = registered(world)
    clock.advance(hours=25)
    new = registered(world)
    assert {u["service_request_id"] for u in feed(client, "json")} == {new.tracking_number}
    data = {"start_date": "2026-11-25T08:00:00+08:00", "end_date": "2026-11-25T10:00:00+08:00"}
    assert {u["service_request_id"] for u in feed(client, "json", data)} == {old.tracking_number}
    data = {"start_date": "2026-11-25T08:00:00+08:00"}
    assert len(feed(client, "json", data)) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_feed_dates_are_checked(client, world, fmt):
    assert "end_date" in expect_error(
        client, "GET", "servicerequestupdates", fmt, {"end_date": "soon"}, status=400
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_status_adds_material_with_a_photo(client, world, heating_key, clock, fmt):
    case = registered(world)
    dispatch(world, case)
    case_apply(case_id=case.pk, operation="sign_for", actor=world.heating_handler)
    photo = SimpleUploadedFile("site.jpg", JPEG, content_type="image/jpeg")
    data = {
        "api_key": heating_key,
        "service_request_id": case.tracking_number,
        "status": "IN_PROGRESS",
        "description": "抢修队已到现场。",
        "media": photo,
    }
    (update,) = post_update(client, fmt, data)
    event = CaseEvent.objects.get(pk=int(update["update_id"]))
    assert event.operation == "attach" and event.note == "抢修队已到现场。"
    assert event.attachments.get().content_type == "image/jpeg"
    case.refresh_from_db()
    assert case.status == Status.HANDLING
    # Material an Open311 client posted shows in the feed, with its text for key holders.
    latest = feed(client, fmt, {"api_key": heating_key})[-1]
    assert (latest["update_id"], latest["status"], latest["description"]) == (
        update["update_id"],
        "IN_PROGRESS",
        "抢修队已到现场。",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_status_no_operation_reaches_is_400_listing_the_possible_ones(
    client, world, heating_key, clock, fmt
):
    case = registered(world)
    dispatch(world, case)
    data = {
        "api_key": heating_key,
        "service_request_id": case.tracking_number,
        "status": "NOT_COUNCILS_RESPONSIBILITY",
        "description": "不归我们。",
    }
    description = expect_error(client, "POST", "servicerequestupdates", fmt, data, status=400)
    assert "ACTION_SCHEDULED" in description  # the current status
    for possible in ("IN_PROGRESS", "INTERNAL_REFERRAL", "FIXED"):
        assert possible in description.split("Possible now:")[1]
    assert "NOT_COUNCILS_RESPONSIBILITY" not in description.split("Possible now:")[1]
    assert case.events.count() == 3


def test_internal_referral_is_a_return(client, world, heating_key, clock):
    case = registered(world)
    dispatch(world, case)
    data = {
        "api_key": heating_key,
        "service_request_id": case.tracking_number,
        "status": "internal_referral",
        "description": "不属于供热问题。",
    }
    (update,) = post_update(client, "json", data)
    assert CaseEvent.objects.get(pk=int(update["update_id"])).operation == "return"
    case.refresh_from_db()
    assert case.status == Status.RETURNED


def test_a_citizen_side_system_closes_by_withdrawing(client, world, wechat_key, clock):
    client.post("/open311/v2/requests.json", demand(wechat_key))
    case = Case.objects.get()
    data = {
        "api_key": wechat_key,
        "service_request_id": case.tracking_number,
        "status": "closed",
        "description": "已自行解决，撤回。",
    }
    (update,) = post_update(client, "json", data)
    assert CaseEvent.objects.get(pk=int(update["update_id"])).operation == "withdraw"


def test_a_failing_chain_changes_nothing(client, world, heating_key, clock):
    case = registered(world)
    dispatch(world, case)
    data = {"api_key": heating_key, "service_request_id": case.tracking_number, "status": "FIXED"}
    description = expect_error(client, "POST", "servicerequestupdates", "json", data, status=400)
    assert "Reply" in description  # the reply needs a text
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED  # the sign-for of the chain was rolled back
    assert not case.events.filter(operation="sign_for").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_an_update_needs_a_key_and_a_visible_request(
    client, world, wechat_key, heating_key, clock, fmt
):
    case = registered(world)
    data = {"service_request_id": case.tracking_number, "status": "FIXED", "description": "好了"}
    assert "api_key is required" in expect_error(
        client, "POST", "servicerequestupdates", fmt, data, status=403
    )
    data["api_key"] = "minyi_deadbeef_" + "x" * 30
    expect_error(client, "POST", "servicerequestupdates", fmt, data, status=403)
    data["api_key"] = heating_key  # not assigned to 热力公司: as if it did not exist
    expect_error(client, "POST", "servicerequestupdates", fmt, data, status=404)
    data["service_request_id"] = "202611-999999"
    expect_error(client, "POST", "servicerequestupdates", fmt, data, status=404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_update_parameters_are_checked(client, world, heating_key, clock, fmt):
    case = registered(world)
    dispatch(world, case)
    base = {"api_key": heating_key, "service_request_id": case.tracking_number, "status": "IN_PROGRESS"}
    assert "service_request_id is required" in expect_error(
        client, "POST", "servicerequestupdates", fmt, {**base, "service_request_id": ""}, status=400
    )
    assert "status is required" in expect_error(
        client, "POST", "servicerequestupdates", fmt, {**base, "status": ""}, status=400
    )
    assert "REPAIRED" in expect_error(
        client, "POST", "servicerequestupdates", fmt, {**base, "status": "REPAIRED"}, status=400
    )
    assert "updated_datetime" in expect_error(
        client, "POST", "servicerequestupdates", fmt, {**base, "updated_datetime": "noon"}, status=400
    )
    script = SimpleUploadedFile("x.jpg", PHP, content_type="image/jpeg")
    assert "cannot be opened as a JPEG/PNG/WebP photo" in expect_error(
        client, "POST", "servicerequestupdates", fmt, {**base, "media": script}, status=400
    )
    assert case.events.count() == 3
