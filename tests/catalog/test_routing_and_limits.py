"""The routing catalogue and the deadline rules: the most specific rule wins."""

from __future__ import annotations

from minyi.catalog.models import DeadlineRule, RoutingRule
from minyi.catalog.services import FALLBACK_LIMITS, limits_for, routing_for


def test_a_deeper_category_wins_over_an_area_rule(world):
    # 供热不足 lies under 供热 (→ 热力公司) and the case lies in 东城社区 (→ 社区居委会).
    routing = routing_for(category=world.heating_shortage, area=world.east_grid)
    assert routing.lead_unit == world.heating
    assert routing.co_units == (world.housing,)


def test_an_area_rule_applies_when_no_category_rule_matches(world):
    routing = routing_for(category=None, area=world.east_grid)
    assert routing.lead_unit == world.east_committee
    assert routing_for(category=None, area=world.west_grid) is None


def test_a_category_and_area_rule_beats_a_category_rule(world):
    RoutingRule.objects.create(category=world.heating_cat, area=world.east, lead_unit=world.east_office)
    assert routing_for(category=world.heating_shortage, area=world.east_grid).lead_unit == world.east_office
    assert routing_for(category=world.heating_shortage, area=world.west_grid).lead_unit == world.heating


def test_inactive_rules_and_units_are_ignored(world):
    RoutingRule.objects.filter(category=world.heating_cat).update(is_active=False)
    assert routing_for(category=world.heating_shortage, area=world.west_grid) is None


def test_the_rule_naming_more_wins(world):
    limits = limits_for(demand_type="complaint", urgency="normal", category=world.roads)
    assert (limits.handle_limit, limits.handle_unit) == (5, "working_days")
    inquiry = limits_for(demand_type="inquiry", urgency="normal", category=world.roads)
    assert (inquiry.handle_limit, inquiry.handle_unit) == (3, "working_days")
    urgent_heating = limits_for(demand_type="complaint", urgency="urgent", category=world.heating_shortage)
    assert (urgent_heating.sign_limit, urgent_heating.sign_unit) == (2, "hours")
    assert (urgent_heating.handle_limit, urgent_heating.handle_unit) == (24, "hours")
    urgent_roads = limits_for(demand_type="complaint", urgency="urgent", category=world.roads)
    assert (urgent_roads.sign_limit, urgent_roads.sign_unit) == (2, "working_hours")


def test_without_any_rule_the_fallback_applies(world):
    DeadlineRule.objects.all().delete()
    assert limits_for(demand_type="help", urgency="normal", category=None) == FALLBACK_LIMITS


def test_an_urgent_heating_case_runs_on_clock_hours(world, clock):
    from tests.cases.helpers import do, new_case
    from tests.conftest import at

    clock.set("2026-02-14 20:00")  # Saturday evening, make-up working day
    case = new_case(world.operator, category="010101", urgency="urgent")
    do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)
    assert case.sign_due_at == at("2026-02-14 22:00")
    assert case.handle_due_at == at("2026-02-15 20:00")  # 24 h, holiday or not


def test_urgency_decides_before_category_and_type(world):
    DeadlineRule.objects.create(
        demand_type="complaint", category=world.insurance_cat, sign_limit=1, sign_unit="working_days",
        handle_limit=15, handle_unit="working_days",
    )  # fmt: skip
    normal = limits_for(demand_type="complaint", urgency="normal", category=world.insurance_cat)
    assert normal.handle_limit == 15
    urgent = limits_for(demand_type="complaint", urgency="urgent", category=world.insurance_cat)
    assert (urgent.handle_limit, urgent.handle_unit) == (2, "working_days")
