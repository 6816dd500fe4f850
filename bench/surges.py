"""Rising topics: how often a threefold rise is caught on its first day, and how many alerts usual
variation raises, by the size of a key (its cases per day), on simulated counts with the weekday
pattern and day-to-day variation beyond a Poisson's (gamma-Poisson, k=10).

    .venv/bin/python bench/surges.py      (also run by `make bench`)
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILE = [1.25, 1.15, 1.1, 1.05, 1.0, 0.75, 0.7]
END = dt.date(2026, 11, 30)


def history(rng: random.Random, rate: float, days: int = 420) -> dict[dt.date, int]:
    import numpy as np

    counts = {}
    for i in range(days):
        day = END - dt.timedelta(days=days - 1 - i)
        mean = rng.gammavariate(10, rate * PROFILE[day.weekday()] / 10)
        counts[day] = int(np.random.default_rng(rng.randrange(2**32)).poisson(mean))
    return counts


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from minyi.analysis import surges

    rng = random.Random(1)
    print("surges: cases/day | threefold rise caught on day 1 (exact / noisy) | alerts per key-month")
    for rate in (1, 2, 4, 6, 8, 16, 32):
        exact = noisy = 0
        trials = 100
        for _ in range(trials):
            counts = history(rng, rate)
            base = rate * PROFILE[END.weekday()]
            counts[END] = round(3 * base)
            exact += bool(surges.detect({"k": counts}, day=END, profile=PROFILE))
            counts[END] = int(rng.gammavariate(10, 3 * base / 10) + 0.5)
            noisy += bool(surges.detect({"k": counts}, day=END, profile=PROFILE))
        alerts, open_until = 0, None
        keys = 20
        for _ in range(keys):
            counts = history(rng, rate)
            open_until = None
            for back in range(59, -1, -1):  # 60 days, one alert per rise (7 days open) as the product does
                day = END - dt.timedelta(days=back)
                if open_until and day <= open_until:
                    continue
                if surges.detect({"k": counts}, day=day, profile=PROFILE):
                    alerts += 1
                    open_until = day + dt.timedelta(days=7)
        print(f"  {rate:>3} | {exact / trials:.2f} / {noisy / trials:.2f} | {alerts / (keys * 2):.2f}")


if __name__ == "__main__":
    main()
