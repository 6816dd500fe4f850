"""Idempotency-Key: a retried create returns the first case; the key reused for another body is 409."""

from __future__ import annotations

import pytest
from django.test import Client

from minyi.api.keys import create_key
from minyi.api.models import IdempotentRequest
from minyi.cases.models import Case
from minyi.notifications.worker import run_once
from tests.api.conftest import DEMAND, Api
from tests.cases.test_concurrency import race


def test_the_same_key_and_body_return_the_same_case(world, clock, wechat):
    api, _key = wechat
    first = api.post("cases/", DEMAND, **{"Idempotency-Key": "k-1"})
    again = api.post("cases/", DEMAND, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    reordered = dict(reversed(list(DEMAND.items())))  # the same body, keys in another order
    assert api.post("cases/", reordered, **{"Idempotency-Key": "k-1"}).json()["id"] == first.json()["id"]


def test_the_same_key_with_another_body_is_a_conflict(world, clock, wechat):
    api, _key = wechat
    api.post("cases/", DEMAND, **{"Idempotency-Key": "k-2"})
    other = api.post("cases/", {**DEMAND, "title": "另一件事"}, **{"Idempotency-Key": "k-2"})
    assert other.status_code == 409 and other.json()["field"] == "Idempotency-Key"
    assert Case.objects.count() == 1


def test_a_failed_request_stores_nothing_and_may_be_retried_with_its_key(world, clock, wechat):
    api, _key = wechat
    failed = api.post("cases/", {**DEMAND, "area": "nowhere"}, **{"Idempotency-Key": "k-3"})
    assert failed.status_code == 400 and not IdempotentRequest.objects.exists()
    assert api.post("cases/", DEMAND, **{"Idempotency-Key": "k-3"}).status_code == 201


def test_keys_are_per_account_and_forgotten_after_the_window(world, clock, wechat):
    api, _key = wechat
    _other, raw = create_key("sms", channel="mobile")
    api.post("cases/", DEMAND, **{"Idempotency-Key": "same"})
    assert Api(raw).post("cases/", DEMAND, **{"Idempotency-Key": "same"}).status_code == 201
    assert Case.objects.count() == 2
    clock.advance(hours=25)
    assert run_once()["idempotency"] == 2 and not IdempotentRequest.objects.exists()


def test_an_absurd_key_is_refused(world, wechat):
    api, _key = wechat
    response = api.post("cases/", DEMAND, **{"Idempotency-Key": "x" * 300})
    assert response.status_code == 400 and not Case.objects.exists()


@pytest.mark.postgres_only
def test_concurrent_identical_requests_create_one_case(tx_world, clock):
    _key, raw = create_key("wechat-front", channel="wechat")

    def send():
        return Api(raw, Client()).post("cases/", DEMAND, **{"Idempotency-Key": "race-1"})

    responses = race(*[send for _ in range(6)])
    assert all(getattr(r, "status_code", None) == 201 for r in responses), responses
    assert len({r.json()["id"] for r in responses}) == 1
    assert Case.objects.count() == 1 and IdempotentRequest.objects.count() == 1
