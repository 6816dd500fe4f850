"""A database that cannot be reached or written answers 503 with Retry-After, saves nothing and
hangs nobody: a read-only or full SQLite file, a read-only PostgreSQL, a server that does not answer.

The failures are real ones (SQLite's `query_only` and `max_page_count`, PostgreSQL's read-only
transaction, a port that accepts and never speaks), not mocks of the error classes.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client

from minyi.api.keys import create_key
from tests.api.conftest import DEMAND, Api
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for
from tests.portal.helpers import submit

ROOT = Path(__file__).resolve().parents[2]
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own page limit")


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


@contextlib.contextmanager
def read_only_database():
    """Every write fails the way the database itself refuses it while this block runs. (The tests
    that use it commit for real: inside a test's transaction one failed write would spoil the rest.)"""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = ON")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = OFF")
        return
    # A standby after a failover refuses writes the same way (SQLSTATE 25006).
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION default_transaction_read_only = on")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION default_transaction_read_only = off")


@contextlib.contextmanager
def full_database():
    """SQLite may not grow, and its free pages are taken by a filler table: a write that needs a
    new page (every long text does) fails with SQLITE_FULL, "database or disk is full"."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.execute("CREATE TABLE filler (b BLOB)")
        for size in (4000, 1000, 200, 20):
            with contextlib.suppress(OperationalError):
                while True:
                    cursor.execute("INSERT INTO filler VALUES (randomblob(%s))", [size])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE filler")
            cursor.execute("PRAGMA max_page_count = 1073741823")


def integrity() -> str:
    if connection.vendor != "sqlite":
        return "ok"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        return cursor.fetchone()[0]


def long_demand(world) -> dict:
    # Long enough that the case, its events and its keywords cannot fit into free space of pages.
    return {"description": "幸福小区3号楼暖气温度只有十四度，老人孩子受不了。" * 60}


def attempts(world):
    """One write of each kind of client: citizen (page), staff (page with a session), API (JSON)."""
    case = do(new_case(world.operator), "accept", world.dispatcher)
    staff = client_for(world.dispatcher)
    _key, raw = create_key("wechat-front", channel="wechat")
    api = Api(raw)
    return [
        ("portal", lambda: submit(Client(), world, **long_demand(world))),
        (
            "console",
            lambda: staff.post(
                f"/console/cases/{case.pk}/do/reject/",
                {"note": "重复诉求" * 500, "expected_version": case.version},
            ),
        ),
        (
            "api",
            lambda: api.post(
                "cases/", {**DEMAND, "description": DEMAND["description"] * 400}, **{"Idempotency-Key": "k-1"}
            ),
        ),
    ]


def assert_unavailable(kind: str, response) -> None:
    assert response.status_code == 503, (kind, response.status_code, response.content[:500])
    assert response["Retry-After"] == "30"
    if kind == "api":
        body = response.json()
        assert body["code"] == "unavailable" and "没有保存" in body["message"], body
    else:
        page = response.content.decode()
        assert "服务暂时不可用" in page and "没有保存任何内容" in page


def test_a_read_only_database_answers_503_and_keeps_every_row(tx_world, clock):
    world = tx_world
    tries = attempts(world)
    before = row_counts()
    with read_only_database():
        for kind, attempt in tries:
            assert_unavailable(kind, attempt())
        during = row_counts()
    assert during == before
    assert integrity() == "ok"
    # Writable again: the same requests go through (the API with the same Idempotency-Key).
    assert [attempt().status_code for _kind, attempt in tries] == [302, 302, 201]


@sqlite_only
def test_a_full_sqlite_database_answers_503_and_keeps_every_row(tx_world, clock):
    world = tx_world
    tries = attempts(world)
    before = row_counts()
    with full_database():
        for kind, attempt in tries:
            assert_unavailable(kind, attempt())
        during = row_counts()
    del during["filler"]
    # A short row may still fit on a page with room: the portal's hit counter, which counts every
    # attempt on purpose (web/ratelimit.py), may have been kept. Nothing of the demands was.
    during["web_ratecounter"] = before["web_ratecounter"]
    assert during == before
    assert integrity() == "ok"
    assert [attempt().status_code for _kind, attempt in tries] == [302, 302, 201]


def test_an_error_in_the_sql_itself_is_still_a_bug_not_an_outage(db, monkeypatch):
    """Only unavailability becomes a 503: a wrong statement stays a logged 500 (and no Retry-After)."""

    def broken(request, *args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr("minyi.portal.views.render", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500 and "Retry-After" not in response


def test_a_database_failure_in_a_middleware_is_a_503_too(db, monkeypatch):
    """Outside the views (here: saving the session after the view) the 500 handler gives the 503."""
    from django.contrib.sessions.middleware import SessionMiddleware

    def lost(self, request, response):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionMiddleware, "process_response", lost)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "服务暂时不可用" in response.content.decode()


# --- a PostgreSQL server that cannot be reached ----------------------------------------------------

PROBE = """
import json, os, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "minyi.settings"
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(raise_request_exception=False)
key = "Bearer minyi_0123abcd_" + "x" * 43  # well formed, so it is looked up
answers = {}
for name, call in [
    ("portal", lambda: client.post("/submit/", {"title": "x"})),
    ("api", lambda: client.get("/api/v1/cases/", headers={"Authorization": key})),
    ("open311", lambda: client.get("/open311/v2/services.json")),
]:
    r = call()
    answers[name] = {"status": r.status_code, "retry": r.get("Retry-After"), "body": r.content.decode()[:400]}
print(json.dumps(answers))
"""


def probe(port: int, tmp_path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/minyi",
        "DB_CONNECT_TIMEOUT": "2",
        "MINYI_DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "ERROR",
    }
    # The timeout is the guard against a hang: three requests must each give up after ~2 s.
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_all_unavailable(answers: dict) -> None:
    assert {name: a["status"] for name, a in answers.items()} == {"portal": 503, "api": 503, "open311": 503}
    assert {a["retry"] for a in answers.values()} == {"30"}
    assert json.loads(answers["api"]["body"])["code"] == "unavailable"
    assert json.loads(answers["open311"]["body"])[0]["code"] == 503  # GeoReport's error list
    assert "服务暂时不可用" in answers["portal"]["body"]


def test_a_server_that_accepts_and_never_answers_gives_503_after_the_connect_timeout(tmp_path):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes the handshake; nobody ever speaks
        assert_all_unavailable(probe(silent.getsockname()[1], tmp_path))


def test_a_server_that_is_down_gives_503_at_once(tmp_path):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    assert_all_unavailable(probe(port, tmp_path))  # nothing listens there any more: refused
