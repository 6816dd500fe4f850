"""/healthz, the worker heartbeat and the queue lag: what a load balancer and a monitor see."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client

from minyi.core import clock as minyi_clock
from minyi.core import health
from minyi.core.models import WorkerHeartbeat
from minyi.notifications.models import OutboundMessage
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for

TOKEN = "monitoring-token-for-tests"


def get(client: Client, path: str = "/healthz", **headers):
    response = client.get(path, headers=headers)
    return response, json.loads(response.content)


def a_worker_round() -> None:
    call_command("worker", "--once", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_without_a_worker_the_server_is_up_but_degraded(db, clock):
    response, body = get(Client())
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    # Only the three words a load balancer needs: no counts, no names, no version.
    assert body == {"status": "degraded", "database": "ok", "worker": "missing"}


def test_a_worker_round_records_a_heartbeat_and_makes_it_ok(world, clock):
    a_worker_round()
    beat = WorkerHeartbeat.objects.get()
    assert beat.name == health.worker_name() and beat.rounds == 1 and beat.beat_at == minyi_clock.now()
    clock.advance(seconds=60)
    a_worker_round()
    beat.refresh_from_db()
    assert beat.rounds == 2 and beat.beat_at == minyi_clock.now()
    assert get(Client())[1] == {"status": "ok", "database": "ok", "worker": "ok"}


def test_a_heartbeat_older_than_three_intervals_is_stale(world, clock, settings):
    settings.MINYI_WORKER_INTERVAL = 60
    a_worker_round()
    clock.advance(seconds=180)
    assert get(Client())[1]["status"] == "ok"
    clock.advance(seconds=1)
    assert get(Client())[1] == {"status": "degraded", "database": "ok", "worker": "stale"}


def test_the_worker_s_own_interval_decides_when_it_is_stale(world, clock):
    # A cron job every 5 minutes says so with --interval; the default of 60 s would call it stale.
    call_command("worker", "--once", "--interval", "300", stdout=open(os.devnull, "w"))  # noqa: SIM115
    clock.advance(seconds=600)
    report = health.health_report()
    assert report["worker"] == "ok" and report["stale_after_seconds"] == 900


def test_several_workers_keep_one_row_each_and_gone_ones_are_forgotten(db, clock, monkeypatch):
    started = minyi_clock.now()
    for name in ("host-a:101", "host-b:202", "host-a:101"):
        monkeypatch.setattr(health, "worker_name", lambda name=name: name)
        health.record_heartbeat(interval=60, started_at=started)
    assert dict(WorkerHeartbeat.objects.values_list("name", "rounds")) == {"host-a:101": 2, "host-b:202": 1}
    clock.advance(days=8)
    health.record_heartbeat(interval=60, started_at=minyi_clock.now())  # host-a:101, a week later
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["host-a:101"]


def test_detail_needs_the_token_or_an_administrator(world, clock, monkeypatch):
    monkeypatch.setattr(health, "HEALTH_TOKEN", TOKEN)
    response, body = get(Client(), "/healthz?detail=1")
    assert response.status_code == 403 and "MINYI_HEALTH_TOKEN" in body["error"]
    assert get(Client(), "/healthz?detail=1", Authorization="Bearer wrong")[0].status_code == 403
    assert get(client_for(world.dispatcher), "/healthz?detail=1")[0].status_code == 403
    for client, headers in ((Client(), {"Authorization": f"Bearer {TOKEN}"}), (client_for(world.admin), {})):
        response, body = get(client, "/healthz?detail=1", **headers)
        assert response.status_code == 200 and body["workers"]["alive"] == 0


def test_without_a_token_set_no_bearer_opens_the_detail(db, clock, monkeypatch):
    monkeypatch.setattr(health, "HEALTH_TOKEN", "")
    assert get(Client(), "/healthz?detail=1", Authorization="Bearer ")[0].status_code == 403


def test_detail_reports_the_heartbeat_age_and_the_queue_lag(world, clock):
    case = do(new_case(world.operator, category="010101"), "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)
    a_worker_round()
    # Then the worker stops; an SMS is queued and the case's alert comes due.
    OutboundMessage.objects.create(
        medium="sms", recipient="13800000000", body="x", created_at=minyi_clock.now()
    )
    type(case).objects.filter(pk=case.pk).update(alert_at=minyi_clock.now())
    clock.advance(seconds=600)
    report = health.health_report()
    assert report["status"] == "degraded"
    assert report["workers"] == {"alive": 0, "newest_heartbeat_age_seconds": 600, "interval_seconds": 60}
    assert report["outbox"] == {"pending": 1, "oldest_pending_age_seconds": 600, "failed": 0}
    assert report["deadline_alerts"] == {"due": 1, "oldest_due_age_seconds": 600}
    assert report["problems"] == ["worker stale", "outbox lagging", "deadline alerts lagging"]
    # The next round delivers and alerts: the lag is gone.
    a_worker_round()
    report = health.health_report()
    assert report["status"] == "ok", report["problems"]
    assert report["outbox"]["pending"] == 0 and report["deadline_alerts"]["due"] == 0


def test_daily_jobs_not_done_for_yesterday_are_overdue(db, clock):
    clock.set("2026-11-25 01:02")  # the jobs may start at 01:00: not overdue yet
    health.record_heartbeat(interval=60, started_at=minyi_clock.now())
    assert health.health_report()["daily_jobs"]["overdue"] == []
    clock.set("2026-11-25 09:00")
    health.record_heartbeat(interval=60, started_at=minyi_clock.now())
    report = health.health_report()
    assert report["daily_jobs"]["overdue"] == ["hot_issues", "month_hot_issues", "project_status", "surges"]
    assert report["problems"] == ["daily jobs overdue"]
    a_worker_round()
    assert health.health_report()["daily_jobs"]["overdue"] == []


def test_a_database_that_fails_answers_503(db, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:  # undone before the test database is rolled back
        patched.setattr(connection, "cursor", broken)
        response, body = get(Client())
    assert response.status_code == 503
    assert body == {"status": "down", "database": "unreachable"}


def test_an_unreachable_postgresql_answers_503_and_minyi_health_exits_2(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing",  # the discard port: nothing listens
        "MINYI_DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "minyi.settings",
    }
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    )
    served = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    code, body = served.stdout.split(" ", 1)
    assert code == "503" and json.loads(body) == {"status": "down", "database": "unreachable"}
    command = subprocess.run(
        [sys.executable, "-m", "minyi", "health"], env=env, capture_output=True, text=True
    )
    assert command.returncode == 2 and json.loads(command.stdout)["database"] == "unreachable"


def test_minyi_health_exits_1_when_degraded_and_0_when_ok(db, clock):
    with pytest.raises(SystemExit) as exited:
        call_command("health", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert exited.value.code == 1
    clock.set("2026-11-25 00:30")  # before the daily jobs are due
    health.record_heartbeat(interval=60, started_at=minyi_clock.now())
    call_command("health", stdout=open(os.devnull, "w"))  # noqa: SIM115  (no SystemExit: 0)


@pytest.mark.postgres_only
def test_workers_beating_at_the_same_moment_on_postgresql(transactional_db, clock, monkeypatch):
    # Each thread plays a worker on another machine; "host-c" is one name raced from two threads
    # (the insert of one loses and must count its round as an update).
    names = ["host-a:1", "host-b:1", "host-c:1", "host-c:1"]
    monkeypatch.setattr(health, "worker_name", lambda: threading.current_thread().name)
    barrier = threading.Barrier(len(names))
    moment = minyi_clock.now()
    errors = []

    def beat():
        minyi_clock.set_now(moment)
        try:
            barrier.wait()
            for _ in range(5):
                health.record_heartbeat(interval=60, started_at=moment)
        except Exception as exc:  # collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat, name=name) for name in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    rows = dict(WorkerHeartbeat.objects.values_list("name", "rounds"))
    assert rows == {"host-a:1": 5, "host-b:1": 5, "host-c:1": 10}
    assert health.health_report(now=moment + dt.timedelta(seconds=1))["workers"]["alive"] == 3
