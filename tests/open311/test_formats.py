"""XML and JSON from one value; datetimes in local time with +08:00; the spec's error shape."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest

from minyi.core.errors import InvalidInput
from minyi.open311 import formats, params


def test_xml_escapes_text_and_names_list_items():
    body = formats.to_xml(
        "service_requests", [{"description": "<b>&</b>", "lat": None, "ok": True}], "request"
    )
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(body)
    (request,) = root
    assert request.tag == "request"
    assert request.findtext("description") == "<b>&</b>"
    assert request.findtext("lat") == "" and request.findtext("ok") == "true"
    nested = ET.fromstring(formats.to_xml("service_definition", {"attributes": [{"values": [{"key": "a"}]}]}))
    assert nested.find("attributes/attribute/values/value/key").text == "a"


def test_datetimes_are_local_w3c_in_both_formats():
    moment = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
    assert formats.w3c(moment) == "2026-11-25T09:00:00+08:00"
    assert json.loads(formats.to_json({"at": moment})) == {"at": "2026-11-25T09:00:00+08:00"}
    assert ET.fromstring(formats.to_xml("x", {"at": moment})).findtext("at") == "2026-11-25T09:00:00+08:00"


def test_json_keeps_chinese_readable():
    assert "供热".encode() in formats.to_json({"name": "供热"})


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_error_shape(fmt):
    response = formats.error(fmt, 400, "bad")
    assert response.status_code == 400
    if fmt == "xml":
        root = ET.fromstring(response.content)
        assert [(e.findtext("code"), e.findtext("description")) for e in root.iter("error")] == [
            ("400", "bad")
        ]
    else:
        assert json.loads(response.content) == [{"code": 400, "description": "bad"}]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-25T09:00:00+08:00", "2026-11-25T01:00:00+00:00"),
        ("2026-11-25T01:00:00Z", "2026-11-25T01:00:00+00:00"),
        ("2026-11-25T09:00:00 08:00", "2026-11-25T01:00:00+00:00"),  # an unencoded "+"
        ("2026-11-25T09:00:00", "2026-11-25T01:00:00+00:00"),  # no offset: local time
        ("2026-11-25", "2026-11-24T16:00:00+00:00"),
    ],
)
def test_w3c_dates(text, expected):
    assert params.parse_w3c(text, "start_date").astimezone(dt.UTC).isoformat() == expected


@pytest.mark.parametrize("text", ["tomorrow", "25/11/2026", "2026-11-25T25:00:00Z"])
def test_bad_dates(text):
    with pytest.raises(InvalidInput) as caught:
        params.parse_w3c(text, "end_date")
    assert "end_date" in caught.value.message
