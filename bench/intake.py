"""Benchmark of intake over HTTP: demands registered through the REST API (POST /api/v1/cases/) by
the production server setup, next to the raw rate of single-row INSERT + commit through psycopg.

`.venv/bin/python bench/intake.py` creates a fresh PostgreSQL database `minyi_bench_intake` on
127.0.0.1:5432 (dropped and created), migrates it, loads the demo's reference data (places, units,
categories, routing; no cases) and an API key of the hotline channel, starts `minyi serve` (gunicorn,
BENCH_INTAKE_WORKERS processes, default 2 × cores) with DEBUG off and persistent connections, and
sends BENCH_INTAKE_SECONDS (default 30) of requests from BENCH_INTAKE_CLIENTS (default 16)
concurrent connections in a separate process, each request a realistic hotline demand (a demo text
for a demo place, with the caller's name and phone) with its own Idempotency-Key. It prints cases
per second and p50 / p99 latency, then times single-row INSERT + commit of a case-sized row through
psycopg from the same number of connections on the same machine: the ceiling the database and the
machine put on any application.

Every acknowledged case is checked to exist exactly once afterwards.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "minyi_bench_intake"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
SECONDS = float(os.environ.get("BENCH_INTAKE_SECONDS", "30"))
CLIENTS = int(os.environ.get("BENCH_INTAKE_CLIENTS", "16"))
WORKERS = int(os.environ.get("BENCH_INTAKE_WORKERS", str(2 * (os.cpu_count() or 1))))
WARM_UP = 3.0
MARKER = "bench-intake"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- set-up, in a subprocess with the bench database ----------------------------------------------


def prepare() -> None:
    """(subprocess) migrate, load the reference data, print an API key and 200 request bodies."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from minyi.api.keys import create_key
    from minyi.demo import loadgen

    call_command("migrate", verbosity=0)
    loadgen.ensure_reference()
    _key, raw = create_key("bench-intake", channel="hotline")
    rng = random.Random(7)
    district = loadgen.read_district()
    book = loadgen.TextBank(rng, district.categories)
    bodies = []
    for i in range(200):
        area, place = rng.choice(district.places)
        code = rng.choice(sorted(district.categories))
        variant = book.variant(code, place)
        bodies.append(
            {
                "demand_type": "complaint" if i % 3 else "help",
                "title": variant.title,
                "description": book.description(variant, "hotline", "complaint"),
                "area": area.code,
                "requester_name": rng.choice("张王李赵刘陈杨黄") + rng.choice(["先生", "女士"]),
                "requester_phone": f"13{rng.randrange(10**9):09d}",
            }
        )
    print(json.dumps({"key": raw, "bodies": bodies}, ensure_ascii=False))


def count_acknowledged() -> None:
    """(subprocess) how many of the bench's cases exist, and how many external ids twice."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count

    from minyi.cases.models import Case

    found = Case.objects.filter(external_id__startswith=MARKER).count()
    twice = (
        Case.objects.filter(external_id__startswith=MARKER)
        .values("external_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    print(json.dumps({"found": found, "twice": twice}))


# --- the load client, in a process of its own -----------------------------------------------------


def client(port: int, key: str, bodies: list[dict], seconds: float, clients: int) -> dict:
    """`clients` threads, each one keep-alive connection, POSTing for `seconds` after a warm-up."""
    stop = time.monotonic() + WARM_UP + seconds
    measured_from = time.monotonic() + WARM_UP
    latencies: list[float] = []
    errors: list[str] = []
    acknowledged: list[str] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = n
        while (now := time.monotonic()) < stop:
            body = dict(bodies[i % len(bodies)])
            body["external_id"] = f"{MARKER}-{n}-{i}"
            i += clients
            payload = json.dumps(body, ensure_ascii=False).encode()
            headers = {
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
            }
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/cases/", payload, headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    errors.append(type(exc).__name__)
                continue
            elapsed = time.perf_counter() - t0
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                if response.status == 201:
                    acknowledged.append(json.loads(data)["tracking_number"])
                    if now >= measured_from:
                        latencies.append(elapsed)
                else:
                    errors.append(f"{response.status} {data[:200]!r}")

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": latencies, "errors": errors, "acknowledged": acknowledged}


# --- raw INSERT + commit through psycopg ----------------------------------------------------------


def raw_inserts(seconds: float, clients: int) -> float:
    """Single-row INSERT + commit of a case-sized row (text, numbers, times, two indexes) from
    `clients` connections: rows per second."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw")
        conn.execute(
            "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, number text UNIQUE, title text,"
            " description text, area_id int, status text, received_at timestamptz, due_at timestamptz)"
        )
        conn.execute("CREATE INDEX ON bench_raw (status, due_at)")
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def run(n: int) -> None:
        with psycopg.connect(PG_URL) as conn:
            i = 0
            while time.monotonic() < stop:
                conn.execute(
                    "INSERT INTO bench_raw (number, title, description, area_id, status, received_at,"
                    " due_at) VALUES (%s, %s, %s, %s, %s, now(), now() + interval '5 days')",
                    (
                        f"{n}-{i}",
                        "小区供暖温度不达标",
                        "家里暖气不热，室温只有十五度左右。" * 8,
                        n,
                        "registered",
                    ),
                )
                conn.commit()
                i += 1
            counts[n] = i

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_raw")
    return sum(counts) / seconds


# --- the run ----------------------------------------------------------------------------------------


def wait_for(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    if sys.argv[1:2] == ["prepare"]:
        prepare()
        return
    if sys.argv[1:2] == ["count"]:
        count_acknowledged()
        return
    if sys.argv[1:2] == ["client"]:
        port, seconds, clients = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
        given = json.load(sys.stdin)
        print(json.dumps(client(port, given["key"], given["bodies"], seconds, clients)))
        return
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    except psycopg.OperationalError as exc:
        print(f"intake: PostgreSQL not reachable ({exc})")
        return
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "DATABASE_URL": PG_URL,
            "MINYI_DATA_DIR": data,
            "DEBUG": "off",
            "MINYI_DEMO": "",
            "DB_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
        }
        prepared = subprocess.run(
            [sys.executable, __file__, "prepare"], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if prepared.returncode:
            raise SystemExit(prepared.stderr)
        given = prepared.stdout.strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "minyi", "serve", "--port", str(port), "--workers", str(WORKERS)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            wait_for(port, server)
            started = time.monotonic()
            result = subprocess.run(
                [sys.executable, __file__, "client", str(port), str(SECONDS), str(CLIENTS)],
                input=given,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            wall = time.monotonic() - started
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if result.returncode:
            raise SystemExit(result.stderr)
        load = json.loads(result.stdout)
        counted = json.loads(
            subprocess.run(
                [sys.executable, __file__, "count"], env=env, cwd=ROOT, capture_output=True, text=True
            ).stdout
        )
    latencies = load["latencies"]
    rate = len(latencies) / SECONDS
    print(
        f"intake over HTTP (gunicorn, {WORKERS} workers, {CLIENTS} connections, {SECONDS:.0f} s after "
        f"{WARM_UP:.0f} s warm-up): {rate:.0f} cases/s, p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms; {len(load['errors'])} errors "
        f"{sorted(set(load['errors']))[:3]}; wall {wall:.0f} s"
    )
    print(
        f"acknowledged {len(load['acknowledged'])}, found {counted['found']}, twice {counted['twice']}"
        + ("" if counted["found"] == len(load["acknowledged"]) and not counted["twice"] else "  MISMATCH")
    )
    raw = raw_inserts(min(SECONDS, 10), CLIENTS)
    print(
        f"raw single-row INSERT + commit through psycopg ({CLIENTS} connections): {raw:.0f} rows/s; "
        f"intake is {rate / raw:.1%} of it"
    )


if __name__ == "__main__":
    main()
