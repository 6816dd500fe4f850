"""The deadline worker: yellow at 80 %, red past due, each deadline alerted once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command

from minyi.cases.models import Case
from minyi.core import clock as minyi_clock
from minyi.notifications.models import DeadlineAlert, Notification, OutboundMessage
from minyi.notifications.worker import alert_case, remind_calendar, run_once, scan_deadlines
from minyi.workcal.models import HolidayOverride
from tests.cases.helpers import do, new_case
from tests.conftest import at


def assigned_roads_case(world, clock):
    clock.set("2026-11-02 09:00")  # Monday; 5 working days → Mon 11-09 18:00
    case = new_case(world.operator, category="0102")
    do(case, "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher)
    return do(case, "sign_for", world.housing_handler)


def alerts(case, user=None):
    qs = Notification.objects.filter(case=case, kind__in=["due_soon", "overdue"])
    return qs.filter(user=user) if user else qs


def test_yellow_then_red_each_once(world, clock):
    case = assigned_roads_case(world, clock)
    assert case.handle_due_at == at("2026-11-09 18:00")
    assert scan_deadlines(now=at("2026-11-05 09:00")) == 0

    # Allowed: Mon 09:00 → Mon 11-09 18:00 = 7.5 + 5 × 8 = 47.5 working hours; 80 % = 38 h:
    # Mon 7.5 + Tue–Thu 24 + Fri 6.5 (08:30–12:00, 13:30–16:30) → Fri 11-06 16:30.
    yellow_at = Case.objects.get(pk=case.pk).handle_warn_at
    assert yellow_at == at("2026-11-06 16:30")
    assert scan_deadlines(now=yellow_at) == 1
    assert alerts(case, world.housing_handler).get().kind == "due_soon"
    assert scan_deadlines(now=yellow_at) == 0
    assert scan_deadlines(now=at("2026-11-09 17:00")) == 0

    assert scan_deadlines(now=at("2026-11-09 18:01")) == 1
    assert alerts(case, world.housing_handler).filter(kind="overdue").count() == 1
    assert alerts(case, world.supervisor).filter(kind="overdue").count() == 1
    assert OutboundMessage.objects.filter(body__contains=case.tracking_number).exists()
    assert scan_deadlines(now=at("2026-11-20 10:00")) == 0
    assert Case.objects.get(pk=case.pk).alert_at is None
    assert DeadlineAlert.objects.filter(case=case).count() == 2


def test_a_worker_down_past_both_moments_sends_only_red(world, clock):
    case = assigned_roads_case(world, clock)
    assert scan_deadlines(now=at("2026-11-12 10:00")) == 1
    assert list(alerts(case, world.housing_handler).values_list("kind", flat=True)) == ["overdue"]


def test_a_lost_race_for_the_claim_sends_nothing(world, clock):
    case = assigned_roads_case(world, clock)
    alert_at = Case.objects.get(pk=case.pk).alert_at
    now = at("2026-11-06 17:00")
    # Two workers read the same due row; both try to claim it.
    assert alert_case(case.pk, alert_at, now) == 1
    assert alert_case(case.pk, alert_at, now) == 0
    assert alerts(case).count() == 1


def test_a_recomputed_deadline_that_lands_on_the_same_moment_is_not_alerted_again(world, clock):
    case = assigned_roads_case(world, clock)
    warn = Case.objects.get(pk=case.pk).handle_warn_at
    scan_deadlines(now=warn)
    # Something resets alert_at (e.g. a transition that leaves the deadline where it was).
    Case.objects.filter(pk=case.pk).update(alert_at=warn)
    assert scan_deadlines(now=warn) == 0
    assert alerts(case).count() == 1


def test_an_extended_deadline_is_a_new_deadline(world, clock):
    case = assigned_roads_case(world, clock)
    warn = Case.objects.get(pk=case.pk).handle_warn_at
    scan_deadlines(now=warn)
    clock.set(warn)
    do(case, "request_extension", world.housing_handler, days=5, note="需协调施工队")
    case = do(case, "approve_extension", world.dispatcher)
    assert scan_deadlines(now=case.handle_warn_at) == 1
    assert alerts(case).filter(kind="due_soon").count() == 2


def test_closed_and_suspended_cases_are_not_alerted(world, clock):
    case = assigned_roads_case(world, clock)
    clock.set("2026-11-03 10:00")
    do(case, "suspend", world.dispatcher, note="等待法院判决")
    assert scan_deadlines(now=at("2026-12-30 10:00")) == 0
    other = assigned_roads_case(world, clock)
    do(other, "reply", world.housing_handler, note="已修复路面")
    assert scan_deadlines(now=at("2026-12-30 10:00")) == 0


def test_sign_for_deadline_alerts_while_waiting(world, clock):
    clock.set("2026-11-02 09:00")
    case = new_case(world.operator, category="0102")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)  # sign for by Tue 11-03 18:00
    assert scan_deadlines(now=at("2026-11-03 18:30")) == 1
    assert "sign" in DeadlineAlert.objects.get(case=case).clock


def test_calendar_reminder_goes_to_administrators_once(world, clock):
    minyi_clock.set_now(at("2026-11-25 09:00"))
    assert remind_calendar() == 1
    assert remind_calendar() == 0
    note = Notification.objects.get(user=world.admin, kind="calendar")
    assert "2027" in note.message
    HolidayOverride.objects.create(day=at("2027-01-01 00:00").date(), is_workday=False, note="元旦")
    assert remind_calendar(now=at("2026-11-26 09:00")) == 0


def test_worker_command_runs_one_round(world, clock, capsys):
    assigned_roads_case(world, clock)
    clock.set("2026-11-12 10:00")
    call_command("worker", "--once")
    assert "alerts=1" in capsys.readouterr().out
    assert run_once()["alerts"] == 0


def test_a_scan_exactly_at_the_deadline_still_sends_red_later(world, clock):
    case = assigned_roads_case(world, clock)
    due = Case.objects.get(pk=case.pk).handle_due_at
    assert scan_deadlines(now=due) == 1  # yellow: at the deadline itself the case is not yet late
    assert scan_deadlines(now=due) == 0
    assert scan_deadlines(now=due + dt.timedelta(seconds=2)) == 1
    assert alerts(case, world.housing_handler).filter(kind="overdue").count() == 1


def test_the_worker_survives_a_failing_round(world, clock, monkeypatch, capsys):
    from django.db import OperationalError

    from minyi.notifications.management.commands import worker as command

    rounds = []

    def flaky(**kwargs):
        rounds.append(1)
        if len(rounds) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        raise KeyboardInterrupt  # end the test after the second round

    monkeypatch.setattr(command, "run_once", flaky)
    monkeypatch.setattr(command.time, "sleep", lambda s: None)
    with pytest.raises(KeyboardInterrupt):
        call_command("worker", "--interval", "1")
    assert len(rounds) == 2


def test_a_round_deletes_the_sessions_past_their_expiry(world, clock):
    """The portal gives every browser that sends a form a session; expired ones must not pile up."""
    kept, gone = SessionStore(), SessionStore()
    kept["x"], gone["x"] = 1, 1
    kept.create()
    gone.create()
    Session.objects.filter(session_key=gone.session_key).update(
        expire_date=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    assert run_once()["sessions"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [kept.session_key]
