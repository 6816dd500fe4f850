"""Who sees which campaign, team, visit and household, and who may record where (access/visits.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from minyi.access import visits as access
from minyi.core.errors import NotFound, NotPermitted
from minyi.org.models import Unit
from minyi.org.roles import Role
from minyi.visits.models import Campaign, Team
from minyi.visits.services import visit_record
from tests.world import person


def visit(world, setup, actor=None, area=None, address="幸福小区1号楼101"):
    return visit_record(
        actor=actor or world.visit_secretary,
        campaign=setup.campaign,
        area=area or world.east_grid,
        address=address,
        visited_on=dt.date(2026, 11, 20),
        people_met="住户",
    )


@pytest.fixture
def other_campaign(world):
    """A campaign in which neither secretary has a team."""
    campaign = Campaign.objects.create(
        name="夏季走访", starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 8, 31)
    )
    Team.objects.create(campaign=campaign, name="空组")
    return campaign


def test_the_centre_and_leaders_see_every_campaign(world, setup, other_campaign):
    for user in (world.dispatcher, world.supervisor, world.leader, world.admin):
        assert set(access.campaigns_visible_to(user)) == {setup.campaign, other_campaign}, user
        assert access.access_campaign_by_id(user, other_campaign.pk) == other_campaign
        assert access.assignments_visible_to(user, setup.campaign).count() == 2
        assert access.may_open_visits(user) and not access.may_record(user, setup.campaign)


def test_a_secretary_sees_the_campaigns_of_their_teams_only(world, setup, other_campaign, west_secretary):
    assert list(access.campaigns_visible_to(world.visit_secretary)) == [setup.campaign]
    with pytest.raises(NotFound):
        access.access_campaign_by_id(world.visit_secretary, other_campaign.pk)
    mine = access.assignments_visible_to(world.visit_secretary, setup.campaign)
    assert [a.area for a in mine] == [world.east_community]
    assert [a.area for a in access.assignments_visible_to(west_secretary, setup.campaign)] == [
        world.west_grid
    ]


def test_visits_are_seen_by_the_team_and_those_who_visit_the_same_place(world, setup, west_secretary):
    east = visit(world, setup)
    west = visit(world, setup, actor=west_secretary, area=world.west_grid)
    assert set(access.visits_visible_to(world.visit_secretary)) == {east}
    assert set(access.visits_visible_to(west_secretary)) == {west}
    assert set(access.visits_visible_to(world.dispatcher)) == {east, west}
    assert access.can_see_visit(world.visit_secretary, east) and not access.can_see_visit(
        west_secretary, east
    )
    with pytest.raises(NotFound):
        access.access_visit_by_id(west_secretary, east.pk)
    with pytest.raises(NotFound):
        access.access_household_by_id(west_secretary, east.household.pk)
    with pytest.raises(NotFound):
        access.access_visit_by_id(world.visit_secretary, "abc")


def test_a_new_team_member_sees_the_earlier_visits_of_their_area_while_their_campaign_runs(
    world, setup, clock
):
    earlier = visit(world, setup)
    newcomer = person("visit-new", "新书记", world.east_office, Role.VISIT_SECRETARY, area=world.east)
    assert not access.visits_visible_to(newcomer).exists()
    next_year = Campaign.objects.create(
        name="2027年走访", starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 3, 31)
    )
    team = Team.objects.create(campaign=next_year, name="东城新组")
    team.members.set([newcomer])
    team.assignments.create(area=world.east_grid)

    def as_a_new_request():
        return type(newcomer).objects.get(pk=newcomer.pk)

    assert not access.visits_visible_to(as_a_new_request()).exists()  # 2027's campaign has not begun
    clock.set("2027-01-10 09:00")
    assert list(access.visits_visible_to(as_a_new_request())) == [earlier]  # the same door, last year
    assert list(access.households_visible_to(as_a_new_request())) == [earlier.household]
    # On 2027's own pages the visits of 2026 are not theirs to count.
    assert not access.visits_visible_to(as_a_new_request(), next_year).exists()
    clock.set("2027-04-01 09:00")  # the campaign is over: the history of the door closes again
    assert not access.visits_visible_to(as_a_new_request()).exists()
    assert not access.households_visible_to(as_a_new_request()).exists()


def test_an_earlier_campaigns_secretary_does_not_follow_later_visits_to_their_old_area(
    world, setup, clock, west_secretary
):
    """沈书记 visited 东城社区 in 2026. In 2027 the place is 韩书记's: 沈书记 keeps the visits of
    the campaign they were a member of, but not 韩书记's visits of 2027 (visibility shrinks)."""
    mine = visit(world, setup)
    next_year = Campaign.objects.create(
        name="2027年走访", starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 3, 31)
    )
    team = Team.objects.create(campaign=next_year, name="东城新组")
    team.members.set([west_secretary])
    team.assignments.create(area=world.east_community)
    clock.set("2027-01-10 09:00")
    later = visit_record(
        actor=type(west_secretary).objects.get(pk=west_secretary.pk),
        campaign=next_year,
        area=world.east_grid,
        address="幸福小区1号楼101",
        visited_on=dt.date(2027, 1, 8),
        people_met="住户",
    )
    secretary = type(world.visit_secretary).objects.get(pk=world.visit_secretary.pk)
    assert list(access.visits_visible_to(secretary)) == [mine]
    assert list(access.visits_visible_to(secretary, setup.campaign)) == [mine]
    with pytest.raises(NotFound):
        access.access_visit_by_id(secretary, later.pk)
    # 韩书记, whose 2027 team covers the door, reads its history of 2026 as well.
    west = type(west_secretary).objects.get(pk=west_secretary.pk)
    assert set(access.visits_visible_to(west)) == {mine, later}
    assert list(access.visits_visible_to(west, next_year)) == [later]


def test_the_head_of_a_department_with_an_area_reads_no_visit(world, setup):
    visit(world, setup)
    works = Unit.objects.create(
        code="east-works", name="东城市政所", kind=Unit.Kind.DEPARTMENT, area=world.east
    )
    head = person("works-head", "杨所长", works, Role.UNIT_HEAD, scope="area")
    assert not access.may_open_visits(head)
    assert not access.campaigns_visible_to(head).exists()
    assert not access.visits_visible_to(head).exists() and not access.households_visible_to(head).exists()
    committee_head = person("committee-head", "魏主任", world.east_committee, Role.UNIT_HEAD, scope="area")
    assert access.may_open_visits(committee_head)  # a community office reads its community
    assert access.visits_visible_to(committee_head).count() == 1


def test_the_street_office_head_reads_within_the_street(world, setup, west_secretary):
    east = visit(world, setup)
    visit(world, setup, actor=west_secretary, area=world.west_grid)
    head = world.street_head
    assert access.may_open_visits(head) and list(access.campaigns_visible_to(head)) == [setup.campaign]
    assert [a.area for a in access.assignments_visible_to(head, setup.campaign)] == [world.east_community]
    assert list(access.visits_visible_to(head)) == [east]
    with pytest.raises(NotPermitted):
        access.check_record(head, setup.campaign, world.east_grid)


def test_outsiders_see_nothing_and_get_no_menu_entry(world, setup):
    visit(world, setup)
    for user in (world.heating_handler, world.heating_head, world.operator, world.grid_worker):
        assert not access.may_open_visits(user), user
        assert not access.campaigns_visible_to(user).exists()
        assert not access.visits_visible_to(user).exists()
        assert not access.households_visible_to(user).exists()
        with pytest.raises(NotFound):
            access.access_campaign_by_id(user, setup.campaign.pk)


def test_recording_is_open_during_the_campaigns_period_only(world, setup, clock):
    from django.utils import translation

    secretary = world.visit_secretary
    assert access.may_record(secretary, setup.campaign) and not access.recording_closed(
        secretary, setup.campaign
    )
    clock.set("2027-01-07 09:00")  # the week after the end: visits of the campaign are still typed up
    assert access.may_record(secretary, setup.campaign)
    clock.set("2027-01-08 09:00")
    with translation.override("en"):
        assert not access.may_record(secretary, setup.campaign)
        assert "ended on 2026-12-31" in access.recording_closed(secretary, setup.campaign)
        assert access.recording_closed(world.dispatcher, setup.campaign) == ""  # not theirs to record
        with pytest.raises(NotPermitted) as refused:
            access.check_record(secretary, setup.campaign, world.east_grid)
        assert "ended on 2026-12-31" in refused.value.message
        clock.set("2026-10-20 09:00")
        assert "starts on 2026-11-01" in access.recording_closed(secretary, setup.campaign)
        assert not access.may_record(secretary, setup.campaign)


def test_recording_needs_the_role_a_team_and_an_assigned_area(world, setup, west_secretary):
    assert (
        access.check_record(world.visit_secretary, setup.campaign, world.east_grid2) == setup.east_assignment
    )
    assert (
        access.check_record(world.visit_secretary, setup.campaign, world.east_community)
        == setup.east_assignment
    )
    with pytest.raises(NotPermitted):
        access.check_record(world.visit_secretary, setup.campaign, world.west_grid)
    with pytest.raises(NotPermitted):  # a secretary outside every team of the campaign
        lone = person("visit-lone", "独书记", world.east_office, Role.VISIT_SECRETARY, area=world.east)
        access.check_record(lone, setup.campaign, world.east_grid)
    assert [a.area for a in access.recording_assignments(west_secretary, setup.campaign)] == [world.west_grid]
