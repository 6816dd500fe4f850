"""What the API does with bodies and parameters it cannot take: a JSON body nested too deeply, not
JSON, or over the size limit; coordinates that are no place; page parameters that are no page
number. Every refusal is the API's JSON error (Open311's error list under /open311/) with a message
that says what is wrong; nothing is stored.

What only a real server shows (gunicorn's 414 and 431, a body read to its end after the answer) is
in tests/web/test_server_limits.py.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver
from rest_framework.parsers import JSONParser as DrfJSONParser
from rest_framework.views import APIView

from minyi.api import parsers
from minyi.api.webhooks import sign
from minyi.cases.models import Case
from minyi.core import clock as minyi_clock
from tests.api.conftest import DEMAND
from tests.cases.helpers import do, new_case
from tests.open311.helpers import demand as open311_demand
from tests.open311.helpers import error_of, parse

DEEP_OBJECT = b'{"a":' * 100_000
DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000


def just_too_deep() -> bytes:
    """An object nested one level more than the parser takes (deep enough to matter downstream,
    shallow enough for Python's own parser)."""
    depth = parsers.MAX_DEPTH + 1
    return json.dumps({**DEMAND, "title": json.loads("[" * (depth - 1) + "]" * (depth - 1))}).encode()


def signed_post(client, key, raw: bytes, channel: str = "wechat"):
    ts = str(int(minyi_clock.now().timestamp()))
    headers = {
        "X-Minyi-Key-Id": key.prefix,
        "X-Minyi-Timestamp": ts,
        "X-Minyi-Signature": sign(key.signing_secret, ts, raw),
    }
    return client.post(f"/api/v1/webhooks/{channel}/", raw, content_type="application/json", headers=headers)


@pytest.fixture
def channel_key(world):
    from minyi.api.keys import create_key

    return create_key("wechat-hook", channel="wechat")[0]


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), so the assertions hold whatever the catalogue says."""
    settings.LANGUAGE_CODE = "en"


def assert_malformed(response, words: str) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "malformed" and words in body["message"], body


# --- one JSON parser ---------------------------------------------------------------------------


def api_views():
    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            elif isinstance(getattr(pattern.callback, "cls", None), type):
                yield pattern.callback.cls

    (api,) = [p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/"]
    return [view for view in walk(api.url_patterns) if issubclass(view, APIView)]


def test_every_api_view_parses_json_with_the_one_parser():
    assert "minyi.api.parsers.JSONParser" in settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]
    views = api_views()
    assert len(views) >= 10
    for view in views:
        json_parsers = [p for p in view.parser_classes if issubclass(p, DrfJSONParser)]
        assert all(p is parsers.JSONParser for p in json_parsers), (view, view.parser_classes)


@pytest.mark.parametrize("body", [DEEP_OBJECT, DEEP_ARRAY], ids=["object", "array"])
def test_deeply_nested_json_is_a_400_that_says_so_on_every_endpoint(world, clock, wechat, channel_key, body):
    api, _key = wechat
    tracking_number = api.post("cases/", DEMAND).json()["tracking_number"]  # its own case
    for path in ("cases/", f"cases/{tracking_number}/operations/withdraw/"):
        response = api.client.post(
            f"/api/v1/{path}", body, content_type="application/json", headers=api.headers
        )
        assert_malformed(response, "nested too deeply")
    assert_malformed(signed_post(api.client, channel_key, body), "nested too deeply")
    assert Case.objects.count() == 1


def test_nesting_just_over_the_limit_is_refused_and_within_it_reaches_the_fields(world, clock, wechat):
    api, _key = wechat
    too_deep = api.client.post(
        "/api/v1/cases/", just_too_deep(), content_type="application/json", headers=api.headers
    )
    assert_malformed(too_deep, str(parsers.MAX_DEPTH))
    nested_title = {**DEMAND, "title": [["路灯"]]}  # parsed, then refused by the field itself
    response = api.post("cases/", nested_title)
    assert response.status_code == 400 and response.json()["field"] == "title"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "body, words",
    [
        (b'{"title": NaN}', "not valid JSON"),
        (b'{"latitude": Infinity}', "not valid JSON"),
        (b'{"title": "x"', "not valid JSON"),
        (b"\xff\xfe{}", "not valid"),
        (b'{"n": ' + b"9" * 5000 + b"}", "a whole number of 5000 digits: at most 1000"),
        (b'{"n": -' + b"9" * 1001 + b"}", "a whole number of 1001 digits: at most 1000"),
    ],
)
def test_a_body_that_is_not_json_is_a_400_that_says_so(world, clock, wechat, body, words):
    api, _key = wechat
    response = api.client.post("/api/v1/cases/", body, content_type="application/json", headers=api.headers)
    assert_malformed(response, words)
    assert "sys." not in response.json()["message"]  # Python's own advice is no use to a client


def test_a_number_of_many_digits_within_the_limit_reaches_the_field(world, clock, wechat):
    api, _key = wechat
    body = json.dumps({**DEMAND, "urgency": 0}).replace('"urgency": 0', '"urgency": ' + "9" * 1000)
    response = api.client.post("/api/v1/cases/", body, content_type="application/json", headers=api.headers)
    assert response.status_code == 400 and response.json()["field"] == "urgency"


def test_a_body_that_starts_with_a_byte_order_mark_is_read(world, clock, wechat, channel_key):
    """Windows tools write UTF-8 with a BOM; JSON allows a parser to ignore it (RFC 8259, 8.1)."""
    api, _key = wechat
    bom = b"\xef\xbb\xbf"
    body = bom + json.dumps(DEMAND).encode()
    response = api.client.post("/api/v1/cases/", body, content_type="application/json", headers=api.headers)
    assert response.status_code == 201, response.content[:300]
    hook = signed_post(api.client, channel_key, bom + json.dumps({**DEMAND, "external_id": "w-1"}).encode())
    assert hook.status_code in (200, 201), hook.content[:300]


def test_the_webhook_body_must_be_a_json_object(world, clock, client, channel_key):
    response = signed_post(client, channel_key, b'["a list"]')
    assert response.status_code == 400 and "JSON object" in response.json()["message"]


# --- coordinates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["latitude", "longitude"])
@pytest.mark.parametrize(
    "value", ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-inf", "1e999999", "1_0", "３４.７", "1e1", "٣٤"]
)
def test_coordinates_that_are_no_place_are_400_naming_the_field(world, clock, wechat, field, value):
    api, _key = wechat
    as_json = api.post("cases/", {**DEMAND, field: value})
    as_form = api.post("cases/", {**DEMAND, field: value}, multipart=True)
    for response in (as_json, as_form):
        assert response.status_code == 400, response.content[:300]
        assert response.json()["field"] == field
    assert not Case.objects.exists()


# --- bodies over the size limit ------------------------------------------------------------------

LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def over_the_limit(extra: int = 1) -> bytes:
    return json.dumps({**DEMAND, "description": "x" * (LIMIT + extra)}).encode()


def test_a_json_body_over_the_limit_is_a_json_413_naming_the_limit(world, clock, wechat, channel_key):
    api, _key = wechat
    tracking_number = api.post("cases/", DEMAND).json()["tracking_number"]  # its own case
    for path in ("cases/", f"cases/{tracking_number}/operations/withdraw/"):
        response = api.client.post(
            f"/api/v1/{path}", over_the_limit(), content_type="application/json", headers=api.headers
        )
        assert response.status_code == 413, response.content[:300]
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "too_large" and str(LIMIT) in response.json()["message"]
    webhook = signed_post(api.client, channel_key, over_the_limit())
    assert webhook.status_code == 413 and webhook.json()["code"] == "too_large"
    assert Case.objects.count() == 1


def test_form_fields_over_the_limit_are_a_413_files_are_not_counted(world, clock, wechat):
    api, _key = wechat
    response = api.post("cases/", {**DEMAND, "description": "x" * (LIMIT + 1)}, multipart=True)
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_too_many_parameters_are_a_json_400(world, clock, wechat):
    api, _key = wechat
    many = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = api.client.get("/api/v1/cases/", many, headers=api.headers)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert str(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) in response.json()["message"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_open311_bodies_over_the_limit_are_its_own_413(world, clock, client, fmt):
    data = open311_demand("no-key-needed-to-be-refused", description="x" * (LIMIT + 1))
    response = client.post(f"/open311/v2/requests.{fmt}", data)
    assert response.status_code == 413
    code, description = error_of(parse(response, fmt), fmt)
    assert code == 413 and str(LIMIT) in description


@pytest.mark.parametrize("csrf", [False, True], ids=["read-by-the-view", "read-by-the-csrf-middleware"])
def test_console_and_portal_get_a_413_page(world, clock, csrf):
    client = Client(enforce_csrf_checks=csrf)
    for path in ("/submit/", "/console/login/"):
        client.get(path)  # the CSRF cookie: the middleware then looks for the token in the body
        response = client.post(path, {"description": "x" * (LIMIT + 1)})
        assert response.status_code == 413, path
        assert response["Content-Type"].startswith("text/html")
        assert str(LIMIT) in response.content.decode()


def test_a_host_not_allowed_is_a_json_400_for_api_clients(client):
    response = client.get("/api/v1/categories/", HTTP_HOST="evil.example")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    page = client.get("/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


# --- page parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["page", "page_size"])
@pytest.mark.parametrize("value", ["null", "0", "-1", "1.5", "last", "１", " 2"])
def test_a_page_parameter_that_is_no_whole_number_from_1_is_a_400(world, dispatcher_api, name, value):
    for path in ("categories/", "cases/", "units/"):
        response = dispatcher_api.get(path, {name: value})
        assert response.status_code == 400, (path, response.content[:200])
        assert response.json()["field"] == name


def test_page_parameters_left_empty_or_large(world, dispatcher_api):
    everything = dispatcher_api.get("categories/").json()
    assert dispatcher_api.get("categories/", {"page": "", "page_size": ""}).json() == everything
    capped = dispatcher_api.get("categories/", {"page_size": "9" * 30}).json()
    assert len(capped["results"]) == min(everything["count"], 200)
    past = dispatcher_api.get("categories/", {"page": "9" * 30})
    assert past.status_code == 404 and past.json()["code"] == "not_found"
    assert dispatcher_api.get("categories/", {"page": "02", "page_size": "1"}).json()["results"] == [
        everything["results"][1]
    ]


# --- what the schema says is what the server does ----------------------------------------------------


def parameters(schema: dict, path: str, method: str = "get") -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][f"/api/v1/{path}"][method]["parameters"]}


def test_the_schema_states_the_refusals(world, clock):
    schema = Client().get("/api/v1/openapi.json").json()
    cases = parameters(schema, "cases/")
    assert cases["page"]["schema"] == cases["page_size"]["schema"] == {"type": "integer", "minimum": 1}
    assert cases["area"]["schema"]["minimum"] == cases["unit"]["schema"]["minimum"] == 1
    assert cases["q"]["schema"]["maxLength"] == 200
    assert cases["page"]["allowEmptyValue"] and "allowEmptyValue" not in cases["status"]
    knowledge = parameters(schema, "knowledge/")["q"]["schema"]
    assert knowledge["minLength"] == 1 and knowledge["pattern"] == r"\S"
    measures = parameters(schema, "measures/")
    assert "both dates" in measures["period"]["description"]
    download = schema["paths"]["/api/v1/attachments/{attachment_id}/"]["get"]["responses"]["200"]
    assert set(download["content"]) == {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "application/octet-stream",
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"414", "431"} <= set(operation["responses"]), (method, path)
            for status in ("411", "413"):
                assert (status in operation["responses"]) == ("requestBody" in operation), (method, path)


@pytest.mark.parametrize(
    ("year", "taken"), [("1989", False), ("1990", True), ("2026", True), ("2199", True), ("2200", False)]
)
def test_the_dates_of_the_schema_are_the_dates_of_the_filters(world, dispatcher_api, year, taken):
    import re

    from minyi.api.views.common import DATE

    assert bool(re.search(DATE["pattern"], f"{year}-06-01")) == taken
    response = dispatcher_api.get("cases/", {"received_from": f"{year}-06-01"})
    assert (response.status_code == 200) == taken
    measures = dispatcher_api.get("measures/", {"start": f"{year}-06-01", "end": f"{year}-06-30"})
    assert (measures.status_code == 200) == taken


def test_blank_knowledge_questions_are_refused_as_the_schema_says(world, dispatcher_api):
    for q in ("", " ", "\t\n"):
        response = dispatcher_api.get("knowledge/", {"q": q})
        assert response.status_code == 400 and response.json()["field"] == "q"


def test_a_wrong_knowledge_limit_is_refused_and_a_blank_one_is_not_given(world, dispatcher_api):
    for limit in ("ten", "1.5"):
        response = dispatcher_api.get("knowledge/", {"q": "暖气", "limit": limit})
        assert response.status_code == 400 and response.json()["field"] == "limit", limit
    assert dispatcher_api.get("knowledge/", {"q": "暖气", "limit": ""}).status_code == 200  # allowEmptyValue
    assert (
        dispatcher_api.get("knowledge/", {"q": "暖气", "limit": "500"}).status_code == 200
    )  # brought within


def test_a_photo_is_downloaded_as_what_it_is(world, clock, dispatcher_api):
    from minyi.demo.stories import site_photo

    case = new_case(world.operator)
    do(case, "attach", world.dispatcher, attachments=[site_photo(case)])
    attachment = case.attachments.get()
    response = dispatcher_api.client.get(f"/api/v1/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == attachment.content_type


# --- query parameters the operation does not take -----------------------------------------------------


def test_a_filter_the_list_does_not_have_is_refused_not_ignored(world, clock, dispatcher_api):
    """?requester_phone= answered every case: the client took the list for filtered by the phone."""
    new_case(world.operator)
    response = dispatcher_api.get("cases/", {"requester_phone": "13900000000", "page": "1"})
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == "requester_phone"
    assert body["message"].startswith("requester_phone is not a parameter of this address: it takes area,")
    for known in ("area", "q", "status", "page", "page_size"):
        assert known in body["message"] and known in body["details"]["known"]
    assert body["details"]["unknown"] == ["requester_phone"]
    two = dispatcher_api.get("cases/", {"phone": "1", "format": "json"})
    assert two.status_code == 400 and two.json()["details"]["unknown"] == ["phone", "format"]
    assert dispatcher_api.get("cases/", {"page": "1", "q": "暖气", "status": "received"}).status_code == 200


def test_the_key_is_checked_before_the_parameters(world, client):
    response = client.get("/api/v1/cases/", {"requester_phone": "13900000000"})
    assert response.status_code == 401


def test_every_read_takes_exactly_the_query_parameters_its_schema_declares(world, clock, dispatcher_api):
    from django.urls import resolve

    from minyi.demo.stories import site_photo

    case = new_case(world.operator)
    do(case, "attach", world.dispatcher, attachments=[site_photo(case)])
    values = {"ref": case.tracking_number, "attachment_id": str(case.attachments.get().pk)}
    schema = Client().get("/api/v1/openapi.json").json()
    reads = [
        (path, operation)
        for path, ops in schema["paths"].items()
        for m, operation in ops.items()
        if m == "get"
    ]
    assert len(reads) >= 10
    for path, operation in reads:
        url = path.format(**values)
        declared = sorted(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
        assert resolve(url).func.cls.known_parameters() == declared, path
        response = dispatcher_api.client.get(url, {"no_such_parameter": "1"})
        assert response.status_code == 400, (path, response.content[:200])
        assert response.json()["field"] == "no_such_parameter", path


def test_every_read_documents_the_refusal_of_an_unknown_parameter():
    """Every GET refuses a parameter it does not declare (400): the schema must say so, or a client
    checking answers against it (schemathesis did, once in a while) sees an undocumented status."""
    schema = Client().get("/api/v1/openapi.json").json()
    reads = [(path, ops["get"]) for path, ops in schema["paths"].items() if "get" in ops]
    assert reads
    assert [path for path, operation in reads if "400" not in operation["responses"]] == []
