"""Input the Open311 forms of other cities never send, but a fuzzer (or an attacker) does: control
characters and NUL. The answer is the spec's 400 or 404, well-formed in its format, never a 500."""

from __future__ import annotations

import pytest

from minyi.cases.models import Case
from tests.open311.helpers import FORMATS, call, demand, expect_error, registered


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_control_character_echoed_in_an_error_keeps_the_xml_well_formed(world, clock, client, fmt):
    description = expect_error(client, "GET", "services/a\x01b", fmt, status=404)
    assert "a\ufffdb" in description if fmt == "xml" else "a\x01b" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_nul_in_a_query_parameter_is_refused(world, clock, client, fmt):
    registered(world)
    description = expect_error(
        client, "GET", "requests", fmt, {"service_request_id": "2026\x0011"}, status=400
    )
    assert "service_request_id must not contain the NUL character" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_nul_in_the_path_is_refused(world, clock, client, fmt):
    case = registered(world)
    expect_error(client, "GET", f"requests/{case.tracking_number}%00", fmt, status=400)


def test_nul_in_a_posted_description_stores_nothing(world, clock, client, wechat_key):
    description = expect_error(
        client,
        "POST",
        "requests",
        "json",
        demand(wechat_key, description="暖气\x00不热，室温十四度"),
        status=400,
    )
    assert "description must not contain the NUL character" in description
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("3612-09-30T01:49:29+08:00", None),
        ("9999-12-31T00:00:00+08:00", None),  # the default window after it is past year 9999
        (None, "0001-01-02"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_date_out_of_range_is_refused(world, clock, client, fmt, start, end):
    registered(world)
    given = {"start_date": start, "end_date": end}
    data = {name: value for name, value in given.items() if value}
    description = expect_error(client, "GET", "requests", fmt, data, status=400)
    assert "out of range" in description


def test_a_far_offset_within_range_is_read_in_utc(world, clock, client):
    """-20:51 is an offset Python accepts and PostgreSQL does not: the search runs in UTC."""
    case = registered(world)
    found = call(client, "GET", "requests", "json", {"start_date": "2026-11-24T00:00:00-20:51"})
    assert [row["service_request_id"] for row in found] == [case.tracking_number]
