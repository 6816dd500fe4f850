"""`minyi worker` killed (SIGKILL) in the middle of its scan, then run again: every due deadline alert
and its notifications exist exactly once, none lost, none doubled.

The worker runs as a real process against a real database file (SQLite) or server (PostgreSQL, a
database of its own next to the test database), as in production; the test watches the alert table
and kills the worker when some but not all alerts are written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CASES = 150  # two overdue deadlines each (sign-for and handling): 300 alerts, a few seconds of scan

# Cases registered three weeks ago and assigned to the heating company, never signed for: by now both
# their sign-for and their handling deadlines are past.
SETUP = f"""
import datetime as dt, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "minyi.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from minyi.core import clock
from tests.cases.helpers import do, new_case
from tests.world import build_world
world = build_world()
clock.set_now(timezone.now() - dt.timedelta(days=21))
for _ in range({CASES}):
    case = do(new_case(world.operator, category="010101"), "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
"""

COUNTS = {
    "alerts": "SELECT COUNT(*) FROM notifications_deadlinealert",
    "alert_keys": "SELECT COUNT(*) FROM (SELECT DISTINCT case_id, clock, level "
    "FROM notifications_deadlinealert) a",
    "overdue": "SELECT COUNT(*) FROM notifications_notification WHERE kind = 'overdue'",
    "overdue_distinct": "SELECT COUNT(*) FROM (SELECT DISTINCT user_id, case_id, message FROM "
    "notifications_notification WHERE kind = 'overdue') n",
    "sms": "SELECT COUNT(*) FROM notifications_outboundmessage",
    "sms_texts": "SELECT COUNT(DISTINCT body) FROM notifications_outboundmessage",
    "still_due": "SELECT COUNT(*) FROM cases_case WHERE alert_at <= CURRENT_TIMESTAMP",
    "recipients": "SELECT COUNT(DISTINCT u.id) FROM org_user u JOIN org_rolegrant g ON g.user_id = u.id "
    "WHERE u.is_active AND ((u.unit_id = (SELECT lead_unit_id FROM cases_case LIMIT 1) AND g.role IN "
    "('unit_handler', 'unit_head')) OR g.role = 'supervisor')",
    "with_phone": "SELECT COUNT(DISTINCT u.id) FROM org_user u JOIN org_rolegrant g ON g.user_id = u.id "
    "WHERE u.is_active AND u.phone <> '' AND ((u.unit_id = (SELECT lead_unit_id FROM cases_case LIMIT 1) "
    "AND g.role IN ('unit_handler', 'unit_head')) OR g.role = 'supervisor')",
}


class Database:
    """A database the worker processes and this test both reach: env for the processes, SQL here."""

    def __init__(self, env: dict[str, str], connect):
        self.env = env
        self.connect = connect

    def counts(self) -> dict[str, int]:
        with contextlib.closing(self.connect()) as conn:
            cursor = conn.cursor()
            found = {}
            for name, sql in COUNTS.items():
                cursor.execute(sql)
                found[name] = cursor.fetchone()[0]
            return found

    def alerts(self) -> int:
        with contextlib.closing(self.connect()) as conn:
            cursor = conn.cursor()
            cursor.execute(COUNTS["alerts"])
            return cursor.fetchone()[0]


def run(db: Database, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=db.env, cwd=ROOT, capture_output=True, text=True, timeout=300, **kwargs
    )


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "minyi.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "MINYI_DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "ERROR",
    }
    return Database(env, lambda: sqlite3.connect(path, timeout=20))


@pytest.fixture
def pg_database(tmp_path):
    import psycopg

    settings = connection.settings_dict
    name = f"{settings['NAME']}_crash"  # next to this run's test database, so runs never collide
    server = dict(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{server['password']}" if server["password"] else ""
    url = f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "MINYI_DATA_DIR": str(tmp_path), "LOG_LEVEL": "ERROR"}
    yield Database(env, lambda: psycopg.connect(dbname=name, **server))
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kill_mid_scan(db: Database) -> int:
    """Start a looping worker, SIGKILL it once some alerts are committed; the count after the kill."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "minyi", "worker", "--interval", "1"],
        env=db.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        give_up = time.monotonic() + 120  # a guard against a worker that never starts, not a goal
        while db.alerts() == 0:
            assert worker.poll() is None, worker.stderr.read()
            assert time.monotonic() < give_up, "the worker wrote no alert in two minutes"
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
    return db.alerts()


def assert_crash_then_restart_loses_and_doubles_nothing(db: Database) -> None:
    setup = run(db, "-c", SETUP)
    assert setup.returncode == 0, setup.stderr[-3000:]
    assert db.counts()["still_due"] == CASES

    after_kill = kill_mid_scan(db)
    assert 0 < after_kill < 2 * CASES, f"the kill should land mid-scan, {after_kill} alerts were written"

    again = run(db, "-m", "minyi", "worker", "--once")
    assert again.returncode == 0, again.stderr[-3000:]
    found = db.counts()
    assert found["still_due"] == 0
    # Each case: one red alert for sign-for and one for handling, no more.
    assert found["alerts"] == found["alert_keys"] == 2 * CASES
    # Each alert told each of the unit's staff and the supervisors once, by message and by SMS.
    assert found["overdue"] == found["overdue_distinct"] == 2 * CASES * found["recipients"]
    # (The world's staff share one phone number: count the texts, and the messages for each.)
    assert found["sms_texts"] == 2 * CASES and found["sms"] == 2 * CASES * found["with_phone"]


def test_a_worker_killed_mid_scan_on_sqlite_loses_and_doubles_nothing(sqlite_file):
    assert_crash_then_restart_loses_and_doubles_nothing(sqlite_file)


@pytest.mark.postgres_only
def test_a_worker_killed_mid_scan_on_postgresql_loses_and_doubles_nothing(pg_database):
    assert_crash_then_restart_loses_and_doubles_nothing(pg_database)
