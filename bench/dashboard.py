"""The dashboard (数据看板) at scale, on an existing database (by default the one bench/similar.py keeps
with BENCH_SIMILAR_KEEP=1: 1,000,000 cases loaded by `minyi loadgen`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minyi_bench_similar .venv/bin/python bench/dashboard.py

1. Stores the figures of every closed month (stats/rollups.py: what `minyi worker` does over its
   first rounds) and prints how long that took.
2. Asks for the dashboard page as a leader (scope: every case), as a browser would, three times each,
   for "this month" on the last day of a full month (that month counted live, the month before, the
   same month last year and the trend from the stored months), for "last month" (all stored) and for
   "this year" (its stored months added up, the current month and what is overdue at its end counted
   live); prints the page's time, the number of queries and the time spent in them (goal: < 0.5 s).
3. For comparison, the same page with nothing stored (every figure counted live), once.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/minyi_bench_similar")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from minyi.cases.models import Case
    from minyi.core import clock
    from minyi.org.models import User
    from minyi.org.roles import Role
    from minyi.stats import periods, rollups

    leader = User.objects.filter(grants__role=Role.LEADER).first()
    last = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    month = periods.last_month(last)  # the last full month of the data
    now = month.end - periods.ONE_DAY / 4  # its last day, 18:00
    print(f"dashboard of {Case.objects.count():,} cases; 'this month' is {month.first_day:%Y-%m}, now {now}")
    client = Client()
    client.force_login(leader)

    def page(period: str) -> tuple[float, int, float]:
        with clock.frozen_at(now), CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(reverse("console:dashboard"), {"period": period})
            took = time.perf_counter() - began
        assert response.status_code == 200, response.status_code
        return took, len(queries), sum(float(q["time"]) for q in queries.captured_queries)

    def show(label: str, rounds: int) -> None:
        for round_ in range(rounds):
            took, n, in_queries = page(label)
            print(
                f"  {label:10} round {round_ + 1}: page {took:.2f} s, {n} queries taking {in_queries:.2f} s",
                flush=True,
            )

    rollups.forget()
    print("nothing stored (every figure counted live):")
    show("month", 1)
    began = time.perf_counter()
    stored = rollups.refresh(now=now, limit=10_000)
    print(f"storing {len(stored)} closed months took {time.perf_counter() - began:.1f} s")
    print("with the stored months:")
    show("month", 3)
    show("last_month", 3)
    show("year", 3)


if __name__ == "__main__":
    main()
