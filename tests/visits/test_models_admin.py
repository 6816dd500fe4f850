"""Setting a campaign up: the rules of the models and the administrators' pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from minyi.visits.models import Assignment, Campaign, Household, Team


def test_a_campaign_cannot_end_before_it_starts(world):
    campaign = Campaign(name="倒着走", starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 11, 1))
    with pytest.raises(ValidationError):
        campaign.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        campaign.save()


def test_assignments_take_the_areas_households_and_never_overlap(world, setup):
    assert setup.east_assignment.households == 3200 and setup.west_assignment.campaign == setup.campaign
    grid_inside = Assignment(team=setup.west_team, area=world.east_grid)
    with pytest.raises(ValidationError) as refused:
        grid_inside.full_clean()
    assert "东城走访组" in str(refused.value)
    street = Assignment(team=setup.west_team, area=world.west)
    with pytest.raises(ValidationError):
        street.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(team=setup.west_team, area=world.east_community)
    other = Team.objects.create(
        campaign=Campaign.objects.create(
            name="另一次", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 2, 1)
        ),
        name="组",
    )
    Assignment(team=other, area=world.east_grid).full_clean()  # another campaign may assign it again


def test_one_household_per_normalised_address_and_area(world):
    Household.objects.create(area=world.east_grid, address="幸福小区3号楼 501")
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(area=world.east_grid, address="幸福小区３号楼501")
    assert Household.objects.get().address_key == "幸福小区3号楼501"


def test_the_administrator_sets_a_campaign_up_in_the_admin(client, world, setup):
    client.force_login(world.admin)
    for name in ("campaign", "team", "visit", "household"):
        assert client.get(reverse(f"admin:visits_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:visits_campaign_add")).status_code == 200
    page = client.get(reverse("admin:visits_team_change", args=[setup.east_team.pk]))
    assert page.status_code == 200 and "东城社区" in page.text
    assert client.get(reverse("admin:visits_visit_add")).status_code == 403  # written by secretaries only


def test_only_administrators_open_the_campaign_admin(client, world, setup):
    client.force_login(world.dispatcher)
    assert client.get(reverse("admin:visits_campaign_changelist")).status_code == 302  # to the admin login


def test_a_team_with_members_and_assigned_areas_is_added_through_the_admin(
    client, world, setup, west_secretary
):
    client.force_login(world.admin)
    data = {
        "campaign": setup.campaign.pk,
        "name": "东城第二组",
        "unit": world.east_office.pk,
        "members": [west_secretary.pk],
        "assignments-TOTAL_FORMS": "2",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-area": world.west.pk,  # a street: refused
        "assignments-0-households": "",
        "assignments-1-area": "",
        "assignments-1-households": "",
    }
    refused = client.post(reverse("admin:visits_team_add"), data)
    assert refused.status_code == 200 and not Team.objects.filter(name="东城第二组").exists()
    setup.west_assignment.delete()
    answer = client.post(reverse("admin:visits_team_add"), {**data, "assignments-0-area": world.west_grid.pk})
    assert answer.status_code == 302, answer.context["errors"] if answer.context else answer
    team = Team.objects.get(name="东城第二组")
    assert list(team.members.all()) == [west_secretary]
    assignment = team.assignments.get()
    assert (assignment.area, assignment.households, assignment.campaign) == (
        world.west_grid,
        350,
        setup.campaign,
    )


def inline(rows: list[tuple[object, object]], *, initial: int = 0) -> dict:
    """The assigned-areas inline of the team page: rows of (id or "", area id)."""
    data = {
        "assignments-TOTAL_FORMS": str(len(rows)),
        "assignments-INITIAL_FORMS": str(initial),
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }
    for i, (pk, area) in enumerate(rows):
        data[f"assignments-{i}-id"] = pk
        data[f"assignments-{i}-area"] = area
        data[f"assignments-{i}-households"] = ""
    return data


def test_a_community_and_its_grid_on_one_team_page_are_refused(english, world, setup, west_secretary):
    """Each row is checked against the stored assignments: a community and its grid saved together
    would each pass, and their households count twice."""
    english.force_login(world.admin)
    setup.east_assignment.delete()
    setup.west_assignment.delete()
    data = {
        "campaign": setup.campaign.pk,
        "name": "东城第二组",
        "unit": world.east_office.pk,
        "members": [west_secretary.pk],
        **inline([("", world.east_community.pk), ("", world.east_grid.pk)]),
    }
    refused = english.post(reverse("admin:visits_team_add"), data)
    assert refused.status_code == 200 and "overlap" in refused.text
    assert not Team.objects.filter(name="东城第二组").exists() and not Assignment.objects.exists()
    # The same on a team's change page, also when a stored row is changed in the same sending.
    Assignment.objects.create(team=setup.east_team, area=world.east_grid2)
    stored = setup.east_team.assignments.get()
    url = reverse("admin:visits_team_change", args=[setup.east_team.pk])
    change = {"name": "东城走访组", "unit": world.east_office.pk, "members": [world.visit_secretary.pk]}
    both = {**change, **inline([(stored.pk, world.east_grid2.pk), ("", world.east_community.pk)], initial=1)}
    assert english.post(url, both).status_code == 200
    assert list(setup.east_team.assignments.values_list("area", flat=True)) == [world.east_grid2.pk]
    # Moving the stored row to the community while adding its other grid: the page's own rows
    # are checked with their new areas (not the stored ones).
    swap = {**change, **inline([(stored.pk, world.east_grid.pk), ("", world.east_grid2.pk)], initial=1)}
    assert english.post(url, swap).status_code == 302
    assert set(setup.east_team.assignments.values_list("area", flat=True)) == {
        world.east_grid.pk,
        world.east_grid2.pk,
    }


def test_a_teams_campaign_cannot_be_changed_in_the_admin(client, world, setup):
    other = Campaign.objects.create(name="另一次", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 2, 1))
    client.force_login(world.admin)
    url = reverse("admin:visits_team_change", args=[setup.west_team.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="campaign"' not in page.text  # shown, not editable
    data = {
        "campaign": other.pk,
        "name": "西城走访组",
        "unit": "",
        "members": [m.pk for m in setup.west_team.members.all()],
        **inline([(setup.west_assignment.pk, world.west_grid.pk)], initial=1),
    }
    assert client.post(url, data).status_code == 302
    setup.west_team.refresh_from_db()
    assert setup.west_team.campaign == setup.campaign
    assert client.get(reverse("admin:visits_team_add")).text.count('name="campaign"') == 1  # chosen once
