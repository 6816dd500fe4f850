"""The campaign summary export (Excel): the figures of the reader's scope, text kept as text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from minyi.cases.services import case_apply
from minyi.visits.models import Assignment
from minyi.visits.services import visit_record
from tests.workbooks import open_checked


def visit(world, setup, *, actor=None, area=None, address="幸福小区1号楼101", problems=()):
    return visit_record(
        actor=actor or world.visit_secretary,
        campaign=setup.campaign,
        area=area or world.east_grid,
        address=address,
        visited_on=dt.date(2026, 11, 20),
        people_met="户主张大爷",
        problems=list(problems),
    )


def workbook_of(client, setup):
    response = client.get(reverse("visits:export", args=[setup.campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"minyi-visits-{setup.campaign.pk}-20261125.xlsx" in response["Content-Disposition"]
    return open_checked(response.content)  # typed cells, no stray apostrophe, columns that fit


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_summary_holds_teams_communities_grids_and_problems(english, world, setup, west_secretary):
    a = visit(world, setup, problems=['=HYPERLINK("http://evil")楼道灯坏了', "暖气不热"])
    visit(world, setup, address="幸福小区1号楼101")  # a repeat visit
    visit(world, setup, actor=west_secretary, area=world.west_grid, address="+西城花园2号楼")
    light = a.problems.get(position=1).case
    case_apply(case_id=light.pk, operation="reject", actor=world.dispatcher, note="不属于受理范围。")
    english.force_login(world.dispatcher)
    book = workbook_of(english, setup)
    assert book.sheetnames == ["Summary", "Teams", "Communities", "Grids", "Problems"]

    summary = dict((r[0], r[1]) for r in rows(book["Summary"])[1:])
    assert summary["Campaign"] == "2026年冬季民情大走访" and summary["Teams"] == 2
    assert summary["Households assigned"] == 3550 and summary["Households visited"] == 2
    assert summary["Coverage"] == pytest.approx(2 / 3550) and summary["Number of visits"] == 3
    assert summary["Repeat visits"] == 1 and summary["Problems raised"] == 2
    assert (summary["Solved"], summary["Not yet solved"], summary["Not taken up"]) == (0, 1, 1)

    teams = rows(book["Teams"])
    assert teams[0][:3] == ["Team", "Visit secretaries", "Households assigned"]
    assert teams[1][:4] == ["东城走访组", "沈书记", 3200, 1] and teams[2][:4] == [
        "西城走访组",
        "韩书记",
        350,
        1,
    ]
    communities = {r[1]: r for r in rows(book["Communities"])[1:]}
    assert communities["东城社区"][:5] == ["东城街道", "东城社区", "东城走访组", 3200, 1]
    grids = {r[1]: r for r in rows(book["Grids"])[1:]}
    assert grids["东城一网格"][3:5] == [400, 1] and grids["东城二网格"][3:5] == [380, 0]

    problems = rows(book["Problems"])[1:]
    assert len(problems) == 2
    by_number = {r[6]: r for r in problems}
    row = by_number[light.tracking_number]
    assert row[5].startswith("'=HYPERLINK")  # typed at the door: never run as a formula
    assert row[1] == "东城走访组" and row[2] == "沈书记" and row[3] == "东城一网格"
    assert row[7] == "Rejected" and row[8] == "No"
    assert all("张大爷" not in str(cell) for r in problems for cell in r)  # people met are left out


def test_a_secretary_exports_their_own_team_only(english, world, setup, west_secretary):
    visit(world, setup, problems=["楼道灯坏了"])
    visit(world, setup, actor=west_secretary, area=world.west_grid, address="西城花园2号楼")
    english.force_login(west_secretary)
    book = workbook_of(english, setup)
    assert [r[0] for r in rows(book["Teams"])[1:]] == ["西城走访组"]
    assert [r[1] for r in rows(book["Grids"])[1:]] == ["西城一网格"]
    assert rows(book["Problems"])[1:] == []


def test_the_problems_listed_are_those_of_the_places_counted(english, world, setup):
    """A visit whose place is no longer assigned (the community was narrowed to one grid after it)
    is not in the figures, so its problems are not listed either."""
    visit(world, setup, problems=["楼道灯坏了"])
    visit(world, setup, area=world.east_grid2, address="和平里5号", problems=["路面坑洼"])
    setup.east_assignment.delete()
    Assignment.objects.create(team=setup.east_team, area=world.east_grid)
    for user in (world.dispatcher, world.visit_secretary):
        english.force_login(user)
        book = workbook_of(english, setup)
        summary = dict((r[0], r[1]) for r in rows(book["Summary"])[1:])
        problems = rows(book["Problems"])[1:]
        assert summary["Problems raised"] == len(problems) == 1, user
        assert problems[0][5] == "楼道灯坏了" and book["Problems"].freeze_panes == "A2"
