"""Hot issues among the district's cases: one voice per requester, repeats and rejected cases left
out, the daily list kept for the dashboard, and `minyi hotspots` without --input."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from minyi.analysis import hot
from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create

NOISE = [
    (
        "东城社区幸福小区旁搅拌站夜间噪音扰民",
        "幸福小区旁边的混凝土搅拌站每天夜里作业，噪音很大，居民无法入睡。",
    ),
    ("幸福小区旁搅拌站半夜施工噪音太大", "住在东城社区幸福小区，搅拌站半夜还在运输作业，噪音扰民严重。"),
    ("投诉幸福小区边上的混凝土搅拌站扰民", "幸福小区业主长期受搅拌站噪音和粉尘影响，夜里睡不着。"),
]
OTHER = [
    ("西城社区和平路路灯不亮", "和平路一段的路灯坏了两个月，晚上出行很不安全。"),
    ("咨询医保异地就医报销", "在外地住院，想了解医保异地就医怎么结算报销。"),
    ("建设大道公交站台破损", "建设大道公交站的雨棚被风吹坏了，等车的人淋雨。"),
    ("阳光花园小区电梯经常故障", "阳光花园3栋电梯每周都坏，老人上下楼很困难。"),
]


def register(world, title, description, phone, area=None):
    return case_create(
        actor=world.operator,
        channel="hotline",
        demand_type="complaint",
        title=title,
        description=description,
        requester_name="居民",
        requester_phone=phone,
        area=area,
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def noise(world, clock):
    clock.set("2026-11-10 09:00")
    cases = []
    for i, phone in enumerate(["13900000001", "13900000002", "13900000003", "13900000004"]):
        cases.append(register(world, *NOISE[i % 3], phone, area=world.east_grid))
        clock.advance(hours=5)
    for _ in range(3):  # the first caller again, three times: still one voice
        cases.append(register(world, *NOISE[0], "13900000001", area=world.east_grid))
        clock.advance(hours=2)
    for title, description in OTHER:
        register(world, title, description, "13800000009")
        clock.advance(hours=3)
    return cases


def test_the_daily_list_keeps_the_issue_with_its_cases_and_people(world, clock, noise):
    assert hot.refresh_hot_issues(day=dt.date(2026, 11, 12)) >= 1
    first = hot.latest_hot_issues()[0]
    assert first.rank == 1 and "搅拌站" in first.title and first.people == 4
    assert set(first.case_ids) == {c.pk for c in noise} and first.count == 7
    assert first.since == dt.date(2026, 10, 14) and first.until == dt.date(2026, 11, 12)


def test_a_rejected_case_is_not_a_voice(world, clock, noise):
    case_apply(case_id=noise[3].pk, operation="reject", actor=world.dispatcher, note="重复登记")
    issues = hot.mine_cases(since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 12))
    assert issues[0].people == 3 and str(noise[3].pk) not in issues[0].message_ids


def test_recomputing_a_day_replaces_its_list(world, clock, noise):
    day = dt.date(2026, 11, 12)
    hot.refresh_hot_issues(day=day)
    hot.refresh_hot_issues(day=day)
    assert [i.rank for i in hot.latest_hot_issues()] == list(range(1, len(hot.latest_hot_issues()) + 1))


def test_the_command_reads_the_database_without_input(world, clock, noise, capsys):
    clock.set("2026-11-12 18:00")
    call_command("hotspots", "--json", "--top", "3")
    issues = json.loads(capsys.readouterr().out)
    assert issues and "搅拌站" in issues[0]["title"] and issues[0]["people"] == 4
    call_command("hotspots", "--since", "2026-11-11", "--until", "2026-11-12")
    table = capsys.readouterr().out
    assert "among 8 messages" in table and "2 people · 4 messages" in table  # the window narrows it


def test_a_month_that_has_ended_is_mined_once_for_its_report(world, clock, noise, monkeypatch):
    from minyi.reports.monthly import monthly_report, parse_month

    assert hot.refresh_month_hot_issues(day=dt.date(2026, 11, 12)) == 0  # not the month's last day
    assert hot.month_hot_issues(dt.date(2026, 11, 1), 10) is None
    assert hot.refresh_month_hot_issues(day=dt.date(2026, 11, 30)) >= 1
    kept = hot.month_hot_issues(dt.date(2026, 11, 1), 10)
    assert "搅拌站" in kept[0].title and kept[0].people == 4 and kept[0].since == dt.date(2026, 11, 1)
    assert hot.latest_hot_issues() == []  # the dashboard's 30-day list is another list

    def mined(**kwargs):
        raise AssertionError("the kept list should have been used")

    monkeypatch.setattr(hot, "mine_cases", mined)
    report = monthly_report(month=parse_month("2026-11"), cases=Case.objects.all(), whole=True)
    assert [h.title for h in report.hot_issues] == [h.title for h in kept]
    monkeypatch.undo()
    unit = monthly_report(month=parse_month("2026-11"), cases=Case.objects.filter(lead_unit=world.heating))
    assert unit.hot_issues == []  # a narrower scope is mined on its own cases (none led by the unit)


def test_letters_of_thanks_are_no_hot_issue(world, clock):
    # The monthly report ranked 表扬福寿里物业维修工 second among the district's problems.
    clock.set("2026-11-10 09:00")
    for phone in ("13900000011", "13900000012", "13900000013"):
        case_create(
            actor=world.operator,
            channel="hotline",
            demand_type="praise",
            title="表扬幸福小区物业维修工",
            description="特此表扬幸福小区物业维修工，冒雨抢修水管，请转达谢意。",
            requester_name="居民",
            requester_phone=phone,
            area=world.east_grid,
        )
        clock.advance(hours=2)
    assert hot.mine_cases(since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 12)) == []
