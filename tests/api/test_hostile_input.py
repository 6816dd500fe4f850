"""Hostile input through the API's text fields, JSON only can carry (lone surrogates) included: a
400 naming the field and nothing stored, or the value stored as sent and read back the same."""

from __future__ import annotations

import json

import pytest
from rest_framework import serializers

from minyi.api.serializers import CaseIn, OperationIn
from minyi.cases.models import Case, CaseEvent
from tests.api.conftest import DEMAND
from tests.cases.helpers import do, new_case
from tests.web.hostile import LONG, PAYLOADS

ALL = {**PAYLOADS, **LONG, "lone-surrogate": "before\ud800after", "reversed-surrogates": "\udc00\ud800"}
TEXT_FIELDS = [name for name, field in CaseIn().fields.items() if type(field) is serializers.CharField]


def raw_json(data: dict) -> str:
    # json.dumps escapes a lone surrogate as \\ud800: what a client in another language may send.
    return json.dumps(data)


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_payload_in_a_text_field_of_a_new_case_is_refused_or_stored_as_sent(world, clock, wechat, field):
    api, _key = wechat
    for name, payload in ALL.items():
        before = Case.objects.count(), CaseEvent.objects.count()

        response = api.client.post(
            "/api/v1/cases/", raw_json({**DEMAND, field: payload}), content_type="application/json",
            headers=api.headers,
        )  # fmt: skip

        assert response.status_code in (201, 400), (name, response.status_code)
        if response.status_code == 400:
            assert response.json()["field"] == field or field in json.dumps(response.json()), name
            assert (Case.objects.count(), CaseEvent.objects.count()) == before, name
            continue
        assert name not in ("nul", "lone-surrogate", "reversed-surrogates"), name
        created = Case.objects.get(pk=response.json()["id"])
        assert getattr(created, field) == payload.strip(), name


def test_a_lone_surrogate_in_a_note_is_refused(world, clock, heating_system):
    assert "note" in OperationIn().fields
    case = new_case(world.operator, category="0101")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    do(case, "sign_for", world.heating_handler)
    before = CaseEvent.objects.count()

    response = heating_system.client.post(
        f"/api/v1/cases/{case.tracking_number}/operations/reply/", raw_json({"note": "已处理\ud800"}),
        content_type="application/json", headers=heating_system.headers,
    )  # fmt: skip

    assert response.status_code == 400
    assert CaseEvent.objects.count() == before
