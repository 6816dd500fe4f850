"""A body sent in chunks (Transfer-Encoding: chunked, no Content-Length) cannot be read by Django
under WSGI: it would see an empty body and answer as if nothing had been sent ("demand_type
required", Open311's "api_key required"), or take a body over the size limit without a 413. Such a
request is refused with 411 Length Required before any view runs, in the client's format.

Through a real server (gunicorn hands the chunks on): tests/web/test_server_limits.py.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.test.client import FakePayload

from minyi.api.keys import create_key
from minyi.cases.models import Case
from tests.api.conftest import DEMAND, Api
from tests.open311.helpers import demand as open311_demand
from tests.open311.helpers import error_of, parse


def chunked(body: bytes) -> bytes:
    """`body` as one chunk and the last chunk, as a client streaming it would send it."""
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n"


def send_chunked(client: Client, method: str, path: str, body: bytes, content_type: str, **headers):
    """The request as gunicorn hands it to Django: Transfer-Encoding given, no CONTENT_LENGTH."""
    return client.generic(
        method,
        path,
        headers={"Transfer-Encoding": "chunked", **headers},
        CONTENT_TYPE=content_type,
        **{"wsgi.input": FakePayload(chunked(body))},
    )


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def wechat(world):
    return Api(create_key("wechat-front", channel="wechat")[1])


def test_a_chunked_api_body_is_a_json_411_not_an_empty_body(world, clock, wechat):
    api = wechat
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        body = json.dumps(DEMAND).encode()
        response = send_chunked(api.client, method, "/api/v1/cases/", body, "application/json", **api.headers)
        assert response.status_code == 411, (method, response.content[:300])
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["code"] == "length_required" and "Content-Length" in body["message"]
    assert not Case.objects.exists()


def test_the_411_comes_before_the_key_is_checked(db):
    response = send_chunked(Client(), "POST", "/api/v1/cases/", b"{}", "application/json")
    assert response.status_code == 411 and response.json()["code"] == "length_required"


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_chunked_open311_body_is_its_own_411(world, clock, fmt):
    form = "&".join(f"{k}={v}" for k, v in open311_demand("some-key").items()).encode()
    response = send_chunked(
        Client(), "POST", f"/open311/v2/requests.{fmt}", form, "application/x-www-form-urlencoded"
    )
    assert response.status_code == 411
    code, description = error_of(parse(response, fmt), fmt)
    assert code == 411 and "Content-Length" in description


@pytest.mark.parametrize("path", ["/submit/", "/console/login/"])
def test_a_chunked_form_is_a_411_page(db, path):
    client = Client(enforce_csrf_checks=True)  # the CSRF check would read the (empty) body first
    client.get(path)
    response = send_chunked(client, "POST", path, b"description=x", "application/x-www-form-urlencoded")
    assert response.status_code == 411 and response["Content-Type"].startswith("text/html")
    assert "Content-Length" in response.content.decode()


def test_a_body_with_its_length_and_a_chunked_get_are_read_as_before(world, clock, wechat):
    api = wechat
    created = api.client.post(
        "/api/v1/cases/",
        json.dumps(DEMAND),
        content_type="application/json",
        headers={**api.headers, "Transfer-Encoding": "chunked"},  # and a Content-Length: Django reads it
    )
    assert created.status_code == 201, created.content[:300]
    listed = send_chunked(api.client, "GET", "/api/v1/categories/", b"", "", **api.headers)
    assert listed.status_code == 200


def test_the_page_is_in_chinese_by_default(db, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    form = "application/x-www-form-urlencoded"
    response = send_chunked(Client(), "POST", "/submit/", b"description=x", form)
    assert response.status_code == 411 and "Content-Length" in response.content.decode()
    assert "分块" in response.content.decode()
