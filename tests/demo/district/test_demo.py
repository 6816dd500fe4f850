"""`minyi demo` loads a complete district whose cases went through the real workflow; `minyi serve`
builds the right gunicorn command line."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum

from minyi.cases import deadlines
from minyi.cases.models import Attachment, Case, CaseEvent, Satisfaction, SupervisionLevel
from minyi.cases.workflow import OPERATIONS, Status
from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.catalog.models import Category, DeadlineRule, RoutingRule
from minyi.catalog.services import routing_for
from minyi.core import clock
from minyi.core.management.commands import serve
from minyi.demo import district, texts
from minyi.demo.plans import Slots
from minyi.knowledge.models import KnowledgeEntry
from minyi.org.models import Area, RoleGrant, Unit, User
from minyi.org.roles import Role
from tests.demo.district.conftest import CASES, NOW

pytestmark = pytest.mark.usefixtures("demo", "db")


def test_places_form_the_district_tree():
    levels = Counter(Area.objects.values_list("level", flat=True))
    assert levels[Area.Level.DISTRICT] == 1
    assert levels[Area.Level.STREET] >= 3
    assert levels[Area.Level.COMMUNITY] >= 10
    assert levels[Area.Level.GRID] >= 40
    district_area = Area.objects.get(code=district.DISTRICT_CODE)
    communities = Area.objects.filter(level=Area.Level.COMMUNITY)
    assert district_area.households == sum(c.households for c in communities) > 0
    for community in communities:
        grids = Area.objects.filter(parent=community)
        assert sum(g.households for g in grids) == community.households
    assert not Area.objects.filter(households=0).exists()


def test_units_of_every_kind():
    assert Unit.objects.count() >= 15
    kinds = set(Unit.objects.values_list("kind", flat=True))
    assert kinds == set(Unit.Kind.values)
    assert Unit.objects.get(kind=Unit.Kind.CENTRE).name == "区社会治理服务中心"
    for office in Unit.objects.filter(kind=Unit.Kind.STREET):
        assert office.area.level == Area.Level.STREET
    for committee in Unit.objects.filter(kind=Unit.Kind.COMMUNITY):
        assert committee.parent.kind == Unit.Kind.STREET
        assert committee.area.is_within(committee.parent.area)
    names = " ".join(Unit.objects.filter(kind=Unit.Kind.ENTERPRISE).values_list("name", flat=True))
    assert "热力" in names and "自来水" in names and "供电" in names


def test_every_role_has_a_user_with_the_demo_password():
    people = set(Role.values) - {Role.INTEGRATION}  # integration accounts come from `minyi apikey create`
    assert set(RoleGrant.objects.values_list("role", flat=True)) >= people
    for username in ("operator", "dispatcher", "supervisor", "callback", "leader", "admin", "heating"):
        assert User.objects.get(username=username).check_password(district.PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.has_role(Role.ADMINISTRATOR)
    for worker in User.objects.filter(grants__role=Role.GRID_WORKER):
        assert worker.area.level == Area.Level.GRID
    assert all(u.full_name for u in User.objects.all())


def test_catalogue_routing_deadlines_and_knowledge():
    depth = Counter(Category.objects.values_list("depth", flat=True))
    assert depth[1] >= 7 and depth[2] >= 30 and depth[3] >= 80
    grid = Area.objects.filter(level=Area.Level.GRID).first()
    for category in Category.objects.filter(depth=3):
        assert routing_for(category=category, area=grid) is not None, category
        assert routing_for(category=category, area=None) is not None, category
    # Street offices lead some categories in their own street.
    assert RoutingRule.objects.filter(
        lead_unit__kind=Unit.Kind.STREET, area__level=Area.Level.STREET
    ).exists()
    assert DeadlineRule.objects.filter(demand_type="", urgency="", category=None).count() == 1
    assert DeadlineRule.objects.filter(urgency="urgent", handle_unit="hours", handle_limit=24).exists()
    assert KnowledgeEntry.objects.count() >= 40
    assert not KnowledgeEntry.objects.filter(search_text="").exists()


def test_every_status_channel_type_and_urgency_appears():
    cases = Case.objects.all()
    assert cases.filter(visit_problem__isnull=True).count() == CASES  # visit problems come on top
    assert set(cases.values_list("status", flat=True)) == set(Status.values)
    assert set(cases.values_list("channel", flat=True)) == set(Channel.values)
    assert set(cases.values_list("demand_type", flat=True)) == set(DemandType.values)
    assert set(cases.values_list("urgency", flat=True)) == set(Urgency.values)
    assert cases.filter(is_anonymous=True).exists()
    assert not cases.filter(demand_type=DemandType.REPORT, is_confidential=False).exists()


def test_every_path_of_the_loop_was_taken():
    operations = set(CaseEvent.objects.values_list("operation", flat=True))
    assert operations >= set(OPERATIONS) - {"unmerge"}
    callbacks = {e.data["satisfaction"] for e in CaseEvent.objects.filter(operation="callback")}
    assert callbacks == set(Satisfaction.values)
    assert Case.objects.filter(supervision_level=SupervisionLevel.YELLOW).exists()
    assert Case.objects.filter(supervision_level=SupervisionLevel.RED).exists()
    assert Case.objects.filter(replied_on_time=False).exists()  # some replied late
    assert CaseEvent.objects.filter(operation="return", case__status=Status.ARCHIVED).count() >= 2
    assert Case.objects.filter(master__isnull=False, status=Status.ARCHIVED).exists()
    lights = {light: Case.objects.filter(deadlines.light_q(light, NOW)).count() for light in deadlines.Light}
    assert lights[deadlines.Light.RED] >= 2 and lights[deadlines.Light.YELLOW] >= 1
    assert lights[deadlines.Light.GREEN] >= 1


def test_repeats_follow_their_masters():
    """并单: a repeat is merged while its master is handled, answered once it is, archived with it."""
    repeats = Case.objects.exclude(master=None).select_related("master")
    expected = {
        Status.ARCHIVED: {Status.ARCHIVED},
        Status.REPLIED: {Status.REPLIED, Status.CALLED_BACK},
        Status.CALLED_BACK: {Status.REPLIED, Status.CALLED_BACK},
    }
    for repeat in repeats:
        allowed = expected.get(repeat.master.status, {Status.MERGED})
        assert repeat.status in allowed, (repeat.tracking_number, repeat.status, repeat.master.status)
    followed = CaseEvent.objects.filter(case__in=repeats)
    assert {"master_replied", "follow_master", "master_reopened", "master_archived"} <= set(
        followed.values_list("operation", flat=True)
    )
    for event in followed.filter(operation__in=["follow_master", "master_reopened", "master_archived"]):
        assert event.actor is None and event.data["master"] == event.case.master.tracking_number


def test_events_are_consistent_with_the_cases():
    cases = Case.objects.all()
    creates = Counter(CaseEvent.objects.filter(operation="create").values_list("case_id", flat=True))
    assert set(creates) == set(cases.values_list("pk", flat=True)) and set(creates.values()) == {1}
    totals = cases.aggregate(
        rework=Sum("rework_count"),
        returns=Sum("return_count"),
        ext=Sum("extension_count"),
        remind=Sum("remind_count"),
    )
    count = Counter(CaseEvent.objects.values_list("operation", flat=True))
    assert count["reopen"] == totals["rework"] > 0
    assert count["return"] == totals["returns"]
    assert count["approve_extension"] == totals["ext"]
    assert count["remind"] == totals["remind"]
    year_ago = NOW - dt.timedelta(days=367)
    for case in cases.prefetch_related("events"):
        events = list(case.events.all())
        assert events[0].operation == "create"
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert year_ago <= events[0].created_at == case.received_at and events[-1].created_at <= NOW
        moves = [e for e in events if e.to_status]
        assert moves[-1].to_status == case.status, case.tracking_number


def test_co_units_are_only_those_the_dispatcher_ticked_for_urgent_cases():
    """The catalogue suggests co-units; the demo's dispatcher ticks them for urgent and major cases
    only (stories.Driver.co_units_for), as the console's form leaves them unticked."""
    co_handled = Case.objects.filter(co_units__isnull=False).distinct().prefetch_related("co_units")
    assert co_handled.exists()
    for case in co_handled:
        assert case.urgency != Urgency.NORMAL, case.tracking_number
        suggested = set(routing_for(category=case.category, area=case.area).co_units)
        assert set(case.co_units.all()) <= suggested, case.tracking_number


def test_some_replies_show_the_requester_a_photo_of_the_work():
    shown = Attachment.objects.filter(for_requester=True).select_related("case", "event")
    assert shown.count() >= 3
    assert {a.event.operation for a in shown} == {"reply"}
    assert not shown.filter(case__is_confidential=True).exists()
    assert all(a.content_type == "image/jpeg" and a.name == "reply-photo-1.jpg" for a in shown)


def test_older_cases_are_mostly_closed():
    old = Case.objects.filter(received_at__lt=NOW - dt.timedelta(days=60))
    closed = old.filter(status__in=[Status.ARCHIVED, Status.REJECTED, Status.WITHDRAWN])
    assert closed.count() >= 0.9 * old.count()
    assert Case.objects.filter(received_at__gte=NOW - dt.timedelta(days=10), status=Status.HANDLING).exists()


def test_running_it_again_changes_nothing(demo):
    models = (
        Area,
        Unit,
        User,
        RoleGrant,
        Category,
        RoutingRule,
        DeadlineRule,
        KnowledgeEntry,
        Case,
        CaseEvent,
    )
    before = {m: m.objects.count() for m in models}
    out = io.StringIO()
    call_command("demo", cases=CASES, stdout=out)
    assert "loaded already" in out.getvalue() and "operator" in out.getvalue()
    assert {m: m.objects.count() for m in models} == before
    assert "operator" in demo and "dispatcher" in demo and district.PASSWORD in demo


def test_the_clock_is_released():
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_the_demo_does_not_depend_on_the_shared_folder():
    package = Path(__file__).resolve().parents[2] / "minyi" / "demo"
    for source in package.rglob("*.py"):
        assert "shared" not in source.read_text(encoding="utf-8"), source


def test_every_text_template_fills():
    place = _place()
    rng = __import__("random").Random(1)
    for templates in texts.CASE_TEXTS.values():
        for types, title, body in templates:
            assert set(types.split()) <= set(DemandType.values)
            title.format_map(Slots(rng, place)) and body.format_map(Slots(rng, place))
    extra = {"date": "11月25日", "unit": "区住建局", "topic": "供热", "right": "热力公司", "lead": "区住建局"}
    groups = [*texts.REPLIES.values(), texts.RETURN_NOTES, texts.UPHOLD_NOTES, texts.CO_REPLY_NOTES]
    groups += [
        texts.INSTRUCT_NOTES,
        texts.REQUEST_INSTRUCTION_NOTES,
        texts.PRAISE_REPLIES,
        texts.SUGGESTION_REPLIES,
    ]
    for group in groups:
        for template in group:
            slots = Slots(rng, place)
            slots.update(extra)
            assert "{" not in template.format_map(slots)


def _place():
    from minyi.demo.build import Place

    street = district.STREETS[0]
    return Place(Area(code="x", name="x", level=Area.Level.GRID), street.communities[0], street)


# --- minyi serve ---------------------------------------------------------------------------------


def test_serve_builds_the_gunicorn_command_line(monkeypatch):
    for name in ("HOST", "PORT", "MINYI_WEB_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    host, port, workers = serve.serve_options()
    assert (host, port, workers) == ("127.0.0.1", 8000, 2)
    argv = serve.gunicorn_argv(host=host, port=port, workers=workers)
    assert argv[1:] == [
        "-m",
        "gunicorn",
        "minyi.wsgi:application",
        "--bind",
        "127.0.0.1:8000",
        "--workers",
        "2",
        "--worker-class",
        "minyi.web.server.Worker",
        "--access-logfile",
        "-",
        "--preload",
        "--no-control-socket",
    ]
    assert Path(argv[0]).name.startswith("python")


def test_serve_reads_the_environment_and_options_win(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("MINYI_WEB_WORKERS", "4")
    assert serve.serve_options() == ("0.0.0.0", 9000, 4)
    assert serve.serve_options(host="::1", port=8080, workers=1) == ("::1", 8080, 1)
    assert "[::1]:8080" in serve.gunicorn_argv(host="::1", port=8080, workers=1)
    assert serve.url("0.0.0.0", 9000) == "http://127.0.0.1:9000/"
    assert serve.url("::", 9000, "/console/") == "http://localhost:9000/console/"
    assert serve.worker_argv()[1:] == ["-m", "minyi", "worker"]
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(serve.CommandError, match="PORT"):
        serve.serve_options()


def test_yesterdays_heating_burst_is_a_rising_topic_and_a_hot_issue():
    from minyi.analysis.models import HotIssue, JobRun, SurgeAlert

    alerts = list(SurgeAlert.objects.select_related("category", "area", "unit"))
    heating = [a for a in alerts if a.category and a.category.code == "0101"]
    assert len(heating) == 1 and heating[0].observed >= 13 and heating[0].area.level == Area.Level.COMMUNITY
    assert heating[0].unit is not None and heating[0].end == clock.local(NOW).date() - dt.timedelta(days=1)
    top = HotIssue.objects.filter(span=HotIssue.Span.DAYS).order_by("rank").first()
    assert top is not None and "暖" in top.title and top.people >= 10
    assert set(JobRun.objects.values_list("job", flat=True)) == {
        "hot_issues",
        "month_hot_issues",
        "surges",
        "project_status",
    }
