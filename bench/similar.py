"""Benchmark of similar-case search (minyi/analysis/similar.py) on a history of a million cases.

`.venv/bin/python bench/similar.py` loads BENCH_SIMILAR_CASES cases (default 1,000,000) with
`minyi loadgen` into a fresh SQLite file database (temporary directory) and a fresh PostgreSQL
database `minyi_bench_similar` on 127.0.0.1:5432 (dropped and created), each in a subprocess with its
own DATABASE_URL / MINYI_DATA_DIR as bench/run.py does, runs ANALYZE (what autovacuum / a DBA would
have done on a live database), then times `similar_cases(dispatcher, title=…, description=…, area=…)`
for 200 queries a dispatcher would type: demo texts rendered for demo places, some seasonal (what
the season brings now), some of rare categories. Prints the load time and p50 / p95 / max latency.

BENCH_SIMILAR_SQLITE_CASES overrides the size for SQLite alone; BENCH_SIMILAR_DATABASES=sqlite or
postgresql runs one; BENCH_SIMILAR_KEEP=1 keeps both databases for profiling (and prints where).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = int(os.environ.get("BENCH_SIMILAR_CASES", "1000000"))
SQLITE_CASES = int(os.environ.get("BENCH_SIMILAR_SQLITE_CASES", str(CASES)))
DATABASES = os.environ.get("BENCH_SIMILAR_DATABASES", "sqlite,postgresql").split(",")
KEEP = os.environ.get("BENCH_SIMILAR_KEEP") == "1"
QUERIES = 200
SEED = 4242
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "minyi_bench_similar"


# --- in the subprocess ----------------------------------------------------------------------------


def child(cases: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from minyi.demo.loadgen import load

    call_command("migrate", verbosity=0)
    summary = load(cases=cases, progress=lambda line: print(line, file=sys.stderr, flush=True))
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    analyse_s = time.monotonic() - t0
    latencies, found = time_queries()
    print(
        json.dumps(
            {
                "cases": summary.cases,
                "events": summary.events,
                "keywords": summary.keywords,
                "load_s": round(summary.seconds, 1),
                "cases_per_s": round(summary.cases / summary.seconds),
                "rows_per_s": round(summary.rows / summary.seconds),
                "analyse_s": round(analyse_s, 1),
                "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(statistics.quantiles(latencies, n=20)[18], 1),
                "max_ms": round(max(latencies), 1),
                "mean_found": round(sum(found) / len(found), 1),
            }
        )
    )


def queries() -> list[tuple[str, str, object]]:
    """(title, description, area) as a dispatcher registering a new demand would search with them."""
    from minyi.core import clock
    from minyi.demo import catalogue, texts
    from minyi.demo.loadgen import read_district
    from minyi.demo.plans import Slots, _season

    rng = random.Random(SEED)
    places = read_district().places  # (grid, what the texts need to describe it)
    month = clock.local(clock.now()).month
    codes = [code for code, _name in catalogue.third_level_codes() if code in texts.CASE_TEXTS]
    seasonal = [c for c in codes if _season(c, month) > 1.5]  # what the season brings now (heating…)
    rare = sorted(codes, key=lambda c: catalogue.WEIGHT.get(c, 1.0) * _season(c, month))[:15]
    found = []
    for i in range(QUERIES):
        pool = seasonal if i % 4 == 0 else rare if i % 4 == 1 else codes
        code = rng.choice(pool)
        area, place = rng.choice(places)
        _types, title, body = rng.choice(texts.CASE_TEXTS[code])
        slots = Slots(rng, place)
        found.append((title.format_map(slots), "来电人反映：" + body.format_map(slots), area))
    return found


def time_queries() -> tuple[list[float], list[int]]:
    from minyi.analysis.similar import similar_cases
    from minyi.org.models import User

    dispatcher = User.objects.get(username="dispatcher")
    work = queries()
    title, description, area = work[0]
    similar_cases(dispatcher, title=title, description=description, area=area)  # jieba's dictionary loads
    latencies, found = [], []
    for title, description, area in work:
        t0 = time.perf_counter()
        result = similar_cases(dispatcher, title=title, description=description, area=area)
        latencies.append((time.perf_counter() - t0) * 1000)
        found.append(len(result))
    return latencies, found


# --- the parent -----------------------------------------------------------------------------------


def run(label: str, env: dict[str, str], cases: int) -> None:
    print(f"{label}: loading {cases:,} cases …", flush=True)
    result = subprocess.run(
        [sys.executable, __file__, "child", str(cases)],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    if result.returncode:
        print(f"{label}: failed (exit {result.returncode})")
        return
    r = json.loads(result.stdout.strip().splitlines()[-1])
    print(
        f"{label}: {r['cases']:,} cases, {r['events']:,} events, {r['keywords']:,} keywords loaded in "
        f"{r['load_s']} s ({r['cases_per_s']:,} cases/s, {r['rows_per_s']:,} rows/s; "
        f"ANALYZE {r['analyse_s']} s); similar_cases over {QUERIES} queries: "
        f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms "
        f"({r['mean_found']} similar cases found on average)",
        flush=True,
    )


def main() -> None:
    if sys.argv[1:2] == ["child"]:
        child(int(sys.argv[2]))
        return
    print(f"similar-case search benchmark, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if "sqlite" in DATABASES:
        data = tempfile.mkdtemp(prefix="minyi-bench-similar-")
        try:
            run("SQLite", {"MINYI_DATA_DIR": data, "DATABASE_URL": ""}, SQLITE_CASES)
        finally:
            if KEEP:
                print(f"SQLite database kept in {data}")
            else:
                shutil.rmtree(data, ignore_errors=True)
    if "postgresql" in DATABASES:
        if not _recreate_postgres():
            return
        url = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
        with tempfile.TemporaryDirectory() as data:
            try:
                run("PostgreSQL", {"MINYI_DATA_DIR": data, "DATABASE_URL": url}, CASES)
            finally:
                if KEEP:
                    print(f"PostgreSQL database kept: {url}")
                else:
                    _drop_postgres()


def _recreate_postgres() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    except Exception as exc:  # no PostgreSQL here: report and go on
        print(f"PostgreSQL: not reachable ({exc})")
        return False
    return True


def _drop_postgres() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")


if __name__ == "__main__":
    main()
