"""The visit campaign of the visit tests (described in tests/visits/conftest.py), shared with the
browser test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minyi.visits.models import Assignment, Campaign, Team

START, END = dt.date(2026, 11, 1), dt.date(2026, 12, 31)


@dataclass
class Setup:
    campaign: Campaign
    east_team: Team
    west_team: Team
    east_assignment: Assignment
    west_assignment: Assignment


def build_campaign(world, west_secretary) -> Setup:
    campaign = Campaign.objects.create(name="2026年冬季民情大走访", starts_on=START, ends_on=END)
    east_team = Team.objects.create(campaign=campaign, name="东城走访组", unit=world.east_office)
    east_team.members.set([world.visit_secretary])
    west_team = Team.objects.create(campaign=campaign, name="西城走访组")
    west_team.members.set([west_secretary])
    east = Assignment.objects.create(campaign=campaign, team=east_team, area=world.east_community)
    west = Assignment.objects.create(team=west_team, area=world.west_grid)  # campaign taken from the team
    return Setup(campaign, east_team, west_team, east, west)
