"""Contract test of the Open311 server: schemathesis generates query strings and form bodies (and
multipart uploads) for every GeoReport v2 endpoint from the OpenAPI description below and sends
them to the application in process. No request may cause a server error, and every answer must be
well-formed in the format it names (XML or JSON), errors included.

drf-spectacular describes only /api/v1/, so GeoReport v2 is described here, from the spec
(wiki.open311.org/GeoReport_v2) and mySociety's servicerequestupdates extension. MINYI_CONTRACT_EXAMPLES
sets the examples per operation (default 40).
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import cycle

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from minyi.api.keys import create_key
from tests.cases.helpers import do
from tests.open311.helpers import JPEG, demand, registered

EXAMPLES = int(os.environ.get("MINYI_CONTRACT_EXAMPLES", "40"))

TEXT = {"type": "string"}
FMT = {"name": "fmt", "in": "path", "required": True, "schema": {"type": "string", "enum": ["xml", "json"]}}
W3C = {"type": "string", "format": "date-time"}


def query(*names: str, **schemas: dict) -> list[dict]:
    return [{"name": n, "in": "query", "schema": schemas.get(n, TEXT)} for n in names] + [FMT]


def path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}


def form(properties: dict, *, media: bool) -> dict:
    """A request body sent urlencoded, or multipart with `media` photos."""
    body = {"type": "object", "properties": properties}
    content = {"application/x-www-form-urlencoded": {"schema": body}}
    if media:
        with_media = {**properties, "media": {"type": "string", "format": "binary"}}
        content["multipart/form-data"] = {"schema": {"type": "object", "properties": with_media}}
    return {"required": True, "content": content}


ANSWER = {"default": {"description": "the answer, or the spec's error list"}}
POST_REQUEST = {
    name: TEXT
    for name in (
        "api_key",
        "jurisdiction_id",
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "email",
        "device_id",
        "account_id",
        "first_name",
        "last_name",
        "phone",
        "description",
        "media_url",
        "attribute[demand_type]",
        "attribute[urgency]",
        "attribute[area_code]",
    )
}
POST_UPDATE = {
    name: TEXT
    for name in ("api_key", "service_request_id", "status", "description", "updated_datetime", "first_name")
}
GEOREPORT = {
    "openapi": "3.0.3",
    "info": {"title": "minyi Open311 GeoReport v2", "version": "2"},
    "paths": {
        "/open311/v2/discovery.{fmt}": {"get": {"parameters": [FMT], "responses": ANSWER}},
        "/open311/v2/services.{fmt}": {"get": {"parameters": query("jurisdiction_id"), "responses": ANSWER}},
        "/open311/v2/services/{code}.{fmt}": {
            "get": {"parameters": [path("code"), *query("jurisdiction_id")], "responses": ANSWER}
        },
        "/open311/v2/requests.{fmt}": {
            "get": {
                "parameters": query(
                    "api_key",
                    "jurisdiction_id",
                    "service_request_id",
                    "service_code",
                    "start_date",
                    "end_date",
                    "status",
                    start_date=W3C,
                    end_date=W3C,
                ),
                "responses": ANSWER,
            },
            "post": {
                "parameters": query("api_key"),
                "requestBody": form(POST_REQUEST, media=True),
                "responses": ANSWER,
            },
        },
        "/open311/v2/requests/{request_id}.{fmt}": {
            "get": {
                "parameters": [path("request_id"), *query("api_key", "jurisdiction_id")],
                "responses": ANSWER,
            }
        },
        "/open311/v2/tokens/{token}.{fmt}": {
            "get": {"parameters": [path("token"), *query("api_key", "jurisdiction_id")], "responses": ANSWER}
        },
        "/open311/v2/servicerequestupdates.{fmt}": {
            "get": {
                "parameters": query("api_key", "start_date", "end_date", start_date=W3C, end_date=W3C),
                "responses": ANSWER,
            },
            "post": {
                "parameters": query("api_key"),
                "requestBody": form(POST_UPDATE, media=True),
                "responses": ANSWER,
            },
        },
    },
}


@pytest.fixture
def open311(world, clock):
    """Cases at several stages, the keys of a writer, a unit and a reader, and real values the
    generated requests use now and then (generated codes and numbers hardly ever exist)."""
    writer = create_key("o311-wechat", channel="wechat")[1]
    unit = create_key("o311-heating", unit=world.heating)[1]
    reader = create_key("o311-screen", roles=["leader"])[1]
    assigned = do(do(registered(world), "accept", world.dispatcher), "assign", world.dispatcher)
    fresh = registered(world, title="路灯不亮")
    numbers = [assigned.tracking_number, fresh.tracking_number]
    real = {
        # Cycles of coprime lengths, so that every key meets every request in turn.
        "api_key": cycle([writer, unit, reader, None, "minyi_deadbeef_nonsense"]),
        "service_code": cycle(["0101", None, "010101", None]),
        "service_request_id": cycle([*numbers, None]),
        "request_id": cycle([*numbers, None]),
        "token": cycle([numbers[0], None]),
        "code": cycle(["0101", None, "010101"]),
        "jurisdiction_id": cycle([None, "minyi.example"]),
        "status": cycle([None, "open", "IN_PROGRESS", None, "closed", "open,closed", "FIXED"]),
        "attribute[area_code]": cycle([None, world.east_grid.code]),
        "media": cycle([None, JPEG]),
    }
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_dict(GEOREPORT)
    schema.app = get_wsgi_application()
    yield schema, real, writer
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def fill(values: dict | None, real: dict, *, add: tuple[str, ...] = ()) -> None:
    """Put a real value in place of a generated one, in turn (and give the `add` ones if missing)."""
    if not isinstance(values, dict):
        return
    for name, choices in real.items():
        if (name in values or name in add) and (value := next(choices)) is not None:
            values[name] = value


def well_formed(response, fmt: str):
    assert response.headers["content-type"][0].startswith(
        "text/xml" if fmt == "xml" else "application/json"
    ), response.headers
    return ET.fromstring(response.content) if fmt == "xml" else json.loads(response.content)


@pytest.mark.parametrize("public_read", [True, False])
def test_no_generated_open311_request_causes_a_server_error(open311, settings, public_read):
    settings.MINYI_OPEN311_PUBLIC_READ = public_read
    settings.MINYI_OPEN311_JURISDICTION = "minyi.example"
    schema, real, writer = open311
    complete = cycle([True, False])  # one demand in two is complete, so it gets past the checks
    statuses: dict[str, Counter] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case):
            fill(case.path_parameters, real)
            fill(case.query, real, add=("api_key",) if case.method == "GET" else ())
            # A form carries the key and the names of real things more often than generation would.
            fill(case.body, real, add=("api_key", "service_code", "service_request_id", "status"))
            if case.operation.label == "POST /open311/v2/requests.{fmt}" and next(complete):
                case.body.update(demand(writer, email=None, first_name=None, last_name=None, phone=None))
            response = case.call()
            assert response.status_code < 500, (case.as_curl_command(), response.text[:2000])
            body = well_formed(response, case.path_parameters["fmt"])
            if response.status_code >= 400:  # the spec's error list, with the HTTP status as its code
                code = int(body.findtext("error/code")) if isinstance(body, ET.Element) else body[0]["code"]
                assert code == response.status_code
            statuses.setdefault(case.operation.label, Counter())[response.status_code] += 1

        check()
    print({label: dict(seen) for label, seen in statuses.items()})
    assert len(statuses) == 9
    # Beyond refusals: services are listed, requests read and posted.
    assert statuses["POST /open311/v2/requests.{fmt}"][200] > 0
    assert statuses["GET /open311/v2/services.{fmt}"][200] > 0
    assert statuses["GET /open311/v2/requests/{request_id}.{fmt}"][200] > 0
    assert statuses["GET /open311/v2/services/{code}.{fmt}"][200] > 0
