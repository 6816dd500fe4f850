"""Cases through the REST API: the same services and access rules as the console."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.access.models import PersonalDataAccess
from minyi.cases.models import Case
from minyi.demo.stories import site_photo
from tests.api.conftest import DEMAND, Api
from tests.cases.helpers import do, new_case


def test_an_integration_registers_and_follows_its_own_demands(world, clock, wechat):
    api, key = wechat
    demand = {**DEMAND, "area": world.east_grid.code, "requester_ref": "openid-1", "latitude": "39.9"}
    created = api.post("cases/", {**demand, "category": "010101"})
    assert created.status_code == 201, created.json()
    body = created.json()
    case = Case.objects.get(pk=body["id"])
    assert (case.channel, case.created_by, case.requester_ref) == ("wechat", key.user, "openid-1")
    assert body["query_code"] == case.query_code and body["status"] == "received"
    assert set(body) == {
        "id",
        "tracking_number",
        "query_code",
        "status",
        "status_label",
        "received_at",
        "url",
    }
    read = api.client.get(body["url"], headers=api.headers).json()  # the receipt links the whole case
    assert read["tracking_number"] == case.tracking_number and read["category"]["code"] == "010101"
    assert read["requester"]["phone"] == "138****1234"  # masked even for the registering system
    other = new_case(world.operator)
    assert api.get(f"cases/{other.pk}/").status_code == 404  # another channel's case: not found
    assert [c["id"] for c in api.get("cases/").json()["results"]] == [case.pk]


def test_a_channel_key_cannot_register_for_another_channel(world, wechat):
    api, _key = wechat
    refused = api.post("cases/", {**DEMAND, "channel": "hotline"})
    assert refused.status_code == 400 and refused.json()["field"] == "channel"
    assert not Case.objects.exists()


def test_invalid_input_is_json_with_the_field_and_changes_nothing(world, wechat):
    api, _key = wechat
    missing = api.post("cases/", {"demand_type": "complaint", "description": "没有标题"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid" and missing.json()["field"] == "title"
    unknown_area = api.post("cases/", {**DEMAND, "area": "999"})
    assert unknown_area.status_code == 400 and "999" in unknown_area.json()["message"]
    malformed = api.client.post(
        "/api/v1/cases/", "{not json", content_type="application/json", headers=api.headers
    )
    assert malformed.status_code == 400 and malformed.json()["code"] == "malformed"
    assert not Case.objects.exists()


def test_the_closed_loop_through_the_api(world, clock, wechat, heating_system, dispatcher_api):
    api, _key = wechat
    case_id = api.post("cases/", {**DEMAND, "area": world.east_grid.code}).json()["id"]
    accepted = dispatcher_api.post(f"cases/{case_id}/operations/accept/", {"category": "010101"})
    assert accepted.status_code == 200, accepted.json()
    assigned = dispatcher_api.post(f"cases/{case_id}/operations/assign/", {})
    assert assigned.json()["status"] == "assigned" and assigned.json()["lead_unit"]["id"] == world.heating.pk
    operations = heating_system.get(f"cases/{case_id}/operations/").json()
    assert [op["name"] for op in operations][:2] == ["sign_for", "return"]
    heating_system.post(f"cases/{case_id}/operations/sign_for/", {})
    replied = heating_system.post(f"cases/{case_id}/operations/reply/", {"note": "已派人检修，现室温20度。"})
    assert replied.json()["status"] == "replied" and replied.json()["reply_text"].startswith("已派人")
    rated = api.post(f"cases/{case_id}/operations/rate/", {"stars": 5})
    assert rated.status_code == 200 and rated.json()["citizen_rating"] == 5
    # the integration sees the public timeline only: no staff names, no internal notes
    events = api.get(f"cases/{case_id}/events/").json()["results"]
    assert [e["operation"] for e in events] == ["create", "accept", "assign", "sign_for", "reply"]
    assert all(e["actor"] == "" and e["unit"] == "" for e in events)
    staff_events = dispatcher_api.get(f"cases/{case_id}/events/").json()["results"]
    assert any(e["unit"] == world.heating.name for e in staff_events)


def test_refusals_keep_their_codes(world, clock, heating_system, dispatcher_api):
    case = do(new_case(world.operator, category="010101", area=world.east_grid), "accept", world.dispatcher)
    illegal = heating_system.post(f"cases/{case.pk}/operations/reply/", {"note": "x"})
    assert illegal.status_code == 404  # not assigned to the heating company yet: outside its scope
    do(case, "assign", world.dispatcher)
    early = heating_system.post(f"cases/{case.pk}/operations/reply/", {"note": "x"})
    assert early.status_code == 409 and early.json()["code"] == "illegal_transition"
    assert "sign_for" in early.json()["details"]["allowed"]
    stale = dispatcher_api.post(f"cases/{case.pk}/operations/remind/", {"expected_version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    forbidden = heating_system.post(f"cases/{case.pk}/operations/remind/", {})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    wrong_param = dispatcher_api.post(f"cases/{case.pk}/operations/remind/", {"stars": 3})
    assert wrong_param.status_code == 400 and "stars" in wrong_param.json()["message"]
    unknown = dispatcher_api.post(f"cases/{case.pk}/operations/fly/", {})
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_list_filters_and_pages(world, clock, dispatcher_api):
    for n in range(3):
        new_case(world.operator, title=f"路灯不亮{n}", category="0201")
    new_case(world.operator, title="暖气不热")
    page = dispatcher_api.get("cases/", {"q": "路灯", "page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    bad = dispatcher_api.get("cases/", {"status": "sleeping"})
    assert bad.status_code == 400 and bad.json()["field"] == "status"


def test_attachments_are_added_and_served_only_within_scope(world, clock, wechat, heating_system):
    api, _key = wechat
    case_id = api.post("cases/", DEMAND).json()["id"]
    case = Case.objects.get(pk=case_id)
    photo = site_photo(case)
    added = api.post(f"cases/{case_id}/attachments/", {"files": [photo], "note": "补拍"}, multipart=True)
    assert added.status_code == 201, added.json()
    item = added.json()["attachments"][0]
    assert item["content_type"] == "image/png"
    download = api.client.get(f"/api/v1/attachments/{item['id']}/", headers=api.headers)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert (
        heating_system.client.get(
            f"/api/v1/attachments/{item['id']}/", headers=heating_system.headers
        ).status_code
        == 404
    )
    empty = api.post(f"cases/{case_id}/attachments/", {"note": "x"}, multipart=True)
    assert empty.status_code == 400 and empty.json()["field"] == "files"
    created = api.post(
        "cases/",
        {**DEMAND, "attachments": [SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")]},
        multipart=True,
    )
    assert created.status_code == 201
    case = Case.objects.get(pk=created.json()["id"])
    assert [a.name for a in case.attachments.all()] == ["a.txt"]


def test_revealing_the_requester_is_audited_and_refused_to_units(
    world, clock, heating_system, dispatcher_api
):
    case = do(new_case(world.operator, category="010101", area=world.east_grid), "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    revealed = dispatcher_api.get(f"cases/{case.pk}/requester/", {"purpose": "回访"})
    assert revealed.json()["phone"] == "13812341234" and not revealed.json()["masked"]
    assert PersonalDataAccess.objects.filter(case=case, user=world.dispatcher, purpose="回访").count() == 1
    assert heating_system.get(f"cases/{case.pk}/requester/").status_code == 403


def test_reference_data_and_measures(world, clock, dispatcher_api):
    categories = dispatcher_api.get("categories/").json()["results"]
    assert {"code": "010101", "parent": "0101"}.items() <= next(
        c for c in categories if c["code"] == "010101"
    ).items()
    areas = dispatcher_api.get("areas/", {"page_size": 200}).json()["results"]
    assert any(a["code"] == world.east_grid.code and a["level"] == 4 for a in areas)
    assert any(u["id"] == world.heating.pk for u in dispatcher_api.get("units/").json()["results"])
    assert dispatcher_api.get("knowledge/").status_code == 400
    new_case(world.operator)
    measures = dispatcher_api.get("measures/", {"period": "month"}).json()
    assert measures["received"] == 1 and measures["start"] == "2026-11-01"
    assert (
        dispatcher_api.get(
            "measures/", {"period": "dates", "start": "2026-11-30", "end": "2026-11-01"}
        ).status_code
        == 400
    )


def test_unknown_api_addresses_answer_in_json(world, dispatcher_api):
    response = dispatcher_api.get("nothing/here/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_staff_session_needs_csrf_for_writes(world, clock):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dispatcher)
    case = new_case(world.operator)
    refused = Api(client=client).post(f"cases/{case.pk}/operations/accept/", {})
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    assert Api(client=client).get(f"cases/{case.pk}/").status_code == 200


def test_the_schema_and_its_docs_page_are_served_without_any_cdn(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert "/api/v1/cases/{ref}/operations/{operation}/" in schema.json()["paths"]
    page = client.get("/api/v1/docs/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(src.startswith("/") for src in scripts)
    assert client.get(scripts[0]).status_code == 200


def test_operations_take_files_in_a_form_body(world, clock, heating_system):
    case = do(new_case(world.operator, category="010101", area=world.east_grid), "accept", world.dispatcher)
    do(do(case, "assign", world.dispatcher), "sign_for", world.heating_handler)
    replied = heating_system.post(
        f"cases/{case.pk}/operations/reply/",
        {"note": "已修复", "attachments": [site_photo(case)]},
        multipart=True,
    )
    assert replied.status_code == 200, replied.json()
    assert replied.json()["status"] == "replied" and len(replied.json()["attachments"]) == 1


def test_an_integration_sees_only_the_attachments_it_added(world, clock, wechat, heating_system):
    api, _key = wechat
    case_id = api.post("cases/", {**DEMAND, "area": world.east_grid.code}).json()["id"]
    api.post(
        f"cases/{case_id}/attachments/", {"files": [site_photo(Case.objects.get(pk=case_id))]}, multipart=True
    )
    do(
        do(Case.objects.get(pk=case_id), "accept", world.dispatcher, category="010101"),
        "assign",
        world.dispatcher,
    )
    internal = SimpleUploadedFile("内部处理意见.txt", b"internal", content_type="text/plain")
    heating_system.post(f"cases/{case_id}/attachments/", {"files": [internal]}, multipart=True)
    seen = api.get(f"cases/{case_id}/").json()["attachments"]
    assert [a["name"] for a in seen] == [f"现场照片-{Case.objects.get(pk=case_id).tracking_number}.png"]
    hidden = Case.objects.get(pk=case_id).attachments.get(name="内部处理意见.txt")
    assert api.client.get(f"/api/v1/attachments/{hidden.pk}/", headers=api.headers).status_code == 404
    staff = heating_system.get(f"cases/{case_id}/").json()["attachments"]
    assert len(staff) == 2


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("cases/", {"received_to": "9999-12-31"}),
        ("cases/", {"received_from": "0001-01-01"}),
        ("measures/", {"period": "dates", "start": "2026-01-01", "end": "9999-12-31"}),
    ],
)
def test_absurd_dates_are_refused_not_crashed_on(world, dispatcher_api, path, params):
    response = dispatcher_api.get(path, params)
    assert response.status_code == 400 and response.json()["code"] == "invalid"


@pytest.mark.parametrize("ref", ["a%00b", "1;drop", "202611-", "9" * 30])
def test_odd_case_references_are_not_found(world, dispatcher_api, ref):
    response = dispatcher_api.get(f"cases/{ref}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_body_that_is_not_an_object_is_refused_with_an_idempotency_key(world, wechat):
    api, _key = wechat
    for body in (["a"], None, "abc", 5):
        response = api.client.post(
            "/api/v1/cases/",
            json.dumps(body),
            content_type="application/json",
            headers={**api.headers, "Idempotency-Key": "k"},
        )
        assert response.status_code == 400, (body, response.content)
    assert not Case.objects.exists()


def test_a_case_is_found_by_its_number_in_full_width_or_with_spaces(world, clock, dispatcher_api):
    case = new_case(world.operator)
    wide = str.maketrans("0123456789-", "０１２３４５６７８９－")

    for ref in (
        case.tracking_number,
        case.tracking_number.translate(wide),
        case.tracking_number.replace("-", " "),
    ):
        response = dispatcher_api.get(f"cases/{quote(ref)}/")
        assert response.status_code == 200, ref
        assert response.json()["id"] == case.pk
    assert dispatcher_api.get(f"cases/{case.pk}/").json()["tracking_number"] == case.tracking_number  # an id
    assert dispatcher_api.get("cases/209901-000001/").status_code == 404
    assert dispatcher_api.get("cases/not-a-number/").status_code == 404


def test_a_leaders_instruction_is_requested_through_the_api(world, clock, dispatcher_api):
    case = new_case(world.operator, category="010101")
    asked = dispatcher_api.post(
        f"cases/{case.pk}/operations/request_instruction/", {"leader": world.leader.pk, "note": "请示。"}
    )
    assert asked.status_code == 200, asked.json()
    assert case.instruction_requests.get().leader == world.leader
    refused = dispatcher_api.post(
        f"cases/{case.pk}/operations/request_instruction/", {"leader": world.supervisor.pk, "note": "请示。"}
    )
    assert refused.status_code == 400 and refused.json()["field"] == "leader"
