"""The dashboard's queries at scale: everything the dashboard page (数据看板) asks the database for a
month — the measures with 环比/同比, the 12-month trend, categories, units, streets, channels and
demand types — timed on an existing database (by default the one bench/similar.py keeps with
BENCH_SIMILAR_KEEP=1: 1,000,000 cases loaded by `minyi loadgen`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minyi_bench_similar .venv/bin/python bench/dashboard.py

Prints each part's time and the total, three times (the first from a cold start of the process).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/minyi_bench_similar")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from minyi.access import cases as access
    from minyi.cases.models import Case
    from minyi.catalog.choices import Channel, DemandType
    from minyi.core import clock
    from minyi.org.models import User
    from minyi.org.roles import Role
    from minyi.stats import measures, periods

    leader = User.objects.filter(grants__role=Role.LEADER).first()
    cases = access.cases_visible_to(leader) if leader else Case.objects.all()
    last = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    month = periods.last_month(last) if last else periods.this_month(clock.now())
    start, end = month.start, month.end
    parts = {
        "measures with 环比/同比": lambda: measures.compare(cases, month),
        "12-month trend": lambda: measures.monthly_trend(
            cases, periods.months_up_to(end - dt.timedelta(seconds=1))
        ),
        "by category": lambda: measures.by_top_category(cases, start, end),
        "by lead unit": lambda: measures.by_lead_unit(cases, start, end),
        "by street": lambda: measures.by_street(cases, start, end),
        "by channel": lambda: measures.by_field(cases, start, end, "channel", Channel.choices),
        "by demand type": lambda: measures.by_field(cases, start, end, "demand_type", DemandType.choices),
    }
    print(f"dashboard queries on {Case.objects.count():,} cases, month {month.first_day:%Y-%m}")
    for round_ in range(3):
        total = 0.0
        timings = []
        for name, part in parts.items():
            began = time.perf_counter()
            part()
            took = time.perf_counter() - began
            total += took
            timings.append(f"{name} {took * 1000:.0f} ms")
        print(f"  round {round_ + 1}: total {total:.2f} s — " + ", ".join(timings), flush=True)


if __name__ == "__main__":
    main()
