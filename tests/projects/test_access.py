"""Who sees which project (access/projects.py): the centre all, a leader the projects they lead, a unit
those it leads, co-handles or holds a sub-item of."""

import pytest

from minyi.access import projects as access
from minyi.core.errors import NotFound


def visible(user):
    return set(access.projects_visible_to(user).values_list("number", flat=True))


def test_each_persona_sees_its_projects(world, ledger):
    assert visible(world.dispatcher) == {"1", "2"}
    assert visible(world.supervisor) == {"1", "2"}
    assert visible(world.leader) == {"1"}
    assert visible(ledger.leader2) == {"2"}
    assert visible(world.heating_handler) == {"1"}  # lead unit
    assert visible(world.housing_handler) == {"1"}  # co-unit with a sub-item
    assert visible(world.insurance_handler) == {"2"}
    assert visible(world.committee_handler) == set()
    assert visible(world.operator) == set()  # intake has no business with the ledger
    assert visible(world.heating_head) == {"1"}


def test_a_project_outside_the_scope_does_not_exist(world, ledger):
    with pytest.raises(NotFound):
        access.access_project_by_id(world.leader, ledger.insurance_project.pk)
    with pytest.raises(NotFound):
        access.access_project_by_id(world.dispatcher, "1 or 1=1")
    assert access.access_project_by_id(world.leader, ledger.heating_project.pk) == ledger.heating_project


def test_reports_are_filed_by_the_sub_items_unit_only(world, ledger):
    assert access.may_report(world.heating_handler, ledger.mains)
    assert not access.may_report(world.heating_handler, ledger.risers)
    assert access.may_report(world.housing_handler, ledger.risers)
    assert not access.may_report(world.leader, ledger.mains)
    assert not access.may_report(world.dispatcher, ledger.mains)
    assert set(access.reportable_items(world.heating_head)) == {ledger.mains}


def test_the_ledger_is_kept_by_the_centre(world, ledger):
    assert access.keeps_ledger(world.dispatcher) and access.keeps_ledger(world.admin)
    assert not access.keeps_ledger(world.leader) and not access.keeps_ledger(world.heating_handler)
    assert access.may_link_cases(world.heating_handler, ledger.heating_project)
    assert not access.may_link_cases(world.housing_handler, ledger.heating_project)
