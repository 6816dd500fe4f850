"""The progress figures: households visited (distinct) against households assigned per team,
community and grid, and the problems raised, solved, pending and not taken up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minyi.access import visits as access
from minyi.cases.services import case_apply
from minyi.org.models import Area
from minyi.visits import progress
from minyi.visits.models import Assignment, Household, Team, Visit
from minyi.visits.services import visit_record
from tests.org.helpers import build_lakeside


def visit(world, setup, *, actor=None, area=None, address="幸福小区1号楼101", day=20, problems=()):
    return visit_record(
        actor=actor or world.visit_secretary,
        campaign=setup.campaign,
        area=area or world.east_grid,
        address=address,
        visited_on=dt.date(2026, 11, day),
        people_met="住户",
        problems=list(problems),
    )


def solve(world, case):
    case_apply(case_id=case.pk, operation="accept", actor=world.dispatcher)
    case_apply(case_id=case.pk, operation="assign", actor=world.dispatcher, lead_unit=world.east_committee.pk)
    case_apply(case_id=case.pk, operation="sign_for", actor=world.committee_handler)
    return case_apply(case_id=case.pk, operation="reply", actor=world.committee_handler, note="已修好。")


def row(rows, name):
    return next(r for r in rows if r.name == name)


def test_coverage_counts_each_household_once_and_repeat_visits_apart(world, setup, west_secretary):
    visit(world, setup, address="幸福小区1号楼101", day=10)
    visit(world, setup, address="幸福小区1号楼101", day=20)  # a repeat visit
    visit(world, setup, address="幸福小区1号楼102", day=20)
    visit(world, setup, area=world.east_grid2, address="和平里5号", day=21)
    visit(world, setup, actor=west_secretary, area=world.west_grid, address="西城花园2号楼", day=22)

    figures = progress.campaign_progress(
        campaign=setup.campaign, assignments=setup.campaign.assignments.all()
    )
    assert (figures.total.assigned, figures.total.visited, figures.total.visits) == (3200 + 350, 4, 5)
    assert figures.total.repeat_visits == 1
    east, west = row(figures.teams, "东城走访组"), row(figures.teams, "西城走访组")
    assert (east.figures.assigned, east.figures.visited, east.figures.visits) == (3200, 3, 4)
    assert east.figures.coverage == 3 / 3200 and east.members == ["沈书记"]
    assert (west.figures.assigned, west.figures.visited, west.figures.coverage) == (350, 1, 1 / 350)
    community = row(figures.communities, "东城社区")
    assert (community.figures.assigned, community.figures.visited, community.parent) == (3200, 3, "东城街道")
    grids = {r.name: r for r in figures.grids}
    assert set(grids) == {"东城一网格", "东城二网格", "西城一网格"}
    assert (grids["东城一网格"].figures.assigned, grids["东城一网格"].figures.visited) == (400, 2)
    assert (grids["东城二网格"].figures.assigned, grids["东城二网格"].figures.visited) == (380, 1)
    assert grids["东城二网格"].team == "东城走访组" and grids["东城二网格"].parent == "东城社区"
    assert grids["西城一网格"].figures.visited == 1 and grids["西城一网格"].parent == "西城社区"


def test_problems_solved_pending_and_not_taken_up(world, setup):
    a = visit(world, setup, problems=["楼道灯坏了", "暖气不热"])
    b = visit(world, setup, area=world.east_grid2, address="和平里5号", problems=["路面坑洼"])
    light, heating = (p.case for p in a.problems.order_by("position"))
    road = b.problems.get().case
    solve(world, light)
    case_apply(
        case_id=road.pk, operation="reject", actor=world.dispatcher, note="重复反映，已并入其他工单办理。"
    )

    figures = progress.campaign_progress(
        campaign=setup.campaign, assignments=setup.campaign.assignments.all()
    )
    t = figures.total
    assert (t.raised, t.solved, t.pending, t.not_taken_up) == (3, 1, 1, 1)
    assert t.solved_rate == 1 / 3
    grids = {r.name: r.figures for r in figures.grids}
    assert (grids["东城一网格"].raised, grids["东城一网格"].solved, grids["东城一网格"].pending) == (2, 1, 1)
    assert (grids["东城二网格"].raised, grids["东城二网格"].not_taken_up) == (1, 1)
    assert heating.pk not in {light.pk, road.pk}


def test_the_reader_gets_the_rows_of_their_scope_only(world, setup, west_secretary):
    visit(world, setup, problems=["楼道灯坏了"])
    visit(world, setup, actor=west_secretary, area=world.west_grid, address="西城花园2号楼")
    mine = progress.campaign_progress(
        campaign=setup.campaign, assignments=access.assignments_visible_to(west_secretary, setup.campaign)
    )
    assert [r.name for r in mine.teams] == ["西城走访组"]
    assert [r.name for r in mine.grids] == ["西城一网格"]
    assert (mine.total.assigned, mine.total.visited, mine.total.raised) == (350, 1, 0)


def test_grid_assignments_and_an_empty_campaign(world, setup):
    empty = progress.campaign_progress(campaign=setup.campaign, assignments=[])
    assert empty.total.coverage is None and empty.total.solved_rate is None and empty.teams == []
    # The east team gets its grids one by one instead of the whole community, one with its own count.
    setup.east_assignment.delete()
    Assignment.objects.create(team=setup.east_team, area=world.east_grid, households=420)
    Assignment.objects.create(team=setup.east_team, area=world.east_grid2)
    visit(world, setup)
    figures = progress.campaign_progress(
        campaign=setup.campaign, assignments=setup.campaign.assignments.all()
    )
    community = row(figures.communities, "东城社区")
    assert (community.figures.assigned, community.figures.visited) == (420 + 380, 1)
    assert row(figures.grids, "东城一网格").figures.assigned == 420


def test_a_households_visits_and_the_secretarys_recent_ones(world, setup):
    first = visit(world, setup, day=10)
    second = visit(world, setup, day=20, problems=["楼道灯坏了"])
    visit(world, setup, address="别的门", day=15)
    visible = access.visits_visible_to(world.visit_secretary)
    assert list(progress.household_visits(first.household, visible=visible)) == [second, first]
    assert list(progress.other_visits(second, visible=visible)) == [first]
    recent = list(progress.recent_visits_of(world.visit_secretary))
    assert recent[0].pk > recent[-1].pk and len(recent) == 3
    assert {v.pk: v.problem_count for v in recent}[second.pk] == 1


def test_a_community_whose_grids_two_teams_visit_names_both_teams(world, setup):
    setup.east_assignment.delete()
    Assignment.objects.create(team=setup.east_team, area=world.east_grid)
    Assignment.objects.create(team=setup.west_team, area=world.east_grid2)
    figures = progress.campaign_progress(
        campaign=setup.campaign, assignments=setup.campaign.assignments.all()
    )
    community = row(figures.communities, "东城社区")
    assert community.teams == ["东城走访组", "西城走访组"] and community.team == "东城走访组、西城走访组"
    assert community.figures.assigned == 400 + 380
    assert row(figures.grids, "东城二网格").team == "西城走访组"


@pytest.mark.parametrize("reader", ["dispatcher", "street_head", "visit_secretary"])
def test_the_campaign_lists_totals_are_those_of_its_page(world, setup, west_secretary, reader):
    first = visit(world, setup, problems=["楼道灯坏了", "暖气不热"])
    visit(world, setup, address="幸福小区1号楼101", day=21)  # a repeat visit
    visit(world, setup, area=world.east_grid2, address="和平里5号", problems=["路面坑洼"])
    visit(world, setup, actor=west_secretary, area=world.west_grid, address="西城花园2号楼", problems=["x"])
    solve(world, first.problems.get(position=1).case)
    user = getattr(world, reader)
    assignments = access.assignments_visible_to(user, setup.campaign)
    whole = progress.campaign_progress(campaign=setup.campaign, assignments=assignments).total
    totals = progress.campaign_totals(campaign=setup.campaign, assignments=assignments)
    assert totals == whole and totals.visits >= 3


def grow(world, campaign, first: int, count: int) -> None:
    """`count` more communities of 东城街道, each with two grids, its own team (沈书记 a member)
    and a visited household in each grid."""
    for n in range(first, first + count):
        community = Area.objects.create(
            code=f"1101990019{n:02d}",
            name=f"新社区{n}",
            level=Area.Level.COMMUNITY,
            parent=world.east,
            households=900,
        )
        team = Team.objects.create(campaign=campaign, name=f"新组{n}")
        team.members.set([world.visit_secretary])
        Assignment.objects.create(team=team, area=community)
        for g in (1, 2):
            grid = Area.objects.create(
                code=f"1101990019{n:02d}{g:02d}",
                name=f"新社区{n}第{g}网格",
                level=Area.Level.GRID,
                parent=community,
                households=450,
            )
            household = Household.objects.create(area=grid, address=f"{n}号楼{g}01")
            Visit.objects.create(
                campaign=campaign,
                team=team,
                household=household,
                secretary=world.visit_secretary,
                visited_on=dt.date(2026, 11, 20),
                people_met="住户",
            )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_queries_do_not_grow_with_the_number_of_communities(client, world, setup):
    """~290 teams and their communities: the campaign page, the campaign list and the visit form
    each run a fixed number of queries."""
    visit(world, setup, problems=["楼道灯坏了"])
    grow(world, setup.campaign, 1, 2)
    campaign_url = reverse("visits:campaign", args=[setup.campaign.pk])
    pages = {
        "campaign": (world.dispatcher, campaign_url),
        "campaign as a street head": (world.street_head, campaign_url),
        "list": (world.dispatcher, reverse("visits:home")),
        "list as a secretary": (world.visit_secretary, reverse("visits:home")),
        "form": (world.visit_secretary, reverse("visits:record", args=[setup.campaign.pk])),
    }

    def count() -> dict[str, int]:
        found = {}
        for name, (user, url) in pages.items():
            client.force_login(user)
            found[name] = queries(client, url)
        return found

    few = count()
    grow(world, setup.campaign, 3, 18)
    many = count()
    assert many == few, (few, many)
    client.force_login(world.dispatcher)
    page = client.get(campaign_url)
    assert (
        len(page.context["progress"].communities) == 2 + 20 and page.context["progress"].total.visited == 41
    )


def test_communities_and_grids_are_listed_in_the_reading_order_of_places(world, setup):
    community, grids, garden = build_lakeside(world)
    Assignment.objects.create(team=setup.east_team, area=community)
    Assignment.objects.create(team=setup.east_team, area=garden)
    figures = progress.campaign_progress(
        campaign=setup.campaign, assignments=setup.campaign.assignments.all()
    )
    # 东城社区 (dong), 湖畔花园社区 (hu pan hua), 湖畔社区 (hu pan she), then 西城 (xi)
    assert [r.name for r in figures.communities] == ["东城社区", "湖畔花园社区", "湖畔社区", "西城社区"]
    lakeside = [r.name for r in figures.grids if r.parent == "湖畔社区"]
    assert lakeside == [g.name for g in grids]  # 第二网格 before 第十网格
