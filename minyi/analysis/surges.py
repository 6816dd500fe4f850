"""Rising topics (上升苗头, surge alerts): a category in a place, or a keyword, suddenly gets more
demands than usual — "供暖 in 东苑社区: 14 this week, 3.2 expected" — so that the centre forwards it
to the responsible unit before it grows (未诉先办).

For each key (category × area, or a hot keyword) and the day just ended, two recent windows are
compared with what was expected for them: the last day and the last seven days.

- **Baseline**: the key's counts over the 28 days before the last seven (so that a rise under way does
  not raise its own bar), per weekday-weighted day; shrunk towards the key's long-run rate (a year)
  so that a quiet month does not make one demand look like a surge.
- **Weekday pattern**: the district's counts by weekday over the last eight weeks (Mondays are busy,
  Sundays quiet), as factors with mean 1; a window's expectation is the base rate times the factors
  of its days.
- **Seasonality, where history allows**: when the category has a year of history, the expectation is
  multiplied by how much it rose last year from the same 28 days to the same window (heating every
  November), clamped to [1/2, 4], when that change is beyond SEASON_Z standard errors (else chance).
- **Decision**: a window alerts when it holds at least `min_count` demands, at least `min_ratio` times
  the expectation, and so many that a negative binomial with that mean (variance mean + mean²/k:
  real counts vary more than a Poisson's) gives them a probability below `alpha`.

Plain functions, no Django (tests/analysis/test_surges.py); analysis/alerts.py feeds them the cases.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from scipy.stats import nbinom

DAY = dt.timedelta(days=1)
SEASON_AHEAD = 7  # last year's season is read over the recent week and the week after it
SEASON_MIN_DEMANDS = 60  # in last year's 42 days: fewer cannot tell a season from chance
SEASON_Z = 3.0


@dataclass(frozen=True)
class Settings:
    baseline_days: int = 28
    recent_days: int = 7  # the longer window, and the gap between the baseline and the day scanned
    windows: tuple[int, ...] = (1, 7)
    min_count: Mapping[int, int] | None = None  # per window length; default below
    min_ratio: float = 2.0
    alpha: float = 1e-3
    dispersion: float = 10.0  # k of the negative binomial
    prior_days: float = 14.0  # weight of the long-run rate in the baseline, in days
    long_run_days: int = 365

    def least(self, window: int) -> int:
        return (self.min_count or {1: 5, 7: 8}).get(window, 8)


@dataclass(frozen=True)
class Surge:
    key: Hashable
    window_days: int
    start: dt.date
    end: dt.date
    observed: int
    expected: float
    p_value: float
    seasonal_factor: float

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected else float("inf")


def days(end: dt.date, n: int) -> list[dt.date]:
    """The n days up to and including `end`, oldest first."""
    return [end - DAY * i for i in range(n - 1, -1, -1)]


def weekday_profile(total: Mapping[dt.date, int], end: dt.date, weeks: int = 8) -> list[float]:
    """Seven factors (Monday first), mean 1: how busy each weekday is in the district."""
    sums = [0.0] * 7
    for day in days(end, weeks * 7):
        sums[day.weekday()] += total.get(day, 0)
    mean = sum(sums) / 7
    if mean == 0:
        return [1.0] * 7
    return [max(s / mean, 0.2) for s in sums]  # a weekday never counts as closed


def _weight(span: Iterable[dt.date], profile: list[float]) -> float:
    return sum(profile[d.weekday()] for d in span)


def _count(counts: Mapping[dt.date, int], span: Iterable[dt.date]) -> int:
    return sum(counts.get(d, 0) for d in span)


def base_rate(counts: Mapping[dt.date, int], day: dt.date, profile: list[float], s: Settings) -> float:
    """Demands per average day before the recent days, shrunk towards the long-run rate."""
    recent_start = day - DAY * (s.recent_days - 1)
    baseline = days(recent_start - DAY, s.baseline_days)
    long_run = days(recent_start - DAY, s.long_run_days)
    long_rate = _count(counts, long_run) / s.long_run_days
    observed, weight = _count(counts, baseline), _weight(baseline, profile)
    return (observed + s.prior_days * long_rate) / (weight + s.prior_days)


def seasonal_factor(counts: Mapping[dt.date, int], day: dt.date, s: Settings) -> float:
    """How much demand rose last year from the baseline to the fortnight around this day (1 without
    a year of history, or with too few demands to tell a season from chance). A change last year
    smaller than SEASON_Z standard errors of its own counts is chance, not a season: it would lift
    (or lower) this year's bar at random."""
    last_year = day - DAY * 364  # 52 weeks: the same weekdays
    recent_start = last_year - DAY * (s.recent_days - 1)
    before = _count(counts, days(recent_start - DAY, s.baseline_days))
    during_days = s.recent_days + SEASON_AHEAD
    during = _count(counts, days(last_year + DAY * SEASON_AHEAD, during_days))
    if before + during < SEASON_MIN_DEMANDS:
        return 1.0
    rate_before = before / s.baseline_days
    rate_during = during / during_days
    factor = (rate_during + 0.5) / (rate_before + 0.5)
    # log of a sum of n days under the negative binomial: variance ≈ 1/sum + 1/(k·n)
    variance = sum(
        1 / max(n, 1) + 1 / (s.dispersion * d) for n, d in ((before, s.baseline_days), (during, during_days))
    )
    if abs(math.log(factor)) < SEASON_Z * math.sqrt(variance):
        return 1.0
    return min(max(factor, 0.5), 4.0)


def tail_probability(observed: int, expected: float, dispersion: float) -> float:
    """P(X ≥ observed) for a negative binomial of mean `expected` and variance mean + mean²/k."""
    if observed <= 0:
        return 1.0
    p = dispersion / (dispersion + expected)
    return float(nbinom.sf(observed - 1, dispersion, p))


def detect(
    series: Mapping[Hashable, Mapping[dt.date, int]],
    *,
    day: dt.date,
    profile: list[float],
    seasons: Mapping[Hashable, Mapping[dt.date, int]] | None = None,
    season_of=None,
    settings: Settings | None = None,
) -> list[Surge]:
    """The surges of the windows ending on `day`, strongest first. `series` maps each key to its
    daily counts (the dates it has demands on; at least a year back when there is one);
    `season_of(key)` names the series (in `seasons`) whose last year gives the key's seasonality,
    e.g. the category's district-wide counts for a category × area key."""
    s = settings or Settings()
    found = []
    for key, counts in series.items():
        rate = None
        for window in s.windows:
            span = days(day, window)
            observed = _count(counts, span)
            if observed < s.least(window):
                continue
            rate = base_rate(counts, day, profile, s) if rate is None else rate
            source = (seasons or {}).get(season_of(key)) if season_of and seasons else None
            season = seasonal_factor(source if source is not None else counts, day, s)
            expected = max(rate * _weight(span, profile) * season, 0.05 * window)
            if observed < s.min_ratio * expected:
                continue
            # Days vary independently: a window of n days is n times less dispersed than one day.
            p = tail_probability(observed, expected, s.dispersion * window)
            if p < s.alpha:
                found.append(
                    Surge(key, window, span[0], day, observed, round(expected, 2), p, round(season, 2))
                )
    # One key alerts once a day: the window that stands out most.
    best: dict[Hashable, Surge] = {}
    for surge in found:
        if surge.key not in best or surge.p_value < best[surge.key].p_value:
            best[surge.key] = surge
    return sorted(best.values(), key=lambda x: (x.p_value, -x.observed))
