"""Who reads and keeps which register (access/problems.py): the unit's own staff keep theirs, the
centre's supervisors, leaders and administrators read all, heads read their subordinates', nobody
else sees anything — and what is not visible is not found."""

from __future__ import annotations

import datetime as dt

import pytest

from minyi.access import problems as access
from minyi.core.errors import NotFound, NotPermitted
from minyi.org.models import User
from minyi.org.roles import Role
from minyi.problems import services
from tests.world import person


def test_keepers_keep_their_own_unit(world):
    assert access.kept_unit(world.insurance_handler) == world.insurance
    assert access.kept_unit(world.heating_head) == world.heating
    for user in (world.supervisor, world.leader, world.admin, world.operator, world.grid_worker):
        assert access.kept_unit(user) is None


def test_who_reads_which_registers(world):
    assert access.readable_unit_ids(world.insurance_handler) == {world.insurance.pk}
    assert access.readable_unit_ids(world.heating_handler) == {world.heating.pk}
    for reader in (world.supervisor, world.leader, world.admin):
        assert access.readable_unit_ids(reader) is None
    for nobody in (
        world.operator,
        world.dispatcher,
        world.callback_agent,
        world.grid_worker,
        world.integration,
    ):
        assert access.readable_unit_ids(nobody) == set()
        assert not access.may_open_register(nobody)
    # The street office head (scope: area) reads the community committee's register too.
    assert access.readable_unit_ids(world.street_head) == {world.east_office.pk, world.east_committee.pk}


def test_a_unit_tree_head_reads_the_subordinates_but_keeps_only_its_own(world, clock):
    head = person("east-head", "严主任", world.east_office, Role.UNIT_HEAD)  # default scope: unit_tree
    assert access.readable_unit_ids(head) == {world.east_office.pk, world.east_committee.pk}
    category = services.category_create(actor=world.committee_handler, name="环境卫生")
    problem = services.problem_create(
        actor=world.committee_handler,
        title="楼道堆物",
        category=category,
        source="review",
        found_on=dt.date(2026, 11, 1),
    )
    assert access.access_problem_by_id(head, problem.pk) == problem  # reads the committee's register
    committee_category = services.category_create(actor=head, name="街道自查")
    assert committee_category.unit == world.east_office  # a head writes in its own unit's register only
    assert not access.may_keep(head, world.east_committee)
    with pytest.raises(NotPermitted):
        access.check_keeps(head, world.east_committee)


def test_problems_and_measures_of_other_units_are_not_found(world, register):
    assert access.access_problem_by_id(world.insurance_handler, register.rude.pk) == register.rude
    for outsider in (world.heating_handler, world.heating_head, world.street_head, world.operator):
        with pytest.raises(NotFound):
            access.access_problem_by_id(outsider, register.rude.pk)
        with pytest.raises(NotFound):
            access.access_measure_by_id(outsider, register.measure.pk)
        with pytest.raises(NotFound):
            access.access_register_by_unit_id(outsider, world.insurance.pk)
    for reader in (world.supervisor, world.leader, world.admin):
        assert access.access_problem_by_id(reader, register.rude.pk) == register.rude
        assert access.access_register_by_unit_id(reader, world.insurance.pk) == world.insurance
        assert not access.may_keep(reader, world.insurance)
    with pytest.raises(NotFound):
        access.access_problem_by_id(world.insurance_handler, "x")


def test_an_inactive_account_reads_nothing(world, register):
    User.objects.filter(pk=world.insurance_handler.pk).update(is_active=False)
    user = User.objects.get(pk=world.insurance_handler.pk)
    assert access.readable_unit_ids(user) == set()
    assert access.kept_unit(user) is None


def test_the_case_link_is_shown_only_to_who_may_see_the_case(world, register):
    assert access.may_see_case_of(world.insurance_handler, register.from_case)
    assert access.may_see_case_of(world.supervisor, register.from_case)
    assert not access.may_see_case_of(world.insurance_handler, register.queue)  # from review: no case
