"""Calling the Open311 server in tests and reading its answers in either format.

`call` returns the parsed body: an xml.etree element for .xml, the decoded value for .json.
`rows` turns a list answer of either format into dicts of strings, so one assertion serves both.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from minyi.cases.models import Case
from tests import images
from tests.cases.helpers import new_case

BASE = "/open311/v2/"
FORMATS = ["xml", "json"]

# Element names of GeoReport v2 (wiki.open311.org/GeoReport_v2) and of mySociety's extension.
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
VALUE_FIELDS = {"key", "name"}
POSTED_FIELDS = {"service_request_id", "token", "service_notice", "account_id"}
TOKEN_FIELDS = {"service_request_id", "token"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
UPDATE_FIELDS = {"update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"}
ERROR_FIELDS = {"code", "description"}

JPEG = images.jpeg()  # a real photo: it is decoded
PHP = b"<?php system($_GET['c']); ?>"


def url(resource: str, fmt: str) -> str:
    return f"{BASE}{resource}.{fmt}"


def parse(response, fmt: str):
    if fmt == "xml":
        assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
        assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        return ET.fromstring(response.content)
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def call(client, method: str, resource: str, fmt: str, data: dict | None = None, *, status: int = 200):
    """GET or POST /open311/v2/<resource>.<fmt> and return the parsed body, checking the status."""
    send = client.get if method == "GET" else client.post
    response = send(url(resource, fmt), data or {})
    assert response.status_code == status, response.content.decode()[:2000]
    return parse(response, fmt)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rows(body, fmt: str, *, root: str, item: str) -> list[dict[str, str]]:
    """A list answer as [{field: text}], checking the XML root and item element names."""
    if fmt == "xml":
        assert body.tag == root
        assert all(child.tag == item for child in body)
        return [{el.tag: el.text or "" for el in child} for child in body]
    assert isinstance(body, list)
    return [{key: _text(value) for key, value in entry.items()} for entry in body]


def error_of(body, fmt: str) -> tuple[int, str]:
    """(code, description) of the spec's error answer, checking its shape."""
    if fmt == "xml":
        assert body.tag == "errors"
        (error,) = list(body)
        assert error.tag == "error"
        assert {el.tag for el in error} == ERROR_FIELDS
        return int(error.findtext("code")), error.findtext("description")
    (error,) = body
    assert set(error) == ERROR_FIELDS
    assert isinstance(error["code"], int)
    return error["code"], error["description"]


def expect_error(client, method, resource, fmt, data=None, *, status: int) -> str:
    code, description = error_of(call(client, method, resource, fmt, data, status=status), fmt)
    assert code == status
    assert description
    return description


def demand(key: str | None, **overrides) -> dict:
    """A valid POST requests body (heating, with coordinates)."""
    data = {
        "api_key": key,
        "service_code": "0101",
        "lat": "39.912345",
        "long": "116.401234",
        "description": "幸福小区3号楼暖气不热。室温只有十四度，老人受不了。",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812341234",
        "email": "zhang@example.com",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def registered(world, **overrides) -> Case:
    """A heating complaint in 东城一网格, registered by the operator at the hotline."""
    fields = dict(category="0101", area=world.east_grid, address="幸福小区3号楼2单元301")
    fields.update(overrides)
    return new_case(world.operator, **fields)
