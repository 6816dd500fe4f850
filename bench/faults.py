"""PostgreSQL restarted in the middle of an intake load: nothing lost, nothing doubled, nobody hangs.

A PRIVATE PostgreSQL cluster (initdb in a temporary directory, on a free port: the machine's shared
server is never touched) holds a fresh minyi; `minyi serve --workers 2` (gunicorn) serves it. Client
threads POST cases to /api/v1/cases/ for BENCH_FAULT_SECONDS (120), each case with a fresh
Idempotency-Key, and retry the same key after any non-2xx answer or connection error until the case
is acknowledged. At a third of the run the cluster is stopped (`pg_ctl stop -m fast`), left down for
BENCH_FAULT_OUTAGE_SECONDS (10) and started again.

Checked and printed: every acknowledged case exists exactly once (counted by the marker in its
title) and no other case exists; answers during the outage were 503 with Retry-After and none took
longer than the connect timeout plus a margin; throughput before, during and after.

Needs root (initdb runs as the postgres user) and Debian's PostgreSQL 15 binaries. Run alone with
`.venv/bin/python bench/faults.py`; `make bench` runs it too.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
SECONDS = float(os.environ.get("BENCH_FAULT_SECONDS", "120"))
OUTAGE = float(os.environ.get("BENCH_FAULT_OUTAGE_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_FAULT_CLIENTS", "4"))
CONNECT_TIMEOUT = 5  # DB_CONNECT_TIMEOUT given to the server
MARGIN = 5  # seconds beyond the connect timeout that still count as "answered, not hung"
CLIENT_TIMEOUT = 60  # the client gives up on one attempt only after this (a hang would show)
RETRY_PAUSE = 0.5


@dataclass
class Attempt:
    started: float  # seconds since the load began
    seconds: float
    status: int | None  # None: connection error
    replayed: bool = False
    retry_after: str | None = None


@dataclass
class Log:
    attempts: list[Attempt] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # marker → case id
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *argv], capture_output=True, text=True, check=check, timeout=120
    )


class Cluster:
    """A throw-away PostgreSQL server of our own."""

    def __init__(self, base: Path):
        self.base = base
        self.data = base / "pgdata"
        self.port = free_port()
        self.log = base / "postgres.log"

    def create(self) -> None:
        shutil.chown(self.base, "postgres", "postgres")
        as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


SETUP = """
import os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "minyi.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from minyi.api.keys import create_key
from tests.world import build_world
build_world()
_key, raw = create_key("bench-faults", channel="wechat")
print(raw)
"""


def wait_for_server(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if server.poll() is not None:
            raise RuntimeError(f"minyi serve exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("minyi serve did not answer within a minute")


def client(port: int, key: str, run: str, number: int, stop_at: float, begin: float, log: Log) -> None:
    """Register cases (at least one) until stop_at; each is retried with its key until acknowledged."""
    n = 0
    while n == 0 or time.monotonic() < stop_at:
        n += 1
        marker = f"faults-{run}-{number}-{n}"
        body = json.dumps(
            {
                "demand_type": "complaint",
                "title": f"小区暖气不热 {marker}",
                "description": "幸福小区3号楼暖气只有十四度，请尽快处理。",
                "requester_name": "张三",
                "requester_phone": "13812341234",
            }
        )
        headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        while True:  # the same key until the server says it has the case
            t0 = time.monotonic()
            status, replayed, retry_after, case_id = None, False, None, None
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
                conn.request("POST", "/api/v1/cases/", body=body.encode(), headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
                replayed = response.getheader("Idempotent-Replayed") == "true"
                retry_after = response.getheader("Retry-After")
                if 200 <= status < 300:
                    case_id = json.loads(payload)["id"]
                conn.close()
            except (OSError, http.client.HTTPException):
                pass
            attempt = Attempt(t0 - begin, time.monotonic() - t0, status, replayed, retry_after)
            with log.lock:
                log.attempts.append(attempt)
                if case_id is not None:
                    log.acknowledged[marker] = case_id
            if case_id is not None:
                break
            time.sleep(RETRY_PAUSE)


def count_cases(url: str, run: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT substring(title from 'faults-[^ ]+'), COUNT(*) FROM cases_case "
            "WHERE title LIKE %s GROUP BY 1",
            [f"%faults-{run}-%"],
        ).fetchall()
    return dict(rows)


def report(log: Log, found: dict[str, int], down: float, up: float, total: float) -> list[str]:
    """The figures, and the failed checks (empty: all held)."""
    problems = []
    doubled = {m: c for m, c in found.items() if c != 1}
    missing = set(log.acknowledged) - set(found)
    unacknowledged = set(found) - set(log.acknowledged)
    if doubled:
        problems.append(f"{len(doubled)} cases stored more than once, e.g. {list(doubled.items())[:3]}")
    if missing:
        problems.append(f"{len(missing)} acknowledged cases are missing, e.g. {sorted(missing)[:3]}")
    if unacknowledged:
        problems.append(f"{len(unacknowledged)} cases stored but never acknowledged")
    window = [a for a in log.attempts if down <= a.started <= up]
    slow = [a for a in window if a.seconds > CONNECT_TIMEOUT + MARGIN]
    if slow:
        problems.append(f"{len(slow)} requests during the outage took over {CONNECT_TIMEOUT + MARGIN} s")
    statuses: dict[str, int] = {}
    for a in log.attempts:
        key = str(a.status) if a.status else "connection error"
        statuses[key] = statuses.get(key, 0) + 1
    if any(a.status == 500 for a in log.attempts):
        problems.append("some answers were 500")
    unavailable = [a for a in log.attempts if a.status == 503]
    if any(a.retry_after != "30" for a in unavailable):
        problems.append("a 503 came without Retry-After: 30")
    if not unavailable:
        problems.append("no request met the outage (no 503): the restart did not take effect")

    def acks(t0: float, t1: float) -> str:
        n = sum(1 for a in log.attempts if a.status and 200 <= a.status < 300 and t0 <= a.started < t1)
        return f"{n / max(t1 - t0, 1e-9):.1f}/s"

    print(f"run of {total:.0f} s with {CLIENTS} clients; outage from {down:.1f} s to {up:.1f} s")
    print(f"cases acknowledged {len(log.acknowledged)}, stored {sum(found.values())}, distinct {len(found)}")
    print(f"attempts {len(log.attempts)}: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    replays = sum(1 for a in log.attempts if a.replayed)
    print(f"replayed answers (the retry of a case the server had stored): {replays}")
    if window:
        longest = max(a.seconds for a in window)
        in_window = sum(1 for a in window if a.status == 503)
        print(
            f"during the outage: {len(window)} attempts, {in_window} answered 503, longest {longest:.2f} s "
            f"(503s of the whole run, with requests caught by the stop: {len(unavailable)})"
        )
    print(
        f"acknowledged per second: before {acks(0, down)}, during {acks(down, up)}, after {acks(up, total)}"
    )
    ok = [a.seconds for a in log.attempts if a.status and 200 <= a.status < 300]
    if ok:
        ok.sort()
        median, p95 = ok[len(ok) // 2], ok[int(len(ok) * 0.95)]
        print(f"2xx answer time: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    return problems


def main() -> int:
    if os.geteuid() != 0 or not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        print("faults: skipped (needs root, runuser and PostgreSQL 15's binaries to start a private cluster)")
        return 0
    base = Path(tempfile.mkdtemp(prefix="minyi-faults-"))
    cluster = Cluster(base)
    server = None
    try:
        cluster.create()
        cluster.start()
        as_postgres(
            str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "minyi"
        )
        data = base / "minyi-data"
        data.mkdir()
        web_port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url("minyi"),
            "DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            "MINYI_DATA_DIR": str(data),
            "DEBUG": "0",
            "MINYI_DEMO": "0",
            "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT),
        }
        setup = subprocess.run(
            [sys.executable, "-c", SETUP], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        if setup.returncode:
            print(f"faults: set-up failed\n{setup.stderr[-3000:]}")
            return 1
        key = setup.stdout.strip().splitlines()[-1]
        server = subprocess.Popen(
            [sys.executable, "-m", "minyi", "serve", "--workers", "2", "--port", str(web_port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(base / "server.log", "w"),  # noqa: SIM115 (closed with the process)
        )
        wait_for_server(web_port, server)
        # Each web worker loads the word lists on its first case: not part of what is measured.
        warm = Log()
        warmers = [
            threading.Thread(target=client, args=(web_port, key, "warmup", i, time.monotonic(), 0.0, warm))
            for i in range(2 * CLIENTS)
        ]
        for t in warmers:
            t.start()
        for t in warmers:
            t.join()

        run = uuid.uuid4().hex[:8]
        log = Log()
        begin = time.monotonic()
        stop_at = begin + SECONDS
        threads = [
            threading.Thread(target=client, args=(web_port, key, run, i, stop_at, begin, log))
            for i in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        time.sleep(SECONDS / 3)
        down = time.monotonic() - begin
        cluster.stop("fast")
        time.sleep(OUTAGE)
        cluster.start()
        up = time.monotonic() - begin
        for t in threads:
            t.join()
        total = time.monotonic() - begin
        problems = report(log, count_cases(cluster.url("minyi"), run), down, up, total)
        for problem in problems:
            print(f"FAILED: {problem}")
        print("faults: all checks held" if not problems else "faults: checks failed")
        return 1 if problems else 0
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        cluster.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
