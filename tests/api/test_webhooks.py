"""Signed channel webhooks: the signature, the timestamp window, replays and retried deliveries."""

from __future__ import annotations

import json

import pytest

from minyi.api.keys import create_key
from minyi.api.webhooks import sign
from minyi.cases.models import Case
from minyi.core import clock as minyi_clock
from tests.api.conftest import DEMAND


@pytest.fixture
def channel_key(world):
    key, _raw = create_key("wechat-front", channel="wechat")
    return key


def post(client, key, body: dict | bytes, *, channel="wechat", timestamp=None, secret=None, signature=None):
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    ts = str(int(minyi_clock.now().timestamp()) if timestamp is None else timestamp)
    headers = {
        "X-Minyi-Key-Id": key.prefix,
        "X-Minyi-Timestamp": ts,
        "X-Minyi-Signature": signature or sign(secret or key.signing_secret, ts, raw),
    }
    return client.post(f"/api/v1/webhooks/{channel}/", raw, content_type="application/json", headers=headers)


def test_a_signed_demand_becomes_a_case_of_the_channel(world, clock, client, channel_key):
    response = post(client, channel_key, {**DEMAND, "external_id": "wx-1", "area": world.east_grid.code})
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert (case.channel, case.external_id, case.created_by) == ("wechat", "wx-1", channel_key.user)
    assert response.json()["query_code"] == case.query_code


def test_a_wrong_signature_secret_or_key_is_refused(world, clock, client, channel_key):
    assert post(client, channel_key, DEMAND, secret="not-the-secret").status_code == 401
    assert post(client, channel_key, DEMAND, signature="sha256=00").json()["code"] == "bad_signature"
    other, _raw = create_key("sms", channel="mobile")
    assert post(client, other, DEMAND, channel="wechat").status_code == 401  # a key of another channel
    assert post(client, channel_key, DEMAND, channel="pigeon").status_code == 404
    missing = client.post("/api/v1/webhooks/wechat/", json.dumps(DEMAND), content_type="application/json")
    assert missing.status_code == 401 and "X-Minyi-Signature" in missing.json()["message"]
    assert not Case.objects.exists()


def test_a_body_changed_after_signing_is_refused(world, clock, client, channel_key):
    ts = str(int(minyi_clock.now().timestamp()))
    signature = sign(channel_key.signing_secret, ts, json.dumps(DEMAND).encode())
    tampered = json.dumps({**DEMAND, "title": "改过的"}).encode()
    assert post(client, channel_key, tampered, timestamp=ts, signature=signature).status_code == 401


def test_an_old_timestamp_is_refused(world, clock, client, channel_key):
    old = int(minyi_clock.now().timestamp()) - 301
    response = post(client, channel_key, DEMAND, timestamp=old)
    assert response.status_code == 401 and "301" in response.json()["message"]
    assert post(client, channel_key, DEMAND, timestamp="yesterday").status_code == 401


def test_the_same_signed_request_twice_is_a_replay(world, clock, client, channel_key):
    ts = int(minyi_clock.now().timestamp())
    assert post(client, channel_key, DEMAND, timestamp=ts).status_code == 201
    replay = post(client, channel_key, DEMAND, timestamp=ts)
    assert replay.status_code == 409 and replay.json()["code"] == "replayed"
    assert Case.objects.count() == 1


def test_a_retried_delivery_with_the_same_external_id_returns_the_first_case(
    world, clock, client, channel_key
):
    first = post(client, channel_key, {**DEMAND, "external_id": "wx-9"})
    clock.advance(seconds=30)  # re-signed a little later: a new signature, the same message
    again = post(client, channel_key, {**DEMAND, "external_id": "wx-9"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and Case.objects.count() == 1


def test_invalid_bodies_say_what_to_fix(world, clock, client, channel_key):
    not_json = post(client, channel_key, b"\xff\xfe")
    assert not_json.status_code == 400 and "JSON" in not_json.json()["message"]
    no_title = post(client, channel_key, {"demand_type": "help", "description": "x"})
    assert no_title.status_code == 400 and no_title.json()["field"] == "title"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda sig: " " + sig,  # a whitespace variant of an accepted signature is not a new one
        lambda sig: "\t" + sig,
        lambda sig: sig.upper().replace("SHA256=", "sha256=") + "é",
    ],
)
def test_variants_of_an_accepted_signature_are_refused(world, clock, client, channel_key, mangle):
    ts = int(minyi_clock.now().timestamp())
    raw = json.dumps(DEMAND, ensure_ascii=False).encode()
    signature = sign(channel_key.signing_secret, ts, raw)
    assert post(client, channel_key, raw, timestamp=ts, signature=signature).status_code == 201
    replay = post(client, channel_key, raw, timestamp=ts, signature=mangle(signature))
    assert replay.status_code in (401, 409) and Case.objects.count() == 1


def test_absurd_headers_are_refused_not_crashed_on(world, clock, client, channel_key):
    assert post(client, channel_key, DEMAND, timestamp="9" * 400).status_code == 401
    deep = b"[" * 100000 + b"]" * 100000
    assert post(client, channel_key, deep).status_code == 400
