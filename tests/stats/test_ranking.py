"""The score (综合评分) and the ranking of units (考核排名) of stats/measures.py, as properties on any
counts: a lower on-time rate never ranks a unit above an otherwise equal one, a small sample is never
ranked (let alone first), improving a rate never lowers the score nor the unit's rank — and the
changes (环比/同比) as the pages print them.

MINYI_PROPERTY_EXAMPLES sets the examples per property (default 100).
"""

from __future__ import annotations

import dataclasses
import itertools
import os

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minyi.stats import config, measures
from minyi.stats.measures import Change, Group, Headline

EXAMPLES = int(os.environ.get("MINYI_PROPERTY_EXAMPLES", "100"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, database=None)
SHIPPED = config.parse(config.DEFAULT_FILE.read_text(encoding="utf-8"), "shipped", measures.COUNTS)


def unit(*, due=0, on_time=0, signed=0, signed_on_time=0, asked=0, resolved=0, called=0, content=0, **more):
    """The counts of a unit in a period, named by the rates they make; every order due was replied."""
    return Headline(
        received=more.pop("received", due),
        closed=more.pop("closed", due),
        replied_by_unit=due,
        on_time=on_time,
        called_back=called,
        content=content,
        asked_resolved=asked,
        resolved=resolved,
        signed=signed,
        signed_on_time=signed_on_time,
        **more,
    )


@st.composite
def part(draw, most: int):
    """(n, k): k of n, k ≤ n."""
    n = draw(st.integers(0, most))
    return n, draw(st.integers(0, n))


@st.composite
def headlines(draw, most: int = 3000) -> Headline:
    (due, on_time), (signed, in_time), (asked, resolved), (called, content) = (
        draw(part(most)) for _ in range(4)
    )
    reworked = draw(st.integers(0, due))
    return unit(
        due=due,
        on_time=on_time,
        signed=signed,
        signed_on_time=in_time,
        asked=asked,
        resolved=resolved,
        called=called,
        content=content,
        reworked=reworked,
    )


@st.composite
def configs(draw) -> config.Config:
    """The shipped configuration, or the same rates with other weights (the on-time rate's above 0),
    other minimum samples, and sometimes the rework rate (lower is better) in the score."""
    if draw(st.booleans()):
        return SHIPPED
    weights = {name: draw(st.integers(0, 50)) for name in SHIPPED.rates}
    weights["on_time_rate"] = draw(st.integers(1, 50))
    return dataclasses.replace(SHIPPED, weights=weights, min_cases=draw(st.integers(1, 40)))


def groups(headlines: list[Headline]) -> list[Group]:
    return [Group(i, f"单位{i:03d}", h) for i, h in enumerate(headlines)]


def position(ranking: list[measures.Ranked], key) -> int:
    return next(i for i, r in enumerate(ranking) if r.group.key == key)


@PROPERTY
@given(headlines(), st.data(), configs(), st.lists(headlines(), max_size=8))
def test_a_lower_on_time_rate_never_ranks_a_unit_above_an_otherwise_equal_one(h, data, chosen, others):
    assume(h.due >= 2)
    better = data.draw(st.integers(1, h.due))
    worse = data.draw(st.integers(0, better - 1))
    slow, quick = dataclasses.replace(h, on_time=worse), dataclasses.replace(h, on_time=better)
    units = groups([*others, slow, quick])
    slow_key, quick_key = units[-2].key, units[-1].key
    ranking = measures.ranking(data.draw(st.permutations(units)), chosen)
    s, q = ranking[position(ranking, slow_key)], ranking[position(ranking, quick_key)]
    assert s.standing == q.standing  # the same sample: both ranked, or both not
    if q.rank is not None:  # (units not ranked are listed busiest first, not by score)
        assert s.rank >= q.rank and s.score <= q.score
        assert position(ranking, slow_key) > position(ranking, quick_key)


@PROPERTY
@given(st.lists(headlines(most=40), min_size=1, max_size=25), configs())
def test_a_small_sample_is_never_ranked_and_never_above_a_ranked_unit(found, chosen):
    ranking = measures.ranking(groups(found), chosen)
    assert len(ranking) == len(found)
    for r in ranking:
        assert (r.rank is not None) == (r.standing == measures.RANKED)
        if r.sample < chosen.min_cases:
            assert r.insufficient and r.rank is None
    standings = [r.standing for r in ranking]
    assert standings == sorted(
        standings, key=[measures.RANKED, measures.INSUFFICIENT, measures.NO_SCORE].index
    )
    if ranking[0].rank is not None:
        assert ranking[0].rank == 1 and ranking[0].sample >= chosen.min_cases
    ranks = [r.rank for r in ranking if r.rank is not None]
    assert ranks == sorted(ranks)  # best first; equal scores share a rank (1, 2, 2, 4)
    scores = [r.score for r in ranking if r.rank is not None]
    assert all(a >= b for a, b in itertools.pairwise(scores))
    assert all(r.rank == 1 + sum(s > r.score for s in scores) for r in ranking if r.rank is not None)


def test_two_perfect_orders_do_not_stand_above_two_thousand_good_ones():
    perfect = unit(due=2, on_time=2, signed=2, signed_on_time=2, asked=2, resolved=2, called=2, content=2)
    busy = unit(
        due=2000, on_time=1900, signed=2000, signed_on_time=1990, asked=1500, resolved=1350, called=1600,
        content=1500,
    )  # fmt: skip
    first, second = measures.ranking(groups([perfect, busy]), SHIPPED)
    assert (first.group.key, first.rank) == (1, 1) and first.score < 100
    assert (second.group.key, second.rank, second.standing, second.score) == (0, None, "insufficient", 100.0)


def test_the_on_time_rate_counts_in_the_shipped_score():
    # 青山村村委会 in November: every callback content and solved, signed in time, none closed on time
    late = unit(due=12, on_time=0, signed=12, signed_on_time=12, asked=12, resolved=12, called=12, content=12)
    assert measures.score(late, SHIPPED) == 70.0
    assert measures.score(dataclasses.replace(late, on_time=12), SHIPPED) == 100.0


@PROPERTY
@given(headlines(), st.data(), configs(), st.lists(headlines(), max_size=6))
def test_improving_any_rate_never_lowers_the_score_nor_the_rank(h, data, chosen, others):
    rate = chosen.rates[data.draw(st.sampled_from(sorted(chosen.rates)))]
    numerator, denominator = h.count(rate.numerator), h.count(rate.denominator)
    assume(denominator > 0)
    field = {"due": "replied_by_unit", "assigned_to_sign": "signed"}.get(rate.numerator, rate.numerator)
    if rate.lower_is_better:  # fewer reworked replies
        moved = data.draw(st.integers(0, numerator))
        improved = dataclasses.replace(h, **{field: numerator - moved})
    else:
        moved = data.draw(st.integers(0, denominator - numerator))
        improved = dataclasses.replace(h, **{field: numerator + moved})
    before, after = measures.score(h, chosen), measures.score(improved, chosen)
    assert (before is None) == (after is None)
    if before is not None:
        assert after >= before
    old = measures.ranking(groups([*others, h]), chosen)
    new = measures.ranking(groups([*others, improved]), chosen)
    key = len(others)
    was, now = old[position(old, key)], new[position(new, key)]
    if was.rank is not None:
        assert now.rank <= was.rank


@pytest.mark.parametrize(
    ("kind", "now", "then", "signed", "then_shown"),
    [
        (measures.COUNT, 387, 258, "+50.0", "258"),
        (measures.COUNT, 129, 258, "−50.0", "258"),
        (measures.COUNT, 5, 0, "—", "0"),  # no share of nothing
        (measures.RATE, 0.931, 0.9, "+3.1", "90.0%"),
        (measures.RATE, 0.9, 0.9, "±0.0", "90.0%"),
        (measures.RATE, 0.9, None, "—", "—"),
        (measures.SCORE, 85.1, 87.3, "−2.2", "87.3"),
    ],
)
def test_a_change_is_a_share_for_counts_and_points_for_rates(kind, now, then, signed, then_shown):
    moved = Change(kind, now, then)
    assert (moved.signed, moved.then_shown) == (signed, then_shown)
