"""The limits of a real server: gunicorn started with the command line of `minyi serve`, spoken to
over raw sockets as a client would (the Django test client never goes through gunicorn).

- A request line or headers over gunicorn's limits: API and Open311 clients get their own error
  (414, 431), in the format and with the status the published schema documents; pages keep
  gunicorn's own answer.
- A body over the limit: a 413 in the client's format, and the connection is not reset under a
  client that sends its whole body before it reads the answer (as most do), even well over the limit.
- A body the application never reads (a 401 before it is parsed) is read to its end the same way.

The server runs on an empty data directory: nothing here reaches the database.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
import schemathesis
from django.conf import settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from minyi.core.management.commands import serve

ROOT = Path(__file__).resolve().parents[2]
LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
LONG_QUERY = "q=" + "x" * 5000  # over gunicorn's 4094 bytes of request line
SEND_BUFFER = 128 * 1024
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "MINYI_DEMO")}
    env["MINYI_DATA_DIR"] = str(tmp_path_factory.mktemp("server-data"))
    argv = serve.gunicorn_argv(host="127.0.0.1", port=port, workers=1)
    log = tmp_path_factory.mktemp("server-log") / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def exchange(base: str, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Send the whole request (head, then all of the body) before reading, then read the answer to
    the end: a reset connection fails the test here."""
    host, port = base.removeprefix("http://").split(":")
    with socket.socket() as s:
        # A send buffer of a network's size: on the loopback the kernel would otherwise take a few
        # megabytes at once, and a client on a real network is still sending them.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        s.settimeout(30)
        s.connect((host, int(port)))
        s.sendall(head.encode("latin-1") + b"\r\n" + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    raw_head, _sep, content = data.partition(b"\r\n\r\n")
    status_line, *lines = raw_head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    return int(status_line.split()[1]), headers, content


def request_head(method: str, target: str, *, length: int | None = None, ctype: str = "", extra: str = ""):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if ctype:
        lines.append(f"Content-Type: {ctype}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return "\r\n".join(lines) + "\r\n" + extra


def open311_error(fmt: str, content: bytes) -> tuple[int, str]:
    if fmt == "json":
        (error,) = json.loads(content)
        return error["code"], error["description"]
    root = ET.fromstring(content)
    assert root.tag == "errors"
    return int(root.findtext("error/code")), root.findtext("error/description")


def test_an_over_long_address_is_a_documented_414_for_api_clients(server):
    published = requests.get(f"{server}/api/v1/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(published)
    for path, method in (("/api/v1/cases/", "GET"), ("/api/v1/cases/{ref}/", "GET")):
        operation = schema[path][method]
        case = operation.Case(path_parameters={"ref": "x" * 5000}, query={"q": "x" * 5000})
        response = case.call(base_url=server)
        assert response.status_code == 414, response.text[:300]
        assert response.json()["code"] == "uri_too_long" and "4094" in response.json()["message"]
        case.validate_response(response, checks=CHECKS)  # status, type and shape as documented


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_over_long_address_is_open311s_own_414(server, fmt):
    status, headers, content = exchange(
        server, request_head("GET", f"/open311/v2/requests.{fmt}?{LONG_QUERY}")
    )
    assert status == 414
    assert headers["content-type"].startswith("application/json" if fmt == "json" else "text/xml")
    assert open311_error(fmt, content)[0] == 414


def test_pages_keep_gunicorns_own_414(server):
    status, headers, _content = exchange(server, request_head("GET", f"/console/cases/?{LONG_QUERY}"))
    assert status == 414 and headers["content-type"].startswith("text/html")


def test_too_large_headers_are_a_json_431_for_api_clients(server):
    head = request_head("GET", "/api/v1/categories/", extra="X-Padding: " + "y" * 9000 + "\r\n")
    status, headers, content = exchange(server, head)
    assert status == 431 and headers["content-type"] == "application/json"
    assert json.loads(content)["code"] == "headers_too_large"


@pytest.mark.parametrize("size", [LIMIT + 1024 * 1024, 20 * 1024 * 1024], ids=["a-bit-over", "far-over"])
def test_a_body_over_the_limit_is_a_413_and_the_connection_is_not_reset(server, size):
    body = json.dumps({"title": "x" * size}).encode()
    head = request_head(
        "POST", "/api/v1/webhooks/wechat/", length=len(body), ctype="application/json"
    )  # the webhook reads its body before anything else
    status, headers, content = exchange(server, head, body)
    assert status == 413 and headers["content-type"] == "application/json"
    assert json.loads(content)["code"] == "too_large" and str(LIMIT) in json.loads(content)["message"]
    # Open311: its own format
    form = b"description=" + b"x" * size
    for fmt in ("xml", "json"):
        head = request_head(
            "POST", f"/open311/v2/requests.{fmt}", length=len(form), ctype="application/x-www-form-urlencoded"
        )
        status, _headers, content = exchange(server, head, form)
        assert status == 413 and open311_error(fmt, content)[0] == 413


def test_a_body_the_application_never_reads_does_not_reset_the_connection(server):
    body = json.dumps({"description": "x" * (8 * 1024 * 1024)}).encode()
    head = request_head("POST", "/api/v1/cases/", length=len(body), ctype="application/json")
    status, _headers, content = exchange(server, head, body)  # no key: refused before the body
    assert status == 401 and json.loads(content)["code"] == "not_authenticated"


def in_chunks(body: bytes, size: int = 64 * 1024) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


@pytest.mark.parametrize("size", [100, 4 * 1024 * 1024], ids=["small", "4-MB"])
def test_a_chunked_body_is_a_411_in_each_parts_format_and_the_connection_is_not_reset(server, size):
    """gunicorn hands the chunks on, but Django would read the body as empty (a small demand would be
    refused for missing fields, a large one would escape the 413): 411, and the chunks are read."""
    demand = in_chunks(json.dumps({"demand_type": "complaint", "title": "x" * size}).encode())
    chunked = "Transfer-Encoding: chunked\r\n"
    head = request_head("POST", "/api/v1/cases/", ctype="application/json", extra=chunked)
    status, headers, content = exchange(server, head, demand)
    assert status == 411 and headers["content-type"] == "application/json"
    error = json.loads(content)
    assert error["code"] == "length_required" and "Content-Length" in error["message"]
    form = in_chunks(b"service_code=0101&description=" + b"x" * size)
    for fmt in ("xml", "json"):
        head = request_head(
            "POST", f"/open311/v2/requests.{fmt}", ctype="application/x-www-form-urlencoded", extra=chunked
        )
        status, _headers, content = exchange(server, head, form)
        assert status == 411 and open311_error(fmt, content)[0] == 411
    head = request_head("POST", "/submit/", ctype="application/x-www-form-urlencoded", extra=chunked)
    status, headers, content = exchange(server, head, form)
    assert status == 411 and headers["content-type"].startswith("text/html")
    assert b"Content-Length" in content
