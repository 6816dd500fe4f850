"""The measures on a handful of hand-made cases whose answers are known, and the periods they are
taken over (Beijing time, whatever the database stores)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from minyi.cases.models import Case
from minyi.cases.workflow import Status
from minyi.stats import measures, periods
from tests.conftest import at

NUMBERS = itertools.count(1)


def make(received: str, *, replied: str | None = None, **fields) -> Case:
    """A case written directly with the fields a measure reads (no workflow)."""
    n = next(NUMBERS)
    fields.setdefault("status", Status.REPLIED if replied else Status.HANDLING)
    return Case.objects.create(
        tracking_number=f"T-{n:06d}",
        query_code="ABCDEF",
        channel="hotline",
        demand_type="complaint",
        title=f"case {n}",
        description="…",
        received_at=at(received),
        replied_at=at(replied) if replied else None,
        **fields,
    )


NOVEMBER = periods.days(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def november(world):
    """Six cases around November 2026, named by what they test."""
    return {
        # received and replied on time by a unit in November, satisfied
        "a": make(
            "2026-11-03 10:00",
            replied="2026-11-10 10:00",
            lead_unit=world.heating,
            category=world.heating_shortage,
            area=world.east_grid,
            replied_on_time=True,
            satisfaction="satisfied",
        ),
        # received in October, replied late in November, dissatisfied
        "b": make(
            "2026-10-28 10:00",
            replied="2026-11-02 10:00",
            lead_unit=world.housing,
            category=world.roads,
            area=world.west_grid,
            replied_on_time=False,
            satisfaction="dissatisfied",
        ),
        # answered on the spot (no unit): closed but not in the on-time rate; basically satisfied
        "c": make(
            "2026-11-05 10:00",
            replied="2026-11-05 10:05",
            replied_on_time=True,
            satisfaction="basically_satisfied",
            area=world.east,
        ),
        # received in November, still open
        "d": make(
            "2026-11-20 10:00", lead_unit=world.heating, category=world.heating_cat, area=world.district
        ),
        # replied on time, the callback did not reach the requester
        "e": make(
            "2026-11-08 10:00",
            replied="2026-11-09 10:00",
            lead_unit=world.insurance,
            category=world.insurance_cat,
            replied_on_time=True,
            satisfaction="unreachable",
        ),
        # wholly in October
        "f": make(
            "2026-10-01 10:00",
            replied="2026-10-20 10:00",
            lead_unit=world.heating,
            replied_on_time=False,
            satisfaction="satisfied",
        ),
    }


def test_headline_definitions(november):
    h = measures.headline(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    assert (h.received, h.closed) == (4, 4)  # a c d e / a b c e
    assert (h.on_time, h.due) == (2, 3)  # a e of a b e: c has no unit
    assert h.on_time_rate == pytest.approx(2 / 3)
    assert (h.content, h.called_back) == (2, 3)  # a c of a b c: e was unreachable
    assert h.satisfaction_rate == pytest.approx(2 / 3)


def test_rates_are_none_without_anything_to_rate(world):
    h = measures.headline(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    assert h.received == h.closed == 0
    assert h.on_time_rate is None and h.satisfaction_rate is None


def test_the_callers_scope_applies(world, november):
    h = measures.headline(Case.objects.filter(lead_unit=world.heating), NOVEMBER.start, NOVEMBER.end)
    assert (h.received, h.closed, h.on_time, h.due) == (2, 1, 1, 1)


def test_headline_is_one_query(november, django_assert_num_queries):
    # every count, signatures in time included, is on the case rows
    with django_assert_num_queries(1):
        measures.headline(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)


def test_month_bounds_are_beijing_midnights(world, clock):
    # 2026-11-01 00:00 Beijing is 2026-10-31 16:00 UTC: the database compares UTC moments.
    make("2026-10-31 23:59:59")
    make("2026-11-01 00:00:00")
    make("2026-11-30 23:59:59")
    make("2026-12-01 00:00:00")
    month = periods.this_month(at("2026-11-25 09:00"))
    assert month.start == at("2026-11-01 00:00") and month.end == at("2026-12-01 00:00")
    assert month.start.astimezone(dt.UTC) == dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)
    assert measures.headline(Case.objects.all(), month.start, month.end).received == 2
    trend = measures.monthly_trend(Case.objects.all(), periods.months_up_to(at("2026-12-15 12:00"), 3))
    assert [(m.month, m.received) for m in trend] == [
        (dt.date(2026, 10, 1), 1),
        (dt.date(2026, 11, 1), 2),
        (dt.date(2026, 12, 1), 1),
    ]


def test_periods_around_new_year():
    now = at("2026-01-15 08:00")
    assert periods.last_month(now) == periods.Period(at("2025-12-01 00:00"), at("2026-01-01 00:00"))
    assert periods.this_year(now) == periods.Period(at("2026-01-01 00:00"), at("2027-01-01 00:00"))
    chosen = periods.days(dt.date(2026, 1, 5), dt.date(2026, 1, 5))
    assert (chosen.start, chosen.end) == (at("2026-01-05 00:00"), at("2026-01-06 00:00"))
    assert (chosen.first_day, chosen.last_day) == (dt.date(2026, 1, 5), dt.date(2026, 1, 5))
    months = periods.months_up_to(now)
    assert len(months) == 12
    assert months[0].first_day == dt.date(2025, 2, 1) and months[-1].last_day == dt.date(2026, 1, 31)
    assert all(a.end == b.start for a, b in itertools.pairwise(months))


def test_month_bounds_are_whole_local_months(world):
    assert periods.month_bounds(at("2026-02-14 23:30")) == (at("2026-02-01 00:00"), at("2026-03-01 00:00"))


def test_trend_counts_received_and_closed_per_month(november):
    trend = measures.monthly_trend(Case.objects.all(), periods.months_up_to(at("2026-11-25 09:00")))
    assert len(trend) == 12
    assert (trend[-2].month, trend[-2].received, trend[-2].closed) == (dt.date(2026, 10, 1), 2, 1)
    assert (trend[-1].month, trend[-1].received, trend[-1].closed) == (dt.date(2026, 11, 1), 4, 4)
    assert sum(m.received for m in trend[:-2]) == 0


def test_by_lead_unit(world, november):
    groups = {g.key: g for g in measures.by_lead_unit(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)}
    assert set(groups) == {world.heating.pk, world.housing.pk, world.insurance.pk}  # f is October only
    heating = groups[world.heating.pk]
    assert heating.label == "热力公司"
    assert (heating.measures.received, heating.measures.closed, heating.measures.on_time_rate) == (2, 1, 1.0)
    assert groups[world.housing.pk].measures.on_time_rate == 0.0
    assert groups[world.housing.pk].measures.satisfaction_rate == 0.0


def test_by_top_category_adds_up_the_sub_categories(world, november):
    groups = measures.by_top_category(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    assert [(g.key, g.label, g.measures.received, g.measures.closed) for g in groups] == [
        ("01", "城乡建设", 2, 2),  # a (供热不足) and d (供热) received, a and b (道路维修) closed
        ("02", "劳动和社会保障", 1, 1),
    ]


def test_by_street_adds_up_communities_and_grids(world, november):
    groups = {
        g.label: g.measures for g in measures.by_street(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    }
    # a in 东城一网格 and c on 东城街道 itself; b in 西城一网格; d (district only) and e (no place) left out
    assert set(groups) == {"东城街道", "西城街道"}
    assert (groups["东城街道"].received, groups["东城街道"].closed) == (2, 2)
    assert (groups["西城街道"].received, groups["西城街道"].closed) == (0, 1)


def test_tree_breakdowns_are_three_queries_whatever_the_tree(november, django_assert_num_queries):
    # the tree, the cases, the labels
    with django_assert_num_queries(3):
        measures.by_street(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    with django_assert_num_queries(3):
        measures.by_top_category(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)


def test_all_breakdowns_are_counted_in_one_pass(november, django_assert_num_queries):
    # both trees, the cases grouped once
    with django_assert_num_queries(3):
        figures = measures.measure(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    assert figures.total == measures.headline(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    for dimension, one_by_one in [
        ("lead_unit", measures.by_lead_unit),
        ("category", measures.by_top_category),
        ("street", measures.by_street),
    ]:
        assert measures.groups(figures, dimension) == one_by_one(
            Case.objects.all(), NOVEMBER.start, NOVEMBER.end
        )


def test_by_status_counts_the_cases_received_in_the_period(november):
    assert measures.by_status(Case.objects.all(), NOVEMBER.start, NOVEMBER.end) == [
        (Status.HANDLING, 1),
        (Status.REPLIED, 3),
    ]


def test_overdue_ranking(world, november):
    now = at("2026-11-25 09:00")
    late = dict(handle_due_at=at("2026-11-24 18:00"), handle_warn_at=at("2026-11-23 18:00"))
    soon = dict(handle_due_at=at("2026-11-26 18:00"), handle_warn_at=at("2026-11-25 08:00"))
    make("2026-11-18 10:00", lead_unit=world.insurance, **late)
    make("2026-11-18 11:00", lead_unit=world.insurance, **late)
    make("2026-11-18 12:00", lead_unit=world.heating, **soon)  # yellow: not overdue
    make("2026-11-18 13:00", lead_unit=world.heating, status=Status.SUSPENDED, **late)  # clock stopped
    ranking = measures.overdue_units(Case.objects.all(), NOVEMBER.start, NOVEMBER.end, now)
    assert [(r.name, r.red, r.late) for r in ranking] == [
        ("区医保局", 2, 0),
        ("区住建局", 0, 1),  # b replied late in November; f (heating) was late in October
    ]


def test_top_categories_for_the_portal(world, november):
    assert measures.top_categories(Case.objects.all(), NOVEMBER.start, NOVEMBER.end, n=1) == [("城乡建设", 2)]


def test_orders_due_include_those_overdue_without_a_reply(world, clock):
    clock.set("2026-11-25 09:00")
    unit = {"lead_unit": world.heating}
    make("2026-11-02 10:00", replied="2026-11-04 10:00", replied_on_time=True, **unit)  # due, on time
    make("2026-11-03 10:00", handle_due_at=at("2026-11-10 18:00"), **unit)  # overdue, still open: due
    make("2026-10-20 10:00", handle_due_at=at("2026-11-06 18:00"), replied="2026-12-01 10:00", **unit)
    make("2026-11-20 10:00", handle_due_at=at("2026-11-27 18:00"), **unit)  # due after now: not yet
    make("2026-11-03 10:00", handle_due_at=at("2026-11-10 18:00"), status=Status.WITHDRAWN, **unit)
    make("2026-11-03 10:00", handle_due_at=at("2026-11-10 18:00"), status=Status.SUSPENDED, **unit)
    h = measures.headline(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    # The third was replied in December: in November it was overdue and unreplied.
    assert (h.on_time, h.due) == (1, 3)
    assert h.on_time_rate == pytest.approx(1 / 3)
