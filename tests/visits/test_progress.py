"""The progress figures: households visited (distinct) against households assigned per team,
community and grid, and the problems raised, solved, pending and not taken up."""

from __future__ import annotations

import datetime as dt

from minyi.access import visits as access
from minyi.cases.services import case_apply
from minyi.visits import progress
from minyi.visits.models import Assignment
from minyi.visits.services import visit_record


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
