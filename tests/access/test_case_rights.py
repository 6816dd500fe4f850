"""Who may do what: every operation of the workflow against every persona, and who sees which case.

The expectations are written out here by hand, from DOMAIN.md, not derived from the workflow module,
so a wrong declaration there fails these tests.
"""

from __future__ import annotations

import pytest

from minyi.access.cases import (
    access_case_by_id,
    access_case_by_query_code,
    allowed_operations,
    cases_visible_to,
    permitted,
)
from minyi.access.principals import Citizen
from minyi.cases.models import Case
from minyi.cases.workflow import OPERATIONS, Status
from minyi.core.errors import IllegalTransition, NotFound, NotPermitted
from tests.cases.helpers import do, new_case

PERSONAS = [
    "operator", "dispatcher", "supervisor", "callback_agent", "leader", "admin", "heating_handler",
    "heating_head", "housing_handler", "insurance_handler", "street_head", "committee_handler", "grid_worker",
    "visit_secretary", "integration",
]  # fmt: skip

# For a heating case located in 东城一网格, led by 热力公司 with 区住建局 as co-unit.
EXPECTED = {
    "accept": {"operator", "dispatcher"},
    "reject": {"dispatcher"},
    "classify": {"dispatcher"},
    "answer": {"operator", "dispatcher", "grid_worker"},
    "assign": {"dispatcher"},
    "sign_for": {"heating_handler", "heating_head"},
    "return": {"heating_handler", "heating_head"},
    "reassign": {"dispatcher"},
    "uphold": {"dispatcher"},
    "request_extension": {"heating_handler", "heating_head"},
    "approve_extension": {"dispatcher"},
    "deny_extension": {"dispatcher"},
    "reply": {"heating_handler", "heating_head"},
    "co_reply": {"housing_handler"},
    "callback": {"callback_agent"},
    "archive": {"callback_agent", "dispatcher"},
    "reopen": {"callback_agent", "dispatcher"},
    "remind": {"supervisor", "dispatcher"},
    "supervise": {"supervisor"},
    "request_instruction": {"supervisor", "dispatcher"},  # asking a named leader (请示批示)
    "instruct": {"leader"},
    "merge": {"dispatcher"},
    "unmerge": {"dispatcher"},
    "master_replied": set(),  # the system: a repeat follows its master
    "follow_master": set(),
    "master_reopened": set(),
    "master_archived": set(),
    "suspend": {"dispatcher"},
    "resume": {"dispatcher"},
    "withdraw": {"operator", "dispatcher"},
    "rate": set(),  # the requester, through the portal (or an integration, for cases it registered)
    "attach": {"operator", "dispatcher", "heating_handler", "heating_head", "housing_handler"}
    | {"street_head", "grid_worker", "visit_secretary"},
}


def heating_case(world, clock):
    case = new_case(world.operator, category="010101", area=world.east_grid)
    do(case, "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher)


def test_expectations_cover_every_operation():
    assert set(EXPECTED) | {"create"} == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(EXPECTED))
def test_who_may_perform_each_operation(world, clock, operation):
    case = heating_case(world, clock)
    allowed = {name for name in PERSONAS if permitted(getattr(world, name), case, OPERATIONS[operation])}
    assert allowed == EXPECTED[operation]


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("east_grid", {"operator", "dispatcher", "grid_worker", "visit_secretary", "integration"}),
        ("west_grid", {"operator", "dispatcher", "integration"}),
    ],
)
def test_who_may_register_a_case_where(world, area, expected):
    place = getattr(world, area)
    allowed = {n for n in PERSONAS if permitted(getattr(world, n), None, OPERATIONS["create"], area=place)}
    assert allowed == expected


def test_a_forbidden_operation_is_refused_and_changes_nothing(world, clock):
    case = heating_case(world, clock)
    before = Case.objects.get(pk=case.pk)
    with pytest.raises(NotPermitted, match="签收|Sign for"):
        do(case, "sign_for", world.housing_handler)  # a co-unit may not sign for
    with pytest.raises(NotPermitted):
        do(case, "remind", world.leader)
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.version, after.events.count()) == (before.status, before.version, 3)


def test_an_illegal_operation_names_the_status_and_what_is_possible(world, clock):
    case = heating_case(world, clock)
    with pytest.raises(IllegalTransition) as caught:
        do(case, "callback", world.callback_agent, satisfaction="satisfied")
    error = caught.value
    assert error.details["status"] == Status.ASSIGNED
    assert error.details["allowed"] == []  # nothing a callback agent can do on an assigned case
    with pytest.raises(IllegalTransition) as caught:
        do(case, "accept", world.dispatcher)
    assert {"reassign", "suspend", "withdraw"} <= set(caught.value.details["allowed"])
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED


def test_allowed_operations_for_the_lead_unit(world, clock):
    case = heating_case(world, clock)
    names = [op.name for op in allowed_operations(world.heating_handler, case)]
    assert names == ["sign_for", "return", "attach"]


# --- data scope ---------------------------------------------------------------------------------


def visible(world, case):
    return {name for name in PERSONAS if cases_visible_to(getattr(world, name)).filter(pk=case.pk).exists()}


CENTRE = {"operator", "dispatcher", "supervisor", "callback_agent", "leader", "admin"}


def test_lead_unit_co_unit_and_area_see_a_case_others_do_not(world, clock):
    case = heating_case(world, clock)
    assert visible(world, case) == CENTRE | {
        "heating_handler", "heating_head", "housing_handler", "street_head", "grid_worker", "visit_secretary",
    }  # fmt: skip


def test_a_grid_worker_sees_only_their_grid(world, clock):
    other_grid = new_case(world.operator, area=world.east_grid2)
    assert "grid_worker" not in visible(world, other_grid)
    assert {"street_head", "visit_secretary"} <= visible(world, other_grid)
    west = new_case(world.operator, area=world.west_grid)
    assert visible(world, west) == CENTRE


def test_a_unit_head_with_unit_tree_scope_sees_subordinate_units_cases(world, clock):
    from minyi.org.models import RoleGrant

    RoleGrant.objects.filter(user=world.street_head).update(scope="unit_tree")
    world.street_head.refresh_roles()
    case = new_case(world.operator, area=world.west_grid, title="社区活动室漏水")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher, lead_unit=world.east_committee.pk)
    assert cases_visible_to(world.street_head).filter(pk=case.pk).exists()
    assert cases_visible_to(world.committee_handler).filter(pk=case.pk).exists()
    assert permitted(world.street_head, Case.objects.get(pk=case.pk), OPERATIONS["sign_for"])
    # the committee does not see its parent's cases
    led_by_office = new_case(world.operator, area=world.west_grid)
    do(led_by_office, "accept", world.dispatcher)
    do(led_by_office, "assign", world.dispatcher, lead_unit=world.east_office.pk)
    assert not cases_visible_to(world.committee_handler).filter(pk=led_by_office.pk).exists()


def test_another_units_case_is_not_found_by_id(world, clock):
    case = heating_case(world, clock)
    with pytest.raises(NotFound):
        access_case_by_id(world.insurance_handler, case.pk)
    with pytest.raises(NotFound):
        do(case, "sign_for", world.insurance_handler)
    assert access_case_by_id(world.heating_handler, case.pk) == case


def test_a_reassigned_case_leaves_the_old_units_view(world, clock):
    case = heating_case(world, clock)
    do(case, "return", world.heating_handler, note="非供热问题")
    do(case, "reassign", world.dispatcher, lead_unit=world.insurance.pk)
    assert not cases_visible_to(world.heating_handler).filter(pk=case.pk).exists()
    assert cases_visible_to(world.insurance_handler).filter(pk=case.pk).exists()


def test_a_user_without_roles_sees_nothing(world, clock):
    from minyi.org.models import User

    heating_case(world, clock)
    nobody = User.objects.create_user(username="nobody", unit=world.heating)
    assert not cases_visible_to(nobody).exists()


def test_an_integration_sees_and_acts_on_the_cases_it_registered_only(world, clock):
    own = new_case(world.integration, channel="wechat", area=world.west_grid)
    other = new_case(world.operator)
    assert list(cases_visible_to(world.integration)) == [own]
    with pytest.raises(NotFound):
        access_case_by_id(world.integration, other.pk)
    assert [op.name for op in allowed_operations(world.integration, own)] == ["attach", "withdraw"]
    assert do(own, "withdraw", world.integration, note="群众在公众号撤回").status == Status.WITHDRAWN


def test_a_citizen_reaches_their_case_only_with_the_query_code(world, clock):
    case = heating_case(world, clock)
    assert access_case_by_query_code(case.tracking_number, case.query_code.lower()) == case
    with pytest.raises(NotFound):
        access_case_by_query_code(case.tracking_number, "WRONG1")
    citizen = Citizen(case_id=case.pk)
    assert list(cases_visible_to(citizen)) == [case]
    withdrawn = do(case, "withdraw", citizen, note="问题已自行解决")
    assert withdrawn.status == Status.WITHDRAWN
    other = new_case(world.operator)
    with pytest.raises(NotFound):
        do(other, "withdraw", citizen, note="不是我的")


def a_case_of_every_kind(world, clock):
    """Cases led by a department (with a co-unit), a street office without an area, a community
    committee, and one not yet assigned, in different places."""
    heating = heating_case(world, clock)
    office = do(new_case(world.operator, title="街道办窗口态度差"), "accept", world.dispatcher)
    office = do(office, "assign", world.dispatcher, lead_unit=world.east_office.pk)
    committee = do(new_case(world.operator, area=world.west_grid), "accept", world.dispatcher)
    committee = do(committee, "assign", world.dispatcher, lead_unit=world.east_committee.pk)
    fresh = new_case(world.operator, area=world.east_grid2)
    return [heating, office, committee, fresh]


def test_seeing_a_case_and_the_visible_list_agree_for_everyone(world, clock):
    from minyi.access.cases import can_see

    cases = a_case_of_every_kind(world, clock)
    for name in PERSONAS:
        person = getattr(world, name)
        listed = set(cases_visible_to(person).values_list("pk", flat=True))
        for case in cases:
            assert can_see(person, case) == (case.pk in listed), (name, case.title)


def test_whoever_may_act_on_a_case_may_also_see_it(world, clock):
    from minyi.access.cases import can_see

    for case in a_case_of_every_kind(world, clock):
        for name in PERSONAS:
            person = getattr(world, name)
            for op in OPERATIONS.values():
                if op.name != "create" and permitted(person, case, op):
                    assert can_see(person, case), (name, op.name, case.title)


def test_a_street_office_acts_for_its_own_cases_and_its_communities(world, clock):
    _, office, committee, _ = a_case_of_every_kind(world, clock)
    assert do(office, "sign_for", world.street_head).status == Status.HANDLING
    # the committee's case lies in 西城, outside the street, but the committee is the street's
    assert do(committee, "sign_for", world.street_head).status == Status.HANDLING
    with pytest.raises(NotFound):
        do(office, "sign_for", world.committee_handler)


def test_a_case_by_tracking_number_respects_the_scope(world, clock):
    from minyi.access.cases import access_case_by_tracking_number

    case = heating_case(world, clock)
    assert access_case_by_tracking_number(world.heating_handler, f" {case.tracking_number} ") == case
    with pytest.raises(NotFound):
        access_case_by_tracking_number(world.insurance_handler, case.tracking_number)
