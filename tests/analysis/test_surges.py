"""Rising topics: a threefold rise is caught the day it happens; usual ups and downs, the weekday
pattern, last year's season and real history raise (almost) nothing."""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from minyi.analysis import surges

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"
PROFILE = [1.25, 1.15, 1.1, 1.05, 1.0, 0.75, 0.7]  # Monday … Sunday
END = dt.date(2026, 11, 30)  # a Monday


def noisy_history(rate: float, *, days: int = 420, seed: int = 7, season=None) -> dict[dt.date, int]:
    """Daily counts with the weekday pattern and day-to-day variation beyond a Poisson's."""
    rng = random.Random(seed)
    counts = {}
    for i in range(days):
        day = END - dt.timedelta(days=days - 1 - i)
        mean = rate * PROFILE[day.weekday()] * (season(day) if season else 1.0)
        mean = rng.gammavariate(10, mean / 10) if mean > 0 else 0
        counts[day] = _poisson(rng, mean)
    return counts


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is enough for the small means of one key and one day.
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def test_a_threefold_rise_is_caught_on_its_first_day():
    counts = noisy_history(8)
    counts[END] = round(3 * 8 * PROFILE[END.weekday()])
    found = surges.detect({"供暖@东苑社区": counts}, day=END, profile=PROFILE)
    assert [(s.key, s.window_days, s.end) for s in found] == [("供暖@东苑社区", 1, END)]
    assert found[0].ratio > 2.5 and found[0].expected == pytest.approx(10, abs=2.5)


def test_a_rise_too_small_to_tell_from_chance_is_not_an_alert():
    counts = noisy_history(8)
    counts[END] = round(1.5 * 8 * PROFILE[END.weekday()])
    assert surges.detect({"k": counts}, day=END, profile=PROFILE) == []


def test_a_slower_rise_over_a_week_is_caught_by_the_seven_day_window():
    counts = noisy_history(1.5)
    for i in range(7):
        day = END - dt.timedelta(days=i)
        counts[day] = round(3 * 1.5 * PROFILE[day.weekday()])
    found = surges.detect({"k": counts}, day=END, profile=PROFILE)
    assert found and found[0].window_days == 7 and found[0].observed >= 28


def test_usual_variation_raises_less_than_one_alert_per_key_and_month():
    alerts = 0
    for seed in range(20):  # 20 keys × 60 days
        counts = noisy_history(5, seed=seed)
        for back in range(60):
            alerts += len(surges.detect({"k": counts}, day=END - dt.timedelta(days=back), profile=PROFILE))
    assert alerts / 40 < 0.3  # alerts per key and month


def test_the_weekday_pattern_is_measured_from_the_district():
    counts = {
        END - dt.timedelta(days=i): (30 if (END - dt.timedelta(days=i)).weekday() == 0 else 10)
        for i in range(56)
    }
    profile = surges.weekday_profile(counts, END)
    assert profile[0] == pytest.approx(30 / (90 / 7)) and profile[3] == pytest.approx(10 / (90 / 7))


def test_last_years_season_is_expected_again():
    def winter(day: dt.date) -> float:  # heating: three times as many demands from 24 November
        return 3.0 if (day.month, day.day) >= (11, 24) or day.month <= 2 else 1.0

    counts = noisy_history(4, days=800, season=winter)
    district = {"供暖": counts}
    # The season's first weeks this year look like a surge on their own …
    without = surges.detect(
        {"k": {d: n for d, n in counts.items() if d > END - dt.timedelta(days=300)}}, day=END, profile=PROFILE
    )
    # … but with last year's history they are what was expected.
    with_season = surges.detect(
        {"k": counts}, day=END, profile=PROFILE, seasons=district, season_of=lambda key: "供暖"
    )
    assert without and not with_season


def test_every_day_of_real_history_raises_less_than_one_alert_per_area_and_month():
    if not DATA.is_file():
        pytest.skip("the real messages are not in ../shared/data/tipdm2020")
    place = re.compile(r"([A-Z]\d*)[区县市]")
    series: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    with DATA.open(encoding="utf-8") as source:
        for row in csv.DictReader(source):
            if not row["created_at"]:
                continue
            day = dt.date.fromisoformat(row["created_at"][:10])
            found = place.search(row["title"] + row["detail"])
            series[found.group(1) if found else "?"][day] += 1
            total[day] += 1
    first, last = dt.date(2017, 1, 1), max(total)
    alerts, day = 0, first
    while day <= last:
        alerts += len(surges.detect(series, day=day, profile=surges.weekday_profile(total, day)))
        day += dt.timedelta(days=1)
    months = (last - first).days / 30.4
    assert alerts / (len(series) * months) < 1.0
    assert alerts / (len(series) * months) < 0.1  # in fact far below


def test_the_tail_probability_is_that_of_a_negative_binomial():
    assert surges.tail_probability(0, 3.0, 10) == 1.0
    assert surges.tail_probability(30, 3.0, 10) < 1e-9 < surges.tail_probability(8, 3.0, 10) < 0.05
