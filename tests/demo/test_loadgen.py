"""`minyi loadgen` writes realistic history in bulk that is consistent with the workflow: every status,
event logs of allowed steps, tracking numbers the live counter continues from, keyword rows that are
the keywords of each case's own text, times within the window; a second load needs --append."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min
from django.test import override_settings

from minyi.analysis.keyword_index import case_keywords
from minyi.analysis.models import CaseKeyword
from minyi.cases import deadlines
from minyi.cases.models import Case, CaseEvent, TrackingCounter
from minyi.cases.services import reserve_tracking_numbers
from minyi.cases.workflow import CLOCKS, OPEN, OPERATIONS, Status, _possible_targets
from minyi.catalog.services import routing_for
from minyi.core import clock
from minyi.demo import district
from minyi.demo.loadgen import MARKER, WorkClock, load
from minyi.org.models import Area
from minyi.workcal.calendar import WorkCalendar
from tests.conftest import SHANGHAI, at

NOW = at("2026-11-25 10:30")  # a Wednesday in the heating season
CASES = 3000
YEARS = 2
FIRST_DAY = dt.date(2024, 11, 26)


def test_a_district_of_its_own_is_used_as_it_is(world):
    """(First in the module: it needs a database without the module's load.)"""
    with clock.frozen_at(NOW):
        summary = load(cases=150, seed=7, years=1)
    assert not summary.reference_loaded
    assert not Area.objects.filter(code=district.DISTRICT_CODE).exists()
    own_places = {world.east_grid.pk, world.east_grid2.pk, world.west_grid.pk}
    own_places |= {a.parent_id for a in Area.objects.filter(pk__in=own_places)}
    assert set(Case.objects.exclude(area=None).values_list("area_id", flat=True)) <= own_places
    assert Case.objects.count() == 150 and CaseKeyword.objects.filter(case__isnull=False).exists()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """A load of CASES cases into an empty database, once for the module, rolled back at the end."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        with clock.frozen_at(NOW), fast_hashing:
            call_command("loadgen", cases=CASES, years=YEARS, seed=11, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def data(loaded, db):
    return loaded


def test_the_demo_reference_is_loaded_into_an_empty_database_and_the_summary_printed(data):
    assert Area.objects.filter(code=district.DISTRICT_CODE).exists()
    assert "demo district's reference data was loaded" in data
    assert f"{CASES:,} cases" in data and "rows/s" in data


def test_every_status_is_present(data):
    counts = Counter(Case.objects.values_list("status", flat=True))
    assert set(counts) == set(Status.values), set(Status.values) - set(counts)
    closed = counts[Status.ARCHIVED] + counts[Status.REJECTED] + counts[Status.WITHDRAWN]
    assert closed > 0.85 * CASES  # most of a history is closed
    assert sum(counts[s] for s in OPEN) < 0.1 * CASES


def test_each_event_log_is_a_walk_through_the_workflow(data):
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("case_id", "created_at", "id").values(
        "case_id", "operation", "from_status", "to_status", "created_at", "data"
    ):
        events[event["case_id"]].append(event)
    cases = {c.pk: c for c in Case.objects.only("status", "received_at", "lead_unit_id")}
    assert set(events) == set(cases)
    for case_id, log in events.items():
        case = cases[case_id]
        first = log[0]
        assert (first["operation"], first["from_status"], first["to_status"]) == ("create", "", "received")
        assert first["created_at"] == case.received_at
        status = Status.RECEIVED
        for event in log[1:]:
            op = OPERATIONS[event["operation"]]
            assert event["from_status"] == status, (case_id, event)
            assert status in op.sources, (case_id, event)
            if event["to_status"]:
                assert event["to_status"] in _possible_targets(op), (case_id, event)
                status = Status(event["to_status"])
            else:
                assert op.target is None or op.target == status, (case_id, event)
            assert case.received_at <= event["created_at"] <= NOW
        assert status == case.status, case_id
        assert all(e["data"][MARKER] is True for e in log)


def test_units_act_for_their_unit_and_cases_go_where_the_routing_catalogue_says(data):
    for event in CaseEvent.objects.filter(operation__in=("sign_for", "reply")).select_related("case")[:500]:
        assert event.actor_unit_id == event.case.lead_unit_id
    straight = (
        Case.objects.filter(status=Status.ARCHIVED, return_count=0, lead_unit__isnull=False)
        .select_related("category", "area")
        .order_by("id")[:200]
    )
    for case in straight:
        assert case.lead_unit_id == routing_for(category=case.category, area=case.area).lead_unit.pk


def test_tracking_numbers_are_unique_and_the_counters_continue_after_them(data):
    numbers = list(Case.objects.values_list("tracking_number", flat=True))
    assert len(numbers) == len(set(numbers)) == CASES
    used: dict[str, list[int]] = defaultdict(list)
    for number in numbers:
        period, seq = number.split("-")
        used[period].append(int(seq))
    for seqs in used.values():
        assert max(seqs) == len(seqs)  # a fresh database: no gaps either
    if connection.vendor == "sqlite":  # PostgreSQL draws from a sequence per month instead
        assert dict(TrackingCounter.objects.values_list("period", "value")) == {
            period: len(seqs) for period, seqs in used.items()
        }
    with clock.frozen_at(NOW):
        assert reserve_tracking_numbers(NOW, 1) == [f"202611-{len(used['202611']) + 1:06d}"]


def test_times_lie_in_the_window_and_follow_each_other(data):
    span = Case.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    assert dt.datetime.combine(FIRST_DAY, dt.time(), SHANGHAI) <= span["first"] < span["last"] <= NOW
    for case in Case.objects.exclude(replied_at=None).only("received_at", "replied_at", "closed_at")[:1000]:
        assert case.received_at <= case.replied_at <= NOW
        assert case.closed_at is None or case.replied_at <= case.closed_at <= NOW
    by_hour = Counter(clock.local(t).hour for t in Case.objects.values_list("received_at", flat=True))
    assert by_hour[10] > 3 * by_hour[3]  # office hours, not the night
    by_month = Counter(
        clock.local(t).month
        for t in Case.objects.filter(category__code__startswith="0101").values_list("received_at", flat=True)
    )
    assert by_month[1] > 5 * by_month[7]  # heating is demanded in winter


def test_deadlines_are_stored_and_open_cases_show_lights(data):
    assigned = Case.objects.exclude(assigned_at=None)
    assert not assigned.filter(handle_due_at=None).exists()
    assert not assigned.filter(handle_due_at__lt=F("handle_started_at")).exists()
    running = Case.objects.filter(status__in=list(CLOCKS))
    assert running.exists() and not running.filter(alert_at=None).exists()
    assert Case.objects.filter(deadlines.light_q(deadlines.Light.RED, NOW)).exists()  # some overdue
    replied = Case.objects.filter(status=Status.ARCHIVED).exclude(lead_unit=None)
    assert replied.filter(replied_on_time=True).count() > replied.filter(replied_on_time=False).count() > 0


def test_side_paths_and_repeats_appear(data):
    totals = Case.objects.aggregate(
        reworks=Max("rework_count"), returns=Max("return_count"), extensions=Max("extension_count")
    )
    assert totals["reworks"] and totals["returns"] and totals["extensions"]
    assert Case.objects.exclude(satisfaction="").values("satisfaction").distinct().count() == 4
    repeats = Case.objects.exclude(master=None).select_related("master")
    assert repeats.exists()
    assert all(r.master.status not in (Status.MERGED, Status.REJECTED, Status.WITHDRAWN) for r in repeats)
    people = Counter(Case.objects.exclude(requester_phone="").values_list("requester_phone", flat=True))
    assert people.most_common(1)[0][1] >= 3  # people who call again and again


def test_repeats_follow_their_masters(data):
    """并单 as services plays it: merged while the master is handled, its deadline, answered with its
    reply (again after 重办), archived with it; not called back on a reply the master's rejected."""
    expected = {
        Status.ARCHIVED: {Status.ARCHIVED},
        Status.REPLIED: {Status.REPLIED, Status.CALLED_BACK},
        Status.CALLED_BACK: {Status.REPLIED, Status.CALLED_BACK},
    }
    repeats = list(Case.objects.exclude(master=None).select_related("master"))
    for repeat in repeats:
        master = repeat.master
        assert repeat.status in expected.get(master.status, {Status.MERGED}), repeat.tracking_number
        assert repeat.handle_due_at == master.handle_due_at, repeat.tracking_number
        if repeat.status != Status.MERGED:
            assert repeat.reply_text == master.reply_text, repeat.tracking_number
    followed = Counter(
        CaseEvent.objects.filter(case__in=repeats, data__master_operation__isnull=False).values_list(
            "data__master_operation", flat=True
        )
    )
    assert followed["reply"] and followed["callback"] and followed["archive"] and followed["reopen"]
    # A repeat's own callback never comes while its master's last callback rejected the reply.
    for repeat in repeats:
        master_events = list(repeat.master.events.filter(operation__in=["callback", "reopen", "archive"]))
        for callback in repeat.events.filter(operation="callback"):
            last = [e for e in master_events if e.created_at <= callback.created_at][-1:]
            assert not (
                last and last[0].operation == "callback" and last[0].data["satisfaction"] == "dissatisfied"
            )


def test_keywords_are_those_of_each_cases_own_text(data):
    counts = dict(CaseKeyword.objects.values_list("case_id").annotate(n=Count("id")))
    assert len(counts) == CASES
    sample = random.Random(3).sample(sorted(counts), 60)
    for case in Case.objects.filter(pk__in=sample):
        stored = {(k.term, round(k.weight, 6), k.received_at) for k in CaseKeyword.objects.filter(case=case)}
        expected = {
            (term, round(weight, 6), case.received_at)
            for term, weight in case_keywords(case.title, case.description)
        }
        assert stored == expected, case.pk


def test_a_second_load_is_refused_without_append(data):
    with pytest.raises(CommandError, match="--append"), clock.frozen_at(NOW):
        call_command("loadgen", cases=10, stdout=io.StringIO())
    with transaction.atomic():
        with clock.frozen_at(NOW):
            call_command("loadgen", cases=10, append=True, seed=12, stdout=io.StringIO())
        assert Case.objects.count() == CASES + 10
        numbers = Case.objects.values_list("tracking_number", flat=True)
        assert len(set(numbers)) == CASES + 10
        transaction.set_rollback(True)


def test_the_fast_clock_agrees_with_the_calendar():
    calendar = WorkCalendar()
    first, last = dt.date(2025, 1, 1), dt.date(2026, 12, 31)
    offset = 8 * 3600
    wc = WorkClock(calendar, first, last, offset)
    rng = random.Random(5)

    def local(moment: dt.datetime) -> int:
        return int(moment.replace(tzinfo=dt.UTC).timestamp())

    def aware(seconds: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(seconds - offset, tz=dt.UTC).astimezone(SHANGHAI)

    for _ in range(400):
        start = dt.datetime(2025, 1, 2, tzinfo=SHANGHAI) + dt.timedelta(minutes=rng.randrange(700 * 1440))
        s = local(start)
        for limit, unit in ((1, "working_days"), (5, "working_days"), (2, "working_hours"), (24, "hours")):
            due = calendar.due_after(start, limit, unit)
            assert aware(wc.due_after(s, limit, unit)) == due
            warn = calendar.warning_moment(start, due, unit)
            assert (
                abs((aware(wc.warning(s, local(due.replace(tzinfo=None)), unit)) - warn).total_seconds()) <= 1
            )
        minutes = rng.randrange(1, 3000)
        assert aware(wc.add_working(s, minutes * 60)) == calendar.add_working_time(
            start, dt.timedelta(minutes=minutes)
        )
