"""The ranking of units (考核排名, issue 16) on an existing database, before and after: how many units
score 100 in each month, and whether the top of the ranking holds a unit with fewer orders than the
minimum. By default the database of `make demo` (MINYI_DATA_DIR, SQLite; DATABASE_URL for another,
e.g. the million cases `minyi loadgen` leaves for bench/dashboard.py).

    MINYI_DATA_DIR=data .venv/bin/python bench/rankings.py

"Before" is the rule up to issue 16: weights 响应 10 / 解决 45 / 满意 45 (no on-time rate) and every
unit ranked however few its orders; "after" is the shipped stats/measures.toml (响应 10 / 按时 30 /
解决 30 / 满意 30, fewer than 10 orders due: 样本不足). Both are computed by stats/measures.py over the
lead units of each of the last twelve months of the data.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP = 10


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from minyi.cases.models import Case
    from minyi.stats import config, measures, periods

    after = config.current()
    before = dataclasses.replace(
        after, weights={"response_rate": 10, "resolution_rate": 45, "satisfaction_rate": 45}, min_cases=1
    )
    last = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    if last is None:
        print("no cases: run `make demo` first (or point DATABASE_URL at a loaded database)")
        return
    months = periods.months_up_to(last)
    print(
        f"rankings of lead units over {Case.objects.count():,} cases, {months[0].first_day:%Y-%m} to "
        f"{months[-1].first_day:%Y-%m}; after: minimum {after.min_cases} ({after.sample})"
    )
    print(
        "month    units  ranked after  at 100 before/after  top-10 below the minimum before/after  "
        "first before → after"
    )
    totals = {"at100_before": 0, "at100_after": 0, "small_top_before": 0, "small_top_after": 0}
    t0 = time.perf_counter()
    for month in months:
        groups = measures.groups(
            measures.measure(Case.objects.all(), month.start, month.end, ["lead_unit"]), "lead_unit"
        )
        old, new = measures.ranking(groups, before), measures.ranking(groups, after)
        at100 = [sum(r.score == 100.0 and r.rank is not None for r in ranked) for ranked in (old, new)]
        small = [
            sum(r.sample < after.min_cases for r in ranked[:TOP] if r.rank is not None)
            for ranked in (old, new)
        ]
        firsts = [
            f"{r[0].group.label} ({r[0].sample} due, {r[0].score})" if r and r[0].rank else "—"
            for r in (old, new)
        ]
        print(
            f"{month.first_day:%Y-%m}  {len(groups):5d}  {sum(r.rank is not None for r in new):12d}  "
            f"{at100[0]:6d} / {at100[1]:<6d}        "
            f"{small[0]:6d} / {small[1]:<6d}                       {firsts[0]} → {firsts[1]}"
        )
        totals["at100_before"] += at100[0]
        totals["at100_after"] += at100[1]
        totals["small_top_before"] += small[0]
        totals["small_top_after"] += small[1]
    print(
        f"12 months: units ranked at 100 {totals['at100_before']} → {totals['at100_after']}; ranked in a "
        f"top {TOP} with fewer than {after.min_cases} orders due {totals['small_top_before']} → "
        f"{totals['small_top_after']} ({time.perf_counter() - t0:.1f} s)"
    )


if __name__ == "__main__":
    main()
