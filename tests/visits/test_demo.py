"""The demo's visit campaign (minyi/demo/visits.py), built over the demo's reference data alone
(without the year of cases, to stay fast)."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.db.models import Count

from minyi.cases.models import Case
from minyi.catalog.choices import Channel
from minyi.core import clock
from minyi.demo import visits as demo_visits
from minyi.demo.build import build_reference
from minyi.org.models import Area
from minyi.org.roles import Role
from minyi.visits import progress
from minyi.visits.models import Assignment, Campaign, Visit, VisitProblem
from tests.conftest import at

NOW = at("2026-11-25 10:30")


@pytest.fixture
def built(db):
    ref = build_reference()
    with clock.frozen_at(NOW):
        line = demo_visits.build(ref, random.Random(7), NOW)
    return ref, line


def test_the_campaign_its_teams_and_assignments(built):
    ref, line = built
    campaign = Campaign.objects.get()
    assert campaign.name == "2026年冬季民情大走访"
    assert campaign.starts_on == dt.date(2026, 9, 26) and campaign.ends_on > NOW.date()
    teams = list(campaign.teams.prefetch_related("members__grants"))
    assert len(teams) == len(ref.streets)
    for team in teams:
        members = list(team.members.all())
        assert 2 <= len(members) <= 4, team
        assert all(m.has_role(Role.VISIT_SECRETARY) for m in members)
        assert all(m.area and team.unit.area == m.area for m in members)
    levels = set(Assignment.objects.values_list("area__level", flat=True))
    assert levels == {Area.Level.COMMUNITY, Area.Level.GRID}
    for a in Assignment.objects.select_related("area"):
        assert a.households == a.area.households > 0
    match = re.fullmatch(r"visit campaign: (\d+) teams, (\d+) visits, (\d+) problems", line)
    assert match and int(match[1]) == len(teams)
    assert (
        int(match[2]) == Visit.objects.count() >= 150 and int(match[3]) == VisitProblem.objects.count() >= 15
    )


def test_visits_lie_in_the_period_and_the_teams_areas_with_repeat_visits(built):
    campaign = Campaign.objects.get()
    visits = Visit.objects.select_related("household__area", "team")
    assert all(campaign.starts_on <= v.visited_on <= NOW.date() for v in visits)
    assert all(v.created_at <= NOW for v in visits)
    for v in visits[:80]:
        assert v.team.assignments.filter(area__path__in=[v.household.area.path, v.household.area.parent.path])
        assert v.secretary in v.team.members.all()
    repeats = Visit.objects.values("household").annotate(n=Count("id")).filter(n__gt=1)
    assert repeats.count() >= 5


def test_problems_became_visit_cases_some_solved_some_pending(built):
    cases = Case.objects.filter(visit_problem__isnull=False).select_related("visit_problem__visit")
    assert cases.count() == VisitProblem.objects.count() == Case.objects.count()
    for case in cases:
        visit = case.visit_problem.visit
        assert case.channel == Channel.VISIT and case.created_by == visit.secretary
        assert case.area == visit.household.area and case.category_id
        assert clock.local(case.received_at).date() == visit.visited_on
    campaign = Campaign.objects.get()
    figures = progress.campaign_progress(campaign=campaign, assignments=campaign.assignments.all()).total
    assert figures.solved >= 3 and figures.pending >= 3
    assert 0 < figures.coverage < 1 and figures.visited < figures.visits
