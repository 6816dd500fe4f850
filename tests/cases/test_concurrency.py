"""Several people (and workers) acting on the same rows at the same moment, on real connections."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from minyi.cases.models import Case, CaseEvent
from minyi.cases.services import case_apply
from minyi.core import clock as minyi_clock
from minyi.core.errors import Conflict, IllegalTransition
from minyi.notifications.models import DeadlineAlert, Notification
from minyi.notifications.worker import scan_deadlines
from tests.cases.helpers import do, new_case
from tests.conftest import at

pytestmark = pytest.mark.postgres_only


def race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions in threads released at the same instant; results or raised errors, in order."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)
    moment = minyi_clock.now()

    def run(i: int, action: Callable[[], object]) -> None:
        minyi_clock.set_now(moment)
        try:
            barrier.wait()
            results[i] = action()
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def assigned(world):
    case = new_case(world.operator, category="010101")
    do(case, "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher)


@pytest.mark.parametrize("round_", range(3))
def test_two_people_signing_for_one_case_one_wins_one_gets_a_conflict(tx_world, clock, round_):
    world = tx_world
    case = assigned(world)
    results = race(
        *[
            lambda who=who: case_apply(case_id=case.pk, operation="sign_for", actor=who,
                                       expected_version=case.version)
            for who in (world.heating_handler, world.heating_head)
        ]
    )  # fmt: skip
    assert sum(isinstance(r, Case) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert CaseEvent.objects.filter(case=case, operation="sign_for").count() == 1


def test_reply_and_return_at_the_same_moment(tx_world, clock):
    world = tx_world
    case = do(assigned(world), "sign_for", world.heating_handler)
    version = case.version
    results = race(
        lambda: case_apply(case_id=case.pk, operation="reply", actor=world.heating_handler,
                           expected_version=version, note="已修复"),
        lambda: case_apply(case_id=case.pk, operation="return", actor=world.heating_head,
                           expected_version=version, note="不归我们管"),
    )  # fmt: skip
    winners = [r for r in results if isinstance(r, Case)]
    assert len(winners) == 1 and sum(isinstance(r, Conflict) for r in results) == 1
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == winners[0].status and fresh.version == version + 1
    assert CaseEvent.objects.filter(case=case, operation__in=["reply", "return"]).count() == 1


def test_without_a_version_the_second_sees_the_new_status(tx_world, clock):
    world = tx_world
    case = do(new_case(world.operator, category="010101"), "accept", world.dispatcher)
    results = race(
        lambda: case_apply(case_id=case.pk, operation="assign", actor=world.dispatcher),
        lambda: case_apply(case_id=case.pk, operation="reject", actor=world.dispatcher, note="重复"),
    )
    assert sum(isinstance(r, Case) for r in results) == 1
    assert sum(isinstance(r, IllegalTransition) for r in results) == 1
    assert CaseEvent.objects.filter(case=case, operation__in=["assign", "reject"]).count() == 1


def test_reminders_at_the_same_moment_are_all_kept(tx_world, clock):
    world = tx_world
    case = assigned(world)
    results = race(*[lambda: do(case, "remind", world.supervisor) for _ in range(4)])
    assert all(isinstance(r, Case) for r in results)
    assert Case.objects.get(pk=case.pk).remind_count == 4


def test_tracking_numbers_stay_unique_under_concurrent_registration(tx_world, clock):
    world = tx_world

    def register_five():
        return [new_case(world.operator).tracking_number for _ in range(5)]

    results = race(*[register_five for _ in range(6)])
    numbers = [n for batch in results for n in batch]
    assert len(numbers) == 30 and len(set(numbers)) == 30
    assert sorted(int(n.split("-")[1]) for n in numbers) == list(range(1, 31))


def test_several_workers_alert_each_deadline_once(tx_world, clock):
    world = tx_world
    clock.set("2026-11-02 09:00")
    cases = [assigned(world) for _ in range(12)]
    now = at("2026-11-20 10:00")  # every sign-for and handling deadline is past: 2 alerts a case
    results = race(*[lambda: scan_deadlines(now=now, batch=5) for _ in range(3)])
    assert sum(results) == 24, results
    assert DeadlineAlert.objects.count() == 24
    for case in cases:
        assert Notification.objects.filter(case=case, user=world.heating_handler, kind="overdue").count() == 2


@pytest.mark.parametrize("round_", range(3))
def test_a_repeat_is_not_called_back_on_a_reply_its_masters_callback_rejects_at_the_same_moment(
    tx_world, clock, round_
):
    """The master's callback locks the master, then its repeats; the repeat's callback locks the
    master first too: one waits for the other, neither deadlocks, and the repeat is either called
    back before the rejection (its event comes first) or refused after it."""
    world = tx_world
    master = do(assigned(world), "sign_for", world.heating_handler)
    repeats = [do(new_case(world.operator), "merge", world.dispatcher, master=master.pk) for _ in range(2)]
    do(master, "reply", world.heating_handler, note="已修复")
    results = race(
        lambda: do(master, "callback", world.callback_agent, satisfaction="dissatisfied"),
        lambda: do(repeats[0], "callback", world.callback_agent, satisfaction="satisfied"),
        lambda: do(repeats[1], "callback", world.callback_agent, satisfaction="satisfied"),
    )
    assert isinstance(results[0], Case), results[0]
    for repeat, result in zip(repeats, results[1:], strict=True):
        assert isinstance(result, Case | IllegalTransition), result  # no lock timeout, no deadlock
        events = list(CaseEvent.objects.filter(case=repeat, operation__in=["callback", "follow_master"]))
        assert events[-1].operation == "follow_master"  # the master's rejection came last
        assert [e.operation for e in events].count("callback") == (1 if isinstance(result, Case) else 0)
