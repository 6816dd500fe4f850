"""The daily pages at scale, on an existing database (by default the one bench/similar.py keeps with
BENCH_SIMILAR_KEEP=1: 1,000,000 cases loaded by `minyi loadgen`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minyi_bench_similar .venv/bin/python bench/scale.py

Each page is asked for through Django's test client as the persona who uses it, as a browser would
(logged in, Chinese), on the last day of the data: three times, and the best and the worst time are
printed with the number of queries and the time spent in them. Goals (issue 7): case lists with
filters and search < 0.3 s, the unit workbench < 0.3 s, the monthly report < 10 s (of a month that
has ended: its hot issues are mined once by the worker's daily job, timed here when not kept yet).
The last part times one round of the deadline worker (`scan_deadlines`) inside a transaction that is
rolled back, so the database is left as it was.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMES = 3


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/minyi_bench_similar")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from minyi.analysis import hot
    from minyi.cases.models import Case
    from minyi.cases.workflow import Status
    from minyi.catalog.models import Category
    from minyi.core import clock
    from minyi.notifications.worker import scan_deadlines
    from minyi.org.models import Area, Unit, User
    from minyi.org.roles import Role
    from minyi.stats import periods, rollups

    last = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    now = last
    month = periods.last_month(last)
    total = Case.objects.count()
    print(f"{total:,} cases; now {now:%Y-%m-%d %H:%M}")

    def persona(role: str, **scope) -> User:
        return User.objects.filter(grants__role=role, **scope).order_by("pk").first()

    busiest = (
        Case.objects.filter(status__in=[Status.ASSIGNED, Status.HANDLING])
        .values("lead_unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    unit = Unit.objects.get(pk=busiest["lead_unit_id"])
    handler = User.objects.filter(unit=unit, is_active=True).order_by("pk").first()
    dispatcher = persona(Role.DISPATCHER)
    leader = persona(Role.LEADER)
    street = Area.objects.filter(level=Area.Level.STREET).order_by("pk").first()
    heating = (
        Category.objects.filter(name__contains="供暖").order_by("depth").first() or Category.objects.first()
    )
    some_number = Case.objects.order_by("-pk").values_list("tracking_number", flat=True)[500]
    print(f"unit workbench of {unit.name} ({busiest['n']:,} cases with the unit) as {handler.username}")

    began = time.perf_counter()
    kept = rollups.refresh(now=now, limit=1000)  # the closed months' figures, as the worker keeps them
    if kept:
        print(
            f"worker: the figures of {len(kept)} closed months stored in {time.perf_counter() - began:.1f} s"
        )
    pages = [
        (dispatcher, "case list, first page", "/console/cases/", {}),
        (dispatcher, "case list, open cases", "/console/cases/", {"status": ["assigned", "handling"]}),
        (dispatcher, "case list, red light", "/console/cases/", {"light": "red"}),
        (
            dispatcher,
            "case list, street + category",
            "/console/cases/",
            {"area": street.pk, "category": heating.code},
        ),
        (
            dispatcher,
            "case list, received last month",
            "/console/cases/",
            {
                "received_from": month.first_day.isoformat(),
                "received_to": (month.end - periods.ONE_DAY).date().isoformat(),
            },
        ),
        (dispatcher, "case list, sorted by deadline", "/console/cases/", {"sort": "deadline"}),
        (dispatcher, "search: tracking number", "/console/cases/", {"q": some_number}),
        (dispatcher, "search: words (暖气)", "/console/cases/", {"q": "暖气"}),
        (dispatcher, "search: words (噪音扰民)", "/console/cases/", {"q": "噪音扰民"}),
        (dispatcher, "search: a word no case has", "/console/cases/", {"q": "量子计算机"}),
        (handler, "unit: case list", "/console/cases/", {}),
        (handler, "unit: search (暖气)", "/console/cases/", {"q": "暖气"}),
        (handler, "unit workbench (单位工作台)", "/console/workbench/", {}),
        (dispatcher, "dispatch desk (派单台)", "/console/dispatch/", {}),
        (persona(Role.SUPERVISOR), "supervision desk (督办台)", "/console/supervision/", {}),
        (persona(Role.CALLBACK_AGENT), "callback desk (回访台)", "/console/callback/", {}),
        (leader, "leader home", "/console/leader/", {}),
        (dispatcher, "API: case list", "/api/v1/cases/", {}),
        (dispatcher, "API: search (暖气)", "/api/v1/cases/", {"q": "暖气"}),
    ]
    print(f"{'page':40} {'best':>8} {'worst':>8} {'queries':>8} {'in queries':>11}")
    for user, label, path, params in pages:
        if user is None:
            print(f"{label:40} (no such persona in this database)")
            continue
        client = Client()
        client.force_login(user)
        took, count, in_db = [], 0, 0.0
        for _ in range(TIMES):
            with clock.frozen_at(now), CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(path, params)
                took.append(time.perf_counter() - began)
            assert response.status_code == 200, (label, response.status_code)
            count, in_db = len(queries), sum(float(q["time"]) for q in queries.captured_queries)
        print(f"{label:40} {min(took):7.3f}s {max(took):7.3f}s {count:8d} {in_db:10.3f}s")

    if hot.month_hot_issues(month.first_day, 1) is None:  # what the worker's daily job does once
        began = time.perf_counter()
        hot.refresh_month_hot_issues(day=month.last_day)
        took = time.perf_counter() - began
        print(f"{'worker: the month hot issues, kept':40} {took:7.3f}s  (once, on its last day)")
    client = Client()
    client.force_login(leader)
    for fmt in ("pdf", "xlsx"):
        with clock.frozen_at(now):
            began = time.perf_counter()
            response = client.get(
                "/console/reports/monthly/", {"month": f"{month.first_day:%Y-%m}", "format": fmt}
            )
            body = b"".join(response.streaming_content) if response.streaming else response.content
            took = time.perf_counter() - began
        assert response.status_code == 200, (fmt, response.status_code)
        print(f"{'monthly report ' + fmt + ' (月度报告)':40} {took:7.3f}s  ({len(body) / 1024:.0f} KiB)")

    with transaction.atomic():
        began = time.perf_counter()
        alerts = scan_deadlines(now=now)
        took = time.perf_counter() - began
        transaction.set_rollback(True)
    print(f"{'worker: one deadline scan':40} {took:7.3f}s  ({alerts:,} alerts raised, rolled back)")


if __name__ == "__main__":
    main()
