"""Load the demo district in one transaction, and describe what is loaded (`minyi demo`)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F

from minyi.cases import deadlines
from minyi.cases.models import Case, CaseEvent
from minyi.cases.workflow import OPEN, Status
from minyi.core import clock
from minyi.demo import district
from minyi.demo import problems as demo_problems
from minyi.demo import projects as demo_projects
from minyi.demo import visits as demo_visits
from minyi.demo.analysis import BURST_CALLS, analyse, heating_burst
from minyi.demo.build import build_reference
from minyi.demo.plans import Planner
from minyi.demo.stories import Driver, make_plans, run
from minyi.notifications.models import Notification, OutboundMessage
from minyi.org.models import Area, User
from minyi.org.roles import Role

DEFAULT_CASES = 2400
DEFAULT_SEED = 12345
READ_AFTER = dt.timedelta(days=7)  # staff have read their notifications older than this


@dataclass
class Summary:
    cases: int = 0
    steps: int = 0
    events: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_light: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)


def demo_loaded() -> bool:
    return Area.objects.filter(code=district.DISTRICT_CODE).exists()


def load_demo(
    *, cases: int = DEFAULT_CASES, seed: int = DEFAULT_SEED, progress: Callable[[str], None] | None = None
) -> Summary:
    """Create the district, its staff and catalogue and a year of cases, all or nothing."""
    say = progress or (lambda message: None)
    now = clock.now().replace(second=0, microsecond=0)
    rng = random.Random(seed)
    with transaction.atomic():
        ref = build_reference()
        say(f"{len(ref.grids)} grids, {len(ref.units)} units, {len(ref.users)} staff, catalogue loaded")
        driver = Driver(ref, rng, now)
        planner = Planner(ref, rng, now, driver.cal.tz)
        plans = make_plans(driver, planner, max(cases - BURST_CALLS, 1))  # the burst is part of the count
        say(f"{len(plans)} cases planned, driving them through the services…")
        steps = run(driver, plans, progress=lambda n: say(f"  {n} steps"))
        heating_burst(ref, rng, now)
        for part in (demo_projects, demo_visits, demo_problems):  # beside the loop of cases
            if line := part.build(ref, rng, now):
                say(line)
        _settle_messages(now)
    analyse(now, say)  # outside the transaction: training writes a model file beside the database
    return summarise(now, steps=steps)


def _settle_messages(now: dt.datetime) -> None:
    """The demo's year is history: its text messages went out long ago and old notifications are read.
    (Otherwise the worker would send a year of SMS to invented numbers at its first run.)"""
    OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING).update(
        state=OutboundMessage.State.SENT, sent_at=F("created_at"), attempts=1
    )
    Notification.objects.filter(created_at__lt=now - READ_AFTER, read_at__isnull=True).update(
        read_at=F("created_at")
    )


def summarise(now: dt.datetime | None = None, *, steps: int = 0) -> Summary:
    now = now or clock.now()
    demo_cases = Case.objects.all()
    summary = Summary(cases=demo_cases.count(), steps=steps, events=CaseEvent.objects.count())
    summary.by_status = dict(demo_cases.values_list("status").annotate(n=Count("id")).order_by("status"))
    summary.by_channel = dict(demo_cases.values_list("channel").annotate(n=Count("id")).order_by("channel"))
    summary.by_light = {
        light.value: demo_cases.filter(deadlines.light_q(light, now)).count() for light in deadlines.Light
    }
    return summary


def status_lines(summary: Summary) -> list[str]:
    lines = []
    for status in Status:
        n = summary.by_status.get(status.value, 0)
        lines.append(f"  {status.value:<20} {n:>6}{'  (open)' if status in OPEN else ''}")
    return lines


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    roles: str
    unit: str


def logins() -> list[Login]:
    """Who can log in, grid workers folded into one line per community."""
    users = (
        User.objects.filter(unit__isnull=False)
        .select_related("unit", "area__parent")
        .prefetch_related("grants")
        .order_by("id")  # as district.py lists them
    )
    rows: list[Login] = []
    grid_workers: dict[str, list[User]] = {}
    for user in users:
        roles = [g.role for g in user.grants.all()]
        if roles == [Role.GRID_WORKER]:
            grid_workers.setdefault(user.area.parent.name, []).append(user)
            continue
        rows.append(
            Login(
                user.username,
                user.full_name,
                "、".join(district.ROLE_TITLES[r] for r in roles)
                + (" + 超级用户" if user.is_superuser else ""),
                user.unit.name,
            )
        )
    for community, workers in grid_workers.items():
        rows.append(
            Login(
                f"{workers[0].username}…{workers[-1].username[-2:]}",
                f"{workers[0].full_name}等{len(workers)}人",
                district.ROLE_TITLES[Role.GRID_WORKER],
                f"{community}：每个网格一名网格员",
            )
        )
    return rows
