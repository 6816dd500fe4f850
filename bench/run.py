"""Benchmarks of the foundation: `make bench` (figures and how to read them in bench/README.md).

1. Working-day arithmetic: deadline + yellow moment for one case (the work of every assignment).
2. The closed loop through the services: cases per second from registration to archive
   (create, accept, assign, sign for, reply, callback, archive = 7 transactions each), on SQLite and,
   when reachable, PostgreSQL.
3. The deadline worker: one scan over N due cases.
4. Intake over HTTP (bench/intake.py): cases per second through the production server, next to
   raw psycopg INSERT + commit.
5. At scale (bench/similar.py loads 1,000,000 cases and keeps them with BENCH_SIMILAR_KEEP=1; then
   bench/dashboard.py and bench/scale.py time the daily pages, the monthly report and the worker).
6. Faults (bench/faults.py): a private PostgreSQL restarted under a two-minute intake load.
7. Rankings (bench/rankings.py): units at 100 and small samples at the top, before and after issue
   16, on the database of `make demo` when there is one.

Each database run uses a fresh database (SQLite in a temporary directory; PostgreSQL database
`minyi_bench`, dropped and created again).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
CASES = int(os.environ.get("BENCH_CASES", "300"))


def bench_calendar() -> None:
    sys.path.insert(0, str(ROOT))
    from minyi.workcal.calendar import WorkCalendar

    calendar = WorkCalendar()
    start = dt.datetime(2026, 2, 10, 9, 30, tzinfo=SHANGHAI)
    n = 20_000
    t0 = time.perf_counter()
    for i in range(n):
        moment = start + dt.timedelta(hours=i % 500)
        due = calendar.due_after(moment, 5, "working_days")
        calendar.warning_moment(moment, due, "working_days")
    elapsed = time.perf_counter() - t0
    print(f"calendar: {n} deadlines + yellow moments in {elapsed:.2f} s = {elapsed / n * 1e6:.1f} µs each")


def loop_in_subprocess(label: str, env: dict[str, str]) -> None:
    """Run `python bench/run.py loop` with the given database settings."""
    result = subprocess.run(
        [sys.executable, __file__, "loop"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        print(f"{label}: failed\n{result.stdout}{result.stderr}")
        return
    print(f"{label}: {result.stdout.strip()}")


def loop() -> None:
    """(in a subprocess) migrate a fresh database and time the closed loop and the worker."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from minyi.core import clock
    from minyi.notifications.worker import scan_deadlines
    from tests.cases.helpers import do, new_case
    from tests.world import build_world

    world = build_world()
    clock.set_now(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    t0 = time.perf_counter()
    for _ in range(CASES):
        case = new_case(world.operator, category="010101")
        for operation, actor, params in [
            ("accept", world.dispatcher, {}),
            ("assign", world.dispatcher, {}),
            ("sign_for", world.heating_handler, {}),
            ("reply", world.heating_handler, {"note": "已修复"}),
            ("callback", world.callback_agent, {"satisfaction": "satisfied"}),
            ("archive", world.callback_agent, {}),
        ]:
            do(case, operation, actor, **params)
    loop_s = time.perf_counter() - t0
    for _ in range(CASES):  # cases left waiting for sign-for: the worker's load
        case = do(new_case(world.operator, category="0102"), "accept", world.dispatcher)
        do(case, "assign", world.dispatcher)
    t0 = time.perf_counter()
    alerts = scan_deadlines(now=dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI))
    scan_s = time.perf_counter() - t0
    print(
        f"{CASES} cases through the whole loop in {loop_s:.1f} s = {CASES / loop_s:.1f} cases/s "
        f"({CASES * 7 / loop_s:.0f} transactions/s); worker scan of {alerts} due alerts in {scan_s:.2f} s"
    )


# The analysis benchmarks, each a script of its own (bench/README.md says what each measures).
ANALYSIS = [
    "classifier.py",
    "suggestion_demo.py",
    "replies.py",
    "hotspots.py",
    "hot_gold.py",
    "surges.py",
    "repeats.py",
    "similar.py",
    "knowledge.py",
]


def analysis() -> None:
    only = os.environ.get("BENCH_ONLY", "")
    for script in ANALYSIS:
        if only and only not in script:
            continue
        print(f"\n--- bench/{script}", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / script)], cwd=ROOT, check=False)


def at_scale() -> None:
    """bench/intake.py, and bench/dashboard.py + bench/scale.py when the million-case database that
    `BENCH_SIMILAR_KEEP=1` leaves exists (loading it takes a quarter of an hour)."""
    only = os.environ.get("BENCH_ONLY", "")
    for script in ("intake.py", "dashboard.py", "scale.py"):
        if only and only not in script:
            continue
        if script != "intake.py" and not _kept_database():
            print(f"\n--- bench/{script}: skipped, no database {SCALE_DATABASE} (bench/README.md: At scale)")
            continue
        print(f"\n--- bench/{script}", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / script)], cwd=ROOT, check=False)


SCALE_DATABASE = "minyi_bench_similar"


def _kept_database() -> bool:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=3) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SCALE_DATABASE]).fetchone()
            is not None
        )


def rankings() -> None:
    """bench/rankings.py on the demo's database (MINYI_DATA_DIR, as `make demo` leaves it)."""
    if os.environ.get("BENCH_ONLY", "") not in ("", "rankings"):
        return
    demo = Path(os.environ.get("MINYI_DATA_DIR", ROOT / "data")) / "minyi.sqlite3"
    if not demo.is_file():
        print(f"\n--- bench/rankings.py: skipped, no demo database {demo} (run `make demo` first)")
        return
    print("\n--- bench/rankings.py", flush=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"MINYI_DATA_DIR": str(demo.parent)}
    subprocess.run([sys.executable, str(ROOT / "bench" / "rankings.py")], cwd=ROOT, env=env, check=False)


def faults() -> None:
    """bench/faults.py in its own process (it starts and removes its own PostgreSQL cluster)."""
    if os.environ.get("BENCH_ONLY", "") not in ("", "faults"):
        return
    print("\n--- bench/faults.py", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "faults.py")], cwd=ROOT, check=False)


def main() -> None:
    if sys.argv[1:] == ["loop"]:
        loop()
        return
    if sys.argv[1:] == ["faults"]:
        faults()
        return
    print(f"minyi benchmarks, {dt.date.today()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if sys.argv[1:] == ["analysis"]:
        analysis()
        return
    bench_calendar()
    with tempfile.TemporaryDirectory() as data:
        loop_in_subprocess("SQLite", {"MINYI_DATA_DIR": data, "DATABASE_URL": ""})
    try:
        import psycopg

        with psycopg.connect(
            "postgres://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS minyi_bench")
            conn.execute("CREATE DATABASE minyi_bench")
    except Exception as exc:  # no PostgreSQL here: report and go on
        print(f"PostgreSQL: not reachable ({exc})")
        analysis()
        rankings()
        faults()
        return
    with tempfile.TemporaryDirectory() as data:
        loop_in_subprocess(
            "PostgreSQL",
            {"MINYI_DATA_DIR": data, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/minyi_bench"},
        )
    analysis()
    at_scale()
    rankings()
    faults()


if __name__ == "__main__":
    main()
