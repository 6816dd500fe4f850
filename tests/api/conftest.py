from __future__ import annotations

import json

import pytest
from django.test import Client

from minyi.api.keys import create_key


class Api:
    """The Django test client speaking JSON with an API key (or a logged-in session)."""

    def __init__(self, raw_key: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {raw_key}"} if raw_key else {}

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get(f"/api/v1/{path}", params or {}, headers={**self.headers, **headers})

    def post(self, path: str, data: dict | None = None, *, multipart: bool = False, **headers):
        url = f"/api/v1/{path}"
        if multipart:
            return self.client.post(url, data or {}, headers={**self.headers, **headers})
        return self.client.post(
            url, json.dumps(data or {}), content_type="application/json", headers={**self.headers, **headers}
        )


DEMAND = {
    "demand_type": "complaint",
    "title": "小区暖气不热",
    "description": "幸福小区3号楼暖气只有十四度，请尽快处理。",
    "requester_name": "张三",
    "requester_phone": "13812341234",
}


@pytest.fixture
def wechat(world):
    """The WeChat front's key: an integration registering demands of the channel wechat."""
    key, raw = create_key("wechat-front", channel="wechat")
    return Api(raw), key


@pytest.fixture
def heating_system(world):
    """The heating company's own system, acting as the company's handler."""
    _key, raw = create_key("heating-system", unit=world.heating)
    return Api(raw)


@pytest.fixture
def dispatcher_api(world):
    client = Client(enforce_csrf_checks=False)
    client.force_login(world.dispatcher)
    return Api(client=client)
