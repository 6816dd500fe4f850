"""Finding cases by a caller's phone number tells a user no more than an audited reveal would
(access/personal_data.py: cases_of_caller, revealable_cases, same_requester_cases)."""

from __future__ import annotations

import pytest

from minyi.access.models import PersonalDataAccess, RequesterLookup
from minyi.access.personal_data import cases_of_caller, may_reveal, normal_phone, revealable_cases
from minyi.cases.models import Case
from minyi.core.errors import NotPermitted, TooManyRequests
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for, text_of

HISTORY = "/console/intake/history/"
PHONE = "13912345678"


def assigned(world, **fields) -> Case:
    case = new_case(world.operator, category="010101", **fields)
    do(case, "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher)


def test_only_the_roles_taking_calls_look_up_a_caller(world, clock):
    earlier = new_case(world.operator, requester_phone=PHONE, area=world.east_grid)
    for person in (world.grid_worker, world.visit_secretary):
        response = client_for(person).get(HISTORY, {"requester_phone": PHONE})
        assert response.status_code == 403 and earlier.tracking_number not in response.content.decode()
        assert 'id="caller-history"' not in client_for(person).get("/console/intake/").content.decode()
        with pytest.raises(NotPermitted):
            cases_of_caller(person, phone=PHONE)
    assert not RequesterLookup.objects.exists() and not PersonalDataAccess.objects.exists()
    assert 'id="caller-history"' in client_for(world.operator).get("/console/intake/").content.decode()


def test_a_look_up_that_finds_cases_is_audited_like_a_reveal(world, clock):
    first = new_case(world.operator, requester_phone=PHONE, title="去年的供暖投诉")
    second = new_case(world.operator, requester_phone=PHONE, title="楼道灯坏了")
    response = client_for(world.operator).get(HISTORY, {"requester_phone": PHONE})
    assert first.tracking_number in text_of(response) and second.tracking_number in text_of(response)
    audits = PersonalDataAccess.objects.filter(user=world.operator)
    assert sorted(audits.values_list("case_id", flat=True)) == sorted([first.pk, second.pk])
    assert set(audits.values_list("fields", flat=True)) == {"phone"}
    lookup = RequesterLookup.objects.get()
    assert (lookup.user, lookup.found) == (world.operator, 2)
    assert PHONE not in lookup.digest  # the number is not stored a second time


def test_a_look_up_that_finds_nothing_is_recorded_but_audits_no_case(world, clock):
    client_for(world.operator).get(HISTORY, {"requester_phone": "13900000000"})
    assert RequesterLookup.objects.get().found == 0 and not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("partial", ["1391234", "13912345", "139123456", "1391234567"])
def test_the_first_digits_of_a_number_find_nothing(world, clock, partial):
    """No search by prefix: 7 digits and a walk over the last 4 would otherwise find every caller."""
    new_case(world.operator, requester_phone=PHONE)
    assert cases_of_caller(world.operator, phone=partial) == []
    assert not RequesterLookup.objects.exists()


@pytest.mark.parametrize(
    "typed", ["+86 139 1234 5678", "139-1234-5678", "139.1234.5678", "１３９１２３４５６７８"]
)
def test_a_number_is_found_however_it_was_typed(world, clock, typed):
    case = new_case(world.operator, requester_phone="0086-139-1234-5678")
    assert case.requester_phone == PHONE  # stored in its one normal form
    assert cases_of_caller(world.operator, phone=typed) == [case]


def test_look_ups_are_limited_per_user_in_different_numbers(world, clock, settings):
    settings.MINYI_CALLER_LOOKUPS_PER_HOUR = 3
    case = new_case(world.operator, requester_phone="13900000003")
    for n in range(1, 4):
        cases_of_caller(world.operator, phone=f"1390000000{n}")
    with pytest.raises(TooManyRequests) as refused:
        cases_of_caller(world.operator, phone="13900000004")
    assert "10:00" in refused.value.message  # when the first of the three leaves the hour
    refused_page = client_for(world.operator).get(HISTORY, {"requester_phone": "13900000005"})
    assert "10:00" in text_of(refused_page) and RequesterLookup.objects.count() == 3
    # the same number again (typed, corrected, asked again) is not a new one
    assert cases_of_caller(world.operator, phone="13900000003") == [case]
    clock.advance(hours=1, minutes=1)
    assert cases_of_caller(world.operator, phone="13900000004") == []


def test_revealable_cases_are_exactly_those_may_reveal_allows(world, clock):
    cases = [
        assigned(world),
        assigned(world, needs_contact=True),
        assigned(world, needs_contact=True, demand_type="report"),
        new_case(world.operator, area=world.east_grid),
        new_case(world.grid_worker, channel="grid", area=world.east_grid, needs_contact=True),
    ]
    people = [
        world.operator,
        world.dispatcher,
        world.heating_handler,
        world.heating_head,
        world.housing_handler,
        world.street_head,
        world.committee_handler,
        world.grid_worker,
        world.visit_secretary,
        world.integration,
    ]
    for person in people:
        revealable = set(revealable_cases(person).values_list("pk", flat=True))
        assert revealable == {c.pk for c in cases if may_reveal(person, c)}, person


def test_a_unit_is_not_told_that_a_requester_it_may_reveal_raised_another_case(world, clock):
    """Linking a case to one whose requester the unit may reveal would reveal both."""
    known = assigned(world, needs_contact=True, title="暖气不热要上门")
    masked = assigned(world, title="暖气费太贵")
    unit = client_for(world.heating_handler)
    for case in (known, masked):
        page = unit.get(f"/console/cases/{case.pk}/").context
        assert page["linked"] == [] and not any(s.same_requester for s in page["similar"])
    centre = client_for(world.dispatcher).get(f"/console/cases/{known.pk}/").context
    assert centre["linked"] == [masked] and all(s.same_requester for s in centre["similar"])


def test_the_similar_cases_at_intake_do_not_match_a_typed_phone(world, clock):
    earlier = new_case(
        world.operator,
        requester_phone=PHONE,
        title="暖气不热",
        description="幸福小区3号楼暖气冰凉，室温十四度",
        area=world.east_grid,
    )
    query = {"title": "暖气不热", "description": "幸福小区暖气冰凉室温十四度", "requester_phone": PHONE}
    for person in (world.operator, world.grid_worker):
        response = client_for(person).get("/console/intake/similar/", query)
        found = response.context["similar"]
        assert earlier in [s.case for s in found] or person == world.grid_worker
        assert not any(s.same_requester for s in found)
    assert not PersonalDataAccess.objects.exists()


def test_normal_phone_refuses_what_is_no_number():
    with pytest.raises(ValueError):
        normal_phone("call me")
    assert normal_phone("+86 (571) 8888-1234") == "057188881234"
    assert normal_phone("+1 415 555 0100") == "+14155550100"
