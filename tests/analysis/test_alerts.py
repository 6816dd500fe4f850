"""Surge alerts from the district's cases: raised once with their explanation, told to the responsible
unit and the supervisors, dismissed or turned into a supervised case; the daily job runs once a day."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import translation

from minyi.analysis import alerts, jobs
from minyi.analysis.models import JobRun, SurgeAlert
from minyi.cases.history import HistoricCase, create_historic_cases
from minyi.cases.models import Case
from minyi.cases.services import case_create
from minyi.core.errors import Conflict
from minyi.notifications.models import Notification
from tests.conftest import at

DAY = dt.date(2026, 11, 24)  # a Tuesday: the day just ended when the worker scans on the 25th


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def history(
    world, *, per_day: float, last_day: int, days: int = 60, seed: int = 3, burst: str = "暖气不热"
) -> None:
    """Heating complaints in 东城一网格 (东城社区) and roads in 西城, `last_day` heating cases on DAY."""
    rng = random.Random(seed)
    items, n = [], 0
    for back in range(days, -1, -1):
        day = DAY - dt.timedelta(days=back)
        heating = last_day if back == 0 else sum(rng.random() < per_day / 8 for _ in range(8))
        for kind, count, category, area in (
            ("heating", heating, world.heating_shortage, world.east_grid),
            ("roads", 2, world.roads, world.west_grid),
        ):
            for i in range(count):
                received = at(f"{day} 09:00") + dt.timedelta(minutes=7 * i)
                n += 1
                items.append(
                    HistoricCase(
                        channel="hotline",
                        demand_type="complaint",
                        title=f"{kind} {n}",
                        description=(burst if back == 0 else "暖气不热") if kind == "heating" else "路面坑洼",
                        status="received",
                        received_at=received,
                        category=category,
                        area=area,
                        external_id=f"H{n}",
                    )
                )
    create_historic_cases(items, source="test")


def test_a_surge_is_raised_once_explained_and_told_to_the_unit(world, clock):
    clock.set("2026-11-25 01:30")
    history(world, per_day=3, last_day=16)
    raised = alerts.scan_surges(day=DAY)
    assert len(raised) == 1
    alert = raised[0]
    assert (alert.category, alert.area, alert.unit) == (
        world.heating_cat,
        world.east_community,
        world.heating,
    )
    assert alert.window_days == 1 and alert.observed == 16 and alert.expected < 6
    assert (
        "东城社区「供热」: 16 cases in the last day" in alert.explanation and "expected" in alert.explanation
    )
    told = set(Notification.objects.filter(kind="surge").values_list("user__username", flat=True))
    assert told == {"heating", "heating-head", "supervisor"}
    assert alerts.scan_surges(day=DAY) == []  # the same day again: nothing new
    assert alerts.scan_surges(day=DAY + dt.timedelta(days=1)) == []  # the rise under way has its alert
    assert SurgeAlert.objects.count() == 1


def test_usual_days_raise_nothing(world, clock):
    clock.set("2026-11-25 01:30")
    history(world, per_day=3, last_day=4)
    assert alerts.scan_surges(day=DAY) == []


def test_an_alert_is_dismissed_with_a_reason_once(world, clock):
    clock.set("2026-11-25 01:30")
    history(world, per_day=3, last_day=16)
    alert = alerts.scan_surges(day=DAY)[0]
    alerts.alert_dismiss(alert_id=alert.pk, actor=world.dispatcher, note="停暖检修，已公告")
    alert.refresh_from_db()
    assert (
        alert.status == "dismissed"
        and alert.handled_by == world.dispatcher
        and alert.note == "停暖检修，已公告"
    )
    with pytest.raises(Conflict, match="handled already"):
        alerts.alert_escalate(alert_id=alert.pk, actor=world.dispatcher)


def test_an_alert_turned_into_a_case_is_assigned_to_the_unit_and_supervised(world, clock):
    clock.set("2026-11-25 09:00")
    history(world, per_day=3, last_day=16)
    alert = alerts.scan_surges(day=DAY)[0]
    alerts.alert_escalate(alert_id=alert.pk, actor=world.dispatcher, note="请热力公司排查东城社区管网")
    alert.refresh_from_db()
    case = alert.case
    assert alert.status == "escalated" and case is not None
    assert case.channel == "analysis" and case.status == "assigned" and case.lead_unit == world.heating
    assert (
        case.supervision_level >= 1
        and case.category == world.heating_cat
        and case.area == world.east_community
    )
    assert "请热力公司排查东城社区管网" in case.description
    assert list(case.events.values_list("operation", flat=True)) == [
        "create",
        "accept",
        "assign",
        "supervise",
    ]


def test_the_daily_jobs_run_once_a_day_whichever_worker_asks(world, clock):
    now = clock.set("2026-11-25 01:30")
    history(world, per_day=3, last_day=16)
    first = jobs.run_daily(now=now)
    again = jobs.run_daily(now=now + dt.timedelta(minutes=1))
    assert first["surges"] == 1 and "hot_issues" in first and again == {}
    assert set(JobRun.objects.values_list("job", "day")) == {
        ("hot_issues", DAY),
        ("month_hot_issues", DAY),  # on a month's last day it mines the month; otherwise nothing to do
        ("surges", DAY),
        ("project_status", DAY),
    }
    assert jobs.run_daily(now=clock.set("2026-11-25 00:30")) == {}  # before 01:00 the day is not over


def test_an_abandoned_run_is_taken_over(world, clock):
    now = clock.set("2026-11-25 05:00")
    JobRun.objects.create(job="surges", day=DAY, started_at=now - dt.timedelta(hours=3))
    JobRun.objects.create(job="hot_issues", day=DAY, started_at=now - dt.timedelta(minutes=5))
    done = jobs.run_daily(now=now)
    assert set(done) == {
        "surges",
        "project_status",
        "month_hot_issues",
    }  # the hot issues are still being computed elsewhere
    assert JobRun.objects.get(job="surges").finished_at is not None


def test_a_failed_run_keeps_its_error_and_is_tried_again_only_after_stale(world, clock, monkeypatch):
    now = clock.set("2026-11-25 01:30")
    calls = []

    def broken(day):
        calls.append(day)
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.JOBS, "surges", broken)
    monkeypatch.setitem(jobs.JOBS, "hot_issues", lambda day: {"issues": 0})
    jobs.run_daily(now=now)
    assert JobRun.objects.get(job="surges").result == {"error": "disk full"}
    jobs.run_daily(now=now + dt.timedelta(minutes=1))  # the next round does not run it again
    assert len(calls) == 1
    jobs.run_daily(now=now + jobs.STALE + dt.timedelta(minutes=1))
    assert len(calls) == 2


def test_cases_of_other_days_or_without_category_are_not_counted(world, clock):
    clock.set("2026-11-25 01:30")
    history(world, per_day=3, last_day=3)
    Case.objects.filter(received_at__date=DAY).update(category=None)
    assert alerts.scan_surges(day=DAY) == []


def test_keywords_of_the_same_cases_do_not_alert_beside_their_surge(world, clock):
    clock.set("2026-11-25 01:30")
    history(world, per_day=3, last_day=16, burst="湖畔花园暖气片冰凉，检修后仍不热")
    raised = alerts.scan_surges(day=DAY)
    # 湖畔花园/暖气片/检修 rose with the heating cases, but they are the same cases: one alert, not three.
    assert [a.key for a in raised] == [f"c{world.heating_cat.pk}@a{world.east_community.pk}"]


def test_only_the_roles_of_the_access_module_act_on_an_alert(world, clock):
    from minyi.core.errors import InvalidInput, NotPermitted
    from tests.analysis.helpers import heating_alert

    alert = heating_alert(world, clock.set("2026-11-25 09:00"))
    with pytest.raises(NotPermitted):
        alerts.alert_escalate(alert_id=alert.pk, actor=world.supervisor)  # dismisses, does not assign
    with pytest.raises(NotPermitted):
        alerts.alert_dismiss(alert_id=alert.pk, actor=world.heating_handler, note="不是我们的")
    with pytest.raises(InvalidInput):
        alerts.alert_dismiss(alert_id=alert.pk, actor=world.supervisor, note="  ")
    assert SurgeAlert.objects.get(pk=alert.pk).status == "open"


def test_the_cases_of_a_street_key_are_those_placed_on_the_street_not_its_communities(world, clock):
    from minyi.analysis import surges
    from minyi.catalog.models import Category

    clock.set("2026-11-24 10:00")
    on_street, in_community = (
        case_create(
            actor=world.operator, channel="hotline", demand_type="complaint", title="暖气不热",
            description="暖气片冰凉", requester_name="居民", category="010101", area=area,
        )
        for area in (world.east, world.east_community)
    )  # fmt: skip
    group = Category.objects.get(pk=world.heating_shortage.ancestor_ids()[alerts.CATEGORY_DEPTH - 1])
    surge = surges.Surge((group.pk, world.east.pk), 1, DAY, DAY, 1, 0.1, 1e-6, 1.0)
    assert alerts._cases_of(surge, category=group, area=world.east) == {on_street.pk}
    surge = surges.Surge((group.pk, world.east_community.pk), 1, DAY, DAY, 1, 0.1, 1e-6, 1.0)
    assert alerts._cases_of(surge, category=group, area=world.east_community) == {in_community.pk}
