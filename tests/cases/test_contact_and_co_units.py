"""需联系诉求人 decided on accept, assign and reassign (the event records it), and co-units that are
exactly the ones named: the routing catalogue's only when none are named at all."""

from __future__ import annotations

import pytest

from minyi.access.personal_data import may_reveal
from minyi.cases.models import Case
from minyi.core.errors import InvalidInput
from tests.cases.helpers import do, new_case


def accepted(world, **fields) -> Case:
    return do(new_case(world.operator, category="010101", **fields), "accept", world.dispatcher)


@pytest.mark.parametrize("operation", ["accept", "assign"])
def test_accept_and_assign_decide_whether_the_unit_may_call_and_the_event_records_it(world, clock, operation):
    case = new_case(world.operator, category="010101")
    if operation == "assign":
        case = do(case, "accept", world.dispatcher)
    assert not case.needs_contact

    case = do(case, operation, world.dispatcher, needs_contact=True)

    assert case.needs_contact
    assert case.events.latest("pk").data["needs_contact"] is True


def test_the_unit_may_reveal_the_requester_once_the_assignment_says_it_needs_contact(world, clock):
    case = do(accepted(world), "assign", world.dispatcher, needs_contact=True)
    assert may_reveal(world.heating_handler, case)


def test_a_reassignment_may_take_the_contact_back(world, clock):
    case = do(accepted(world, needs_contact=True), "assign", world.dispatcher)
    case = do(case, "return", world.heating_handler, note="非供热问题")

    case = do(case, "reassign", world.dispatcher, lead_unit=world.insurance.pk, needs_contact=False)

    assert not case.needs_contact and not may_reveal(world.insurance_handler, case)
    assert case.events.latest("pk").data["needs_contact"] is False


def test_an_operation_without_the_decision_keeps_what_the_case_has(world, clock):
    case = do(accepted(world, needs_contact=True), "assign", world.dispatcher)
    assert case.needs_contact
    assert "needs_contact" not in case.events.latest("pk").data


def test_a_malformed_decision_is_refused_and_changes_nothing(world, clock):
    case = accepted(world)
    with pytest.raises(InvalidInput) as caught:
        do(case, "assign", world.dispatcher, needs_contact="perhaps")
    assert caught.value.field == "needs_contact"
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_no_co_units_named_means_none_even_when_the_catalogue_proposes_the_lead_unit(world, clock):
    case = do(accepted(world), "assign", world.dispatcher, co_units=[])
    assert case.lead_unit == world.heating
    assert list(case.co_units.all()) == []
    assert case.events.latest("pk").data["co_units"] == []


def test_without_lead_unit_and_co_units_the_catalogue_rule_is_taken_whole(world, clock):
    case = do(accepted(world), "assign", world.dispatcher)
    assert case.lead_unit == world.heating
    assert list(case.co_units.all()) == [world.housing]
