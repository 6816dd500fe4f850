"""The load generator (压测数据): years of realistic history written fast, to measure at scale.

`minyi loadgen --cases N` fills a database with N cases as a district would have accumulated them:
received over `years` years up to `until`, more in working hours and on working days, fewer at
weekends and holidays, heating in winter and school places in summer (the demo's seasons), growing
from year to year. Every case takes a path through the loop that the workflow allows (handled,
answered on the spot, rejected, withdrawn, merged into a master), with the side paths (return,
extension, suspension, late sign-for and reply, reminders and supervision, leader instructions,
callbacks, reworks, portal ratings), its event log, its deadline columns and its keyword index.

How it stays consistent with the workflow (the ideas of cases/history.py): each case is played as a
story of steps, and every step checks that the operation is allowed from the current status and
moves to the status the workflow declares (`OPERATIONS`), as `case_apply` would. A step that would
fall after "now" is not taken, which is what leaves recent cases open; a small share of recent cases
is stuck (never replied, suspended, waiting for an extension decision…) so that every open status
and red deadlines appear; the first stuck cases are chosen to cover every status even in a small
load. Events carry {"loadgen": true}, so timelines, audits and `loadgen_cases_exist` tell them apart.

How it stays fast (1,000,000 cases in about 16 minutes on PostgreSQL on two cores, the generator and
the server each busy one; bench/similar.py measures it):
- rows are written in batches, each batch one transaction: COPY on PostgreSQL, executemany on SQLite,
  with case ids allocated up front (from the sequence on PostgreSQL, after MAX(id) in the batch's
  write-locked transaction on SQLite), so events, keywords and co-units can refer to them;
- tracking numbers: each month's numbers are reserved at once through `reserve_tracking_numbers`
  (the month's counter or sequence ends at the last number used, so live registrations continue
  after it);
- deadlines: `WorkClock` does the working-time arithmetic of workcal/calendar.py on integer seconds
  over a precomputed day table (a look-up and a bisect instead of datetime work);
- routing (`routing_for`) and deadline rules (`limits_for`) are asked once per distinct question and
  cached: per (category, area), counting only the ancestors some routing rule names, and per
  (demand type, urgency, category);
- texts come from a bounded pool of variants per template and community (`TextBank`); the keywords
  of each distinct (title, description) are computed once with the same function live cases use
  (`case_keywords`) and reused, so they are exactly the keywords of that case's text.

Not written: notifications and SMS (they belong to live work), deadline alerts (the worker raises
the alerts of overdue open cases at its next scan, as it would after an import), attachments.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import json
import random
import time
from collections import ChainMap, Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import translation

from minyi.access.principals import SYSTEM_ACTOR, Citizen
from minyi.analysis.keyword_index import case_keywords
from minyi.analysis.models import CaseKeyword
from minyi.cases.models import Case, CaseEvent
from minyi.cases.services import ANNOTATIONS, QUERY_CODE_ALPHABET, follow_note, reserve_tracking_numbers
from minyi.cases.workflow import CLOCKS, FOLLOW_MASTER, OPERATIONS, TERMINAL, Back, Status
from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.catalog.models import Category, RoutingRule
from minyi.catalog.services import limits_for, routing_for
from minyi.core import clock
from minyi.demo import catalogue, district, texts
from minyi.demo.build import Place, build_reference, random_name, random_phone
from minyi.demo.plans import (
    CHANNEL_WEIGHTS,
    GRID_TOPICS,
    MONTH_VOLUME,
    PLACELESS,
    VISIT_TOPICS,
    Slots,
    _season,
    callback_outcomes,
)
from minyi.knowledge.models import KnowledgeEntry
from minyi.org.models import Area, RoleGrant, Unit
from minyi.org.roles import Role
from minyi.stats import rollups
from minyi.workcal.calendar import WorkCalendar
from minyi.workcal.services import current_calendar

MARKER = "loadgen"  # the key every generated event carries in its data
DEFAULT_YEARS = 3
DEFAULT_SEED = 20260101
BATCH_CASES = 5000
GROWTH_PER_YEAR = 1.12  # demands grow as the hotline becomes known
WEEKEND_SHARE = 0.55  # a weekend day brings about half the demands of a working day
HOLIDAY_SHARE = 0.4  # a statutory holiday on a weekday even fewer
VARIANTS_PER_PLACE = 2  # texts per template and community: bounds the keyword computations
REGULARS_SHARE = 0.06  # demands from people who call again and again
STUCK_WINDOW_DAYS = 60  # cases younger than this may be stuck open
COVERAGE_AGES = (25, 60)  # days: the first stuck cases of this age cover every status
DAY = 86400
MINUTE = 60
ONLINE_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE, Channel.WECHAT})
OFFICE_CHANNELS = frozenset({Channel.GRID, Channel.VISIT, Channel.WINDOW, Channel.PETITION})
SYSTEM_CHANNELS = frozenset({Channel.OPEN311, Channel.API, Channel.IMPORT})
REPEATED_TYPES = frozenset({DemandType.COMPLAINT, DemandType.HELP, DemandType.REPORT})
# Hours at which demands arrive (each listed once per share), by how they arrive: offices keep
# office hours, online channels peak in the evening, the hotline runs from early to late.
OFFICE_HOURS = (8, 9, 9, 10, 10, 10, 11, 14, 14, 15, 15, 16, 16, 17)
ONLINE_HOURS = (0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20, 20, 21, 21, 22, 22, 23)
HOTLINE_HOURS = (7, 8, 8, 9, 9, 9, 10, 10, 10, 11, 11, 13, 14, 14, 15, 15, 16, 16, 17, 18, 19, 20, 21)
# The stuck stops the coverage goes through, one case each (the status each leaves the case in).
COVERAGE = (
    "create",  # received
    "accept",  # accepted
    "assign",  # assigned, its sign-for deadline passed
    "return",  # returned
    "stall",  # handling, red
    "extension",  # extension_requested
    "suspension",  # suspended
    "reply",  # replied
    "callback",  # called back
    "merged",  # a stalled master with a repeat merged into it
    "reject",  # rejected
    "withdraw",  # withdrawn
)


class LoadgenRefused(Exception):
    """The load would mix with an earlier one (or cannot run); the message says what to do."""


# --- working time on integer seconds ---------------------------------------------------------------


class WorkClock:
    """The arithmetic of workcal/calendar.py (working days, working time, due and warning moments)
    on "local seconds" (seconds since 1970-01-01 00:00 on the district's wall clock), over a day table
    computed once from the district's `WorkCalendar`. The zone's offset is taken as fixed (China has
    had no daylight saving time since 1991)."""

    def __init__(self, calendar: WorkCalendar, first: dt.date, last: dt.date, offset: int):
        self.offset = offset
        self.base = (first - dt.date(1970, 1, 1)).days
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        self.workday = [calendar.is_workday(day) for day in days]
        self.holiday = [not w and day.weekday() < 5 for w, day in zip(self.workday, days, strict=True)]
        self.cum = [0]
        for working in self.workday:
            self.cum.append(self.cum[-1] + working)
        self.periods = [
            (p.hour * 3600 + p.minute * 60, q.hour * 3600 + q.minute * 60) for p, q in calendar.periods
        ]
        self.day_length = sum(end - start for start, end in self.periods)
        self.last_end = self.periods[-1][1]
        self.months = [day.strftime("%Y%m") for day in days]

    def index(self, local: int) -> int:
        return local // DAY - self.base

    def _worked_until(self, offset: int) -> int:
        total = 0
        for start, end in self.periods:
            if offset <= start:
                break
            total += min(offset, end) - start
        return total

    def worked(self, local: int) -> int:
        """Working seconds from the table's first day up to `local`."""
        i = local // DAY - self.base
        return self.cum[i] * self.day_length + (self._worked_until(local % DAY) if self.workday[i] else 0)

    def _at_worked(self, total: int) -> int:
        """The earliest moment by which `total` working seconds have been worked (so work ending at
        a period's end stays there, as in WorkCalendar.add_working_time)."""
        days, rest = divmod(total, self.day_length)
        if rest == 0:
            i = bisect.bisect_left(self.cum, days) - 1  # the days-th working day, at its close
            return (self.base + i) * DAY + self.last_end
        i = bisect.bisect_left(self.cum, days + 1) - 1
        for start, end in self.periods:
            if rest <= end - start:
                return (self.base + i) * DAY + start + rest
            rest -= end - start
        raise AssertionError("worked time exceeds the working day")  # pragma: no cover

    def add_working(self, local: int, seconds: float) -> int:
        return self._at_worked(self.worked(local) + int(seconds)) if seconds > 0 else local

    def add_working_days(self, local: int, days: int) -> int:
        """End of the last period of the `days`-th working day after `local`'s date."""
        i = local // DAY - self.base
        j = bisect.bisect_left(self.cum, self.cum[i + 1] + days) - 1
        return (self.base + j) * DAY + self.last_end

    def due_after(self, local: int, limit: int, unit: str) -> int:
        if unit == "working_days":
            return self.add_working_days(local, limit)
        if unit == "working_hours":
            return self.add_working(local, limit * 3600)
        return local + limit * 3600

    def elapsed(self, start: int, end: int, unit: str) -> int:
        if unit == "hours":
            return max(end - start, 0)
        return max(self.worked(end) - self.worked(start), 0)

    def advance(self, start: int, seconds: float, unit: str) -> int:
        return start + int(seconds) if unit == "hours" else self.add_working(start, seconds)

    def warning(self, start: int, due: int, unit: str, fraction: float = 0.8) -> int:
        return self.advance(start, self.elapsed(start, due, unit) * fraction, unit)

    def is_workday(self, local: int) -> bool:
        return self.workday[local // DAY - self.base]

    def previous_workday(self, i: int) -> int:
        while not self.workday[i]:
            i -= 1
        return i


# --- the district: reference data read once --------------------------------------------------------


@dataclass
class Actor:
    """Who an event is by: a user (with the unit they act for) or a label (citizen, system, a role)."""

    user_id: int | None
    label: str
    unit_id: int | None
    name: str = ""  # of a grid worker, who is also the requester of what they report
    phone: str = ""


@dataclass
class District:
    places: list[tuple[Area, Place]]  # where cases happen (grids, or the deepest areas there are)
    communities: dict[int, Area]  # place area id → its community (or itself)
    categories: dict[str, Category]  # leaf categories by code
    units: dict[int, Unit]
    staff: dict[int, list[Actor]]  # unit id → people acting for it, handlers first
    roles: dict[str, list[Actor]]  # role → holders
    grid_workers: dict[int, Actor]  # area id → its grid worker
    visit_secretaries: dict[int, Actor]  # street area id → its visit secretary
    knowledge: dict[str, list[str]]  # category code → answers
    role_labels: dict[str, str]
    citizen: Actor
    system: Actor


def ensure_reference() -> bool:
    """Load the demo's reference data when the database has no places, units or categories yet.
    Returns whether it did."""
    if Area.objects.exists() and Unit.objects.exists() and Category.objects.exists():
        return False
    with transaction.atomic():
        build_reference()
    return True


def read_district() -> District:
    areas = {a.pk: a for a in Area.objects.filter(is_active=True)}
    parents = {a.parent_id for a in areas.values() if a.parent_id}
    leaves = [a for a in areas.values() if a.pk not in parents and a.parent_id]
    deepest = max((a.level for a in leaves), default=None)
    if deepest is None:
        raise LoadgenRefused("The district has no areas below the district itself: add streets and grids.")
    demo_places = _demo_places()
    places = []
    for area in sorted((a for a in leaves if a.level == deepest), key=lambda a: a.path):
        places.append((area, demo_places.get(area.code) or _place_like_demo(area, areas, len(places))))
    categories = {
        c.code: c
        for c in Category.objects.filter(is_active=True).exclude(
            pk__in=Category.objects.filter(parent__isnull=False).values("parent_id")
        )
    }
    if not categories:
        raise LoadgenRefused("The district has no active categories: add the category tree first.")
    with translation.override(
        settings.LANGUAGE_CODE
    ):  # the labels services write, in the district's language
        role_labels = {role.value: str(role.label) for role in Role}
        citizen, system = Actor(None, str(Citizen.label), None), Actor(None, str(SYSTEM_ACTOR.label), None)
    return District(
        places=places,
        communities={a.pk: areas.get(a.parent_id, a) for a, _ in places},
        categories=categories,
        units={u.pk: u for u in Unit.objects.filter(is_active=True)},
        **_people(areas),
        knowledge=_knowledge(),
        role_labels=role_labels,
        citizen=citizen,
        system=system,
    )


def _demo_places() -> dict[str, Place]:
    """The demo's grids by area code, with what the texts need to describe them."""
    found = {}
    for si, street in enumerate(district.STREETS, start=1):
        for ci, community in enumerate(street.communities, start=1):
            for gi in range(1, community.grids + 1):
                found[district.grid_code(si, ci, gi)] = Place(None, community, street)
    return found


def _place_like_demo(area: Area, areas: dict[int, Area], n: int) -> Place:
    """A district's own area, described with the compounds and roads of a demo community (its own
    are not known): the texts then name real-sounding places in it."""
    like = [c for s in district.STREETS for c in s.communities][n % 12]
    community_area = areas.get(area.parent_id, area)
    street_area = areas.get(community_area.parent_id, community_area)
    community = district.Community(
        key=f"area{community_area.pk}",
        name=community_area.name,
        households=community_area.households or like.households,
        grids=1,
        compounds=like.compounds,
        roads=like.roads,
        latitude=like.latitude,
        longitude=like.longitude,
    )
    street = district.Street(f"area{street_area.pk}", street_area.name, "", "", "", "")
    return Place(area, community, street)


def _people(areas: dict[int, Area]) -> dict:
    roles: dict[str, list[Actor]] = {}
    staff: dict[int, list[tuple[bool, Actor]]] = {}
    grid_workers: dict[int, Actor] = {}
    visit_secretaries: dict[int, Actor] = {}
    grants = RoleGrant.objects.filter(user__is_active=True).values_list(
        "role", "user_id", "user__unit_id", "user__area_id", "user__full_name", "user__phone"
    )
    for role, user_id, unit_id, area_id, name, phone in grants.order_by("user_id"):
        actor = Actor(user_id, "", unit_id, name, phone)
        roles.setdefault(role, []).append(actor)
        if role in (Role.UNIT_HANDLER, Role.UNIT_HEAD) and unit_id:
            staff.setdefault(unit_id, []).append((role == Role.UNIT_HEAD, actor))
        elif role == Role.GRID_WORKER and area_id:
            grid_workers[area_id] = actor
        elif role == Role.VISIT_SECRETARY and area_id:
            visit_secretaries[area_id] = actor
    return {
        "roles": roles,
        "staff": {
            unit: [a for _head, a in sorted(people, key=lambda p: p[0])] for unit, people in staff.items()
        },
        "grid_workers": grid_workers,
        "visit_secretaries": visit_secretaries,
    }


def _knowledge() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for code, answer in KnowledgeEntry.objects.filter(category__isnull=False).values_list(
        "category__code", "answer"
    ):
        found.setdefault(code, []).append(answer)
    return found


# --- texts ----------------------------------------------------------------------------------------

GENERIC_TEMPLATE = (
    "complaint help inquiry",
    "{compound}{category}问题",
    "{compound}附近的{category}问题已有{weeks}周，多次向有关方面反映，至今没有解决，影响周边居民生活。",
)


@dataclass
class Variant:
    """One rendering of a template in one community: the slots fix building, road and numbers."""

    types: tuple[str, ...]
    title: str
    body: str
    slots: Slots
    seed: int  # picks the channel opening and the closing, so a variant has few distinct texts


class TextBank:
    """The case texts of the demo, rendered into a bounded pool of variants, and the keywords of
    each distinct text, computed once."""

    def __init__(self, rng: random.Random, categories: dict[str, Category]):
        self.rng = rng
        self.templates = {code: _templates(code, category) for code, category in categories.items()}
        self.names = {code: category.name for code, category in categories.items()}
        self.pool: dict[tuple[str, int, str], list[Variant]] = {}
        self.keywords: dict[tuple[str, str], list[tuple[str, float]]] = {}

    def variant(self, code: str, place: Place, demand_type: str = "") -> Variant:
        templates = self.templates[code]
        if demand_type:
            templates = [t for t in templates if demand_type in t[0].split()] or templates
        index = self.rng.randrange(len(templates))
        key = (code, index, place.community.key)
        variants = self.pool.setdefault(key, [])
        if len(variants) < VARIANTS_PER_PLACE:
            types, title, body = templates[index]
            slots = Slots(self.rng, place)
            slots["category"] = self.names[code]  # for the generic template
            variants.append(
                Variant(
                    tuple(types.split()),
                    title.format_map(slots),
                    body.format_map(slots),
                    slots,
                    self.rng.randrange(1 << 16),
                )
            )
            return variants[-1]
        return self.rng.choice(variants)

    def description(self, variant: Variant, channel: str, demand_type: str, *, again: bool = False) -> str:
        openings = texts.CHANNEL_OPENINGS.get(channel) or ("",)
        closings = texts.DEMAND_CLOSINGS.get(demand_type) or ("",)
        opening = "再次反映：" if again else openings[variant.seed % len(openings)]
        return opening + variant.body + closings[variant.seed // 7 % len(closings)]

    def keywords_of(self, title: str, description: str) -> list[tuple[str, float]]:
        key = (title, description)
        found = self.keywords.get(key)
        if found is None:
            found = self.keywords[key] = [(_intern(t), w) for t, w in case_keywords(title, description)]
        return found


_TERMS: dict[str, str] = {}


def _intern(term: str) -> str:
    return _TERMS.setdefault(term, term)


def _templates(code: str, category: Category) -> list[tuple[str, str, str]]:
    """The demo's templates of the category (by code, else by name), else a generic one."""
    if code in texts.CASE_TEXTS:
        return list(texts.CASE_TEXTS[code])
    for demo_code, name in catalogue.third_level_codes():
        if name == category.name and demo_code in texts.CASE_TEXTS:
            return list(texts.CASE_TEXTS[demo_code])
    return [GENERIC_TEMPLATE]


# --- the stream of received times -----------------------------------------------------------------


def received_stream(
    rng: random.Random, wc: WorkClock, count: int, first_day: int, now: int
) -> list[tuple[int, str]]:
    """`count` (local second, channel) pairs in time order: a day drawn by its weight (working day,
    weekend, holiday, month, growth), a channel, and an hour of the channel's daily curve."""
    last_day = now // DAY - wc.base
    days = list(range(first_day, last_day + 1))
    weights = []
    for i in days:
        month = int(wc.months[i][4:])
        kind = 1.0 if wc.workday[i] else HOLIDAY_SHARE if wc.holiday[i] else WEEKEND_SHARE
        weights.append(kind * MONTH_VOLUME.get(month, 1.0) * GROWTH_PER_YEAR ** ((i - first_day) / 365))
    weights[-1] *= (now % DAY) / DAY  # today so far
    channels = list(CHANNEL_WEIGHTS)
    drawn_days = rng.choices(days, weights=weights, k=count)
    drawn_channels = rng.choices(range(len(channels)), weights=list(CHANNEL_WEIGHTS.values()), k=count)
    latest = now - 5 * MINUTE
    moments = []
    for i, c in zip(drawn_days, drawn_channels, strict=True):
        channel = channels[c]
        if channel in OFFICE_CHANNELS:
            i = wc.previous_workday(i)
            hour = rng.choice(OFFICE_HOURS)
            second = hour * 3600 + (rng.randrange(1800, 3600) if hour == 8 else rng.randrange(3600))
        else:
            hour = rng.choice(
                ONLINE_HOURS if channel in ONLINE_CHANNELS or channel in SYSTEM_CHANNELS else HOTLINE_HOURS
            )
            second = hour * 3600 + rng.randrange(3600)
        moment = (wc.base + i) * DAY + second
        if moment > latest:  # later today than now: some time earlier today instead
            midnight = latest - latest % DAY
            moment = midnight + int((latest - midnight) * rng.random())
        moments.append(moment * len(channels) + c)  # one int per case sorts fast and small
    moments.sort()
    return [(m // len(channels), channels[m % len(channels)]) for m in moments]


# --- one case's story ------------------------------------------------------------------------------


class NotYet(Exception):
    """The next step lies after now: the case stays where it is."""


SOURCES = {name: op.sources for name, op in OPERATIONS.items()}


class Story:
    """A case being played: its columns, its status and its events, each step checked against the
    workflow. Times are local seconds (see WorkClock)."""

    def __init__(self, case: dict, now: int):
        self.case = case
        self.now = now
        self.status = Status.RECEIVED
        self.last = case["received_at"]
        self.events: list[tuple] = []

    def step(self, op: str, at: int, actor: Actor, note: str = "", data: dict | None = None) -> int:
        at = max(at, self.last)
        if at > self.now:
            raise NotYet
        assert self.status in SOURCES[op], (op, self.status)
        target = OPERATIONS[op].target
        if target is Back.PREVIOUS:
            target = Status(self.case["suspended_from"])
        elif target is Back.TO_HANDLER:
            target = Status.HANDLING if self.case["lead_unit_id"] else Status.ACCEPTED
        to = target if target is not None and target != self.status else ""
        payload = {MARKER: True, **(data or {})}
        self.events.append((op, self.status, to, actor, note, payload, at))
        if target is not None:
            self.status = target
        if op not in ANNOTATIONS:
            self.case["version"] += 1
        if self.status in TERMINAL and self.case["closed_at"] is None:
            self.case["closed_at"] = at
        self.last = at
        return at


@dataclass
class Plan:
    """What happens to one case, drawn before it is played (see plans.Plan for the demo's)."""

    path: str = "handled"  # handled | answer | reject | withdraw | repeat
    stop: str = ""  # a stuck stop of COVERAGE
    classified: bool = True
    intake_category: str = ""
    misrouted: bool = False
    upheld: bool = False
    extension: str = ""  # approved | denied | pending
    suspension: str = ""  # resumed | stays
    late_sign: bool = False
    late: bool = False
    stall: bool = False
    remind: bool = False
    instruct: bool = False
    callbacks: list[str] = field(default_factory=list)
    repeats: int = 0


SIGNED = dict(sign_due_at=None, sign_warn_at=None, sign_limit=None, sign_unit="")  # the sign clock stops


@dataclass
class Master:
    """What a repeat needs of the case it is merged into: its columns and its events, which the
    repeat follows (workflow.FOLLOW_MASTER)."""

    case: dict
    variant: Variant
    events: list[tuple]  # (operation, from, to, actor, note, data, at), in time order
    count: int  # repeats still to come


@dataclass
class Batch:
    cases: list[dict] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    keywords: list[tuple] = field(default_factory=list)
    co_units: list[tuple] = field(default_factory=list)


class CaseMaker:
    """Draws and plays the cases of the stream, one after the other, in time order."""

    def __init__(self, d: District, wc: WorkClock, rng: random.Random, now: int, count: int):
        self.d, self.wc, self.rng, self.now = d, wc, rng, now
        self.bank = TextBank(rng, d.categories)
        self.unit_codes = {u.code: u.pk for u in d.units.values()}
        self.codes = sorted(d.categories)
        self._category_weights: dict[tuple[int, str], list[float]] = {}
        self.routing: dict[tuple, tuple[int, tuple[int, ...]] | None] = {}
        rules = RoutingRule.objects.filter(is_active=True)
        self.ruled = (
            set(rules.exclude(category=None).values_list("category_id", flat=True)),
            set(rules.exclude(area=None).values_list("area_id", flat=True)),
        )
        self.limits: dict[tuple[str, str, str], tuple[int, str, int, str]] = {}
        people = max(40, count // 200)  # people who call again and again
        self.regulars = [(random_name(rng), random_phone(rng)) for _ in range(people)]
        self.pending: deque[Master] = deque()
        self.coverage = list(COVERAGE)

    # --- drawing --------------------------------------------------------------------------------

    def category(self, month: int, channel: str) -> str:
        group = "grid" if channel == Channel.GRID else "visit" if channel == Channel.VISIT else ""
        weights = self._category_weights.get((month, group))
        if weights is None:
            topics = GRID_TOPICS if group == "grid" else VISIT_TOPICS if group == "visit" else None
            weights = [
                catalogue.WEIGHT.get(c, 1.0)
                * _season(c, month)
                * (1 if not topics or c.startswith(topics) else 0.02)
                for c in self.codes
            ]
            self._category_weights[(month, group)] = weights
        return self.rng.choices(self.codes, weights=weights)[0]

    def plan(self, demand_type: str, channel: str, urgency: str, age_days: float) -> Plan:
        """The path and side paths, at the demo's rates (plans.Planner.choose_path)."""
        rng = self.rng
        p = Plan()
        draw = rng.random()
        on_the_spot = (channel == Channel.GRID and draw < 0.22) or (  # settled on patrol, or at the phone
            demand_type == DemandType.INQUIRY and draw < 0.45 and channel in (Channel.HOTLINE, Channel.WINDOW)
        )
        if on_the_spot:
            p.path = "answer"
        elif draw > 0.97:
            p.path = "reject"
        elif draw > 0.95:
            p.path = "withdraw"
        p.classified = (
            channel in (Channel.HOTLINE, Channel.WINDOW, Channel.GRID, Channel.VISIT) and rng.random() < 0.85
        )
        if p.path != "handled":
            p.callbacks = self.callbacks(reopen=False)
            return p
        p.misrouted = rng.random() < 0.05
        p.upheld = not p.misrouted and rng.random() < 0.02
        if rng.random() < 0.06:
            p.extension = "approved" if rng.random() < 0.7 else "denied"
        if rng.random() < 0.012:
            p.suspension = "resumed"
        p.late_sign = rng.random() < 0.05
        p.late = rng.random() < (0.25 if p.extension == "denied" else 0.09)
        p.remind = rng.random() < 0.12
        p.instruct = urgency == Urgency.MAJOR or rng.random() < 0.01
        p.callbacks = self.callbacks(reopen=True)
        if demand_type in REPEATED_TYPES and rng.random() < 0.07:
            p.repeats = rng.choice((1, 1, 2, 3))
        if age_days < STUCK_WINDOW_DAYS:
            self._maybe_stuck(p, age_days)
        return p

    def _maybe_stuck(self, p: Plan, age_days: float) -> None:
        """Recent cases that have not moved on (yet): the open statuses and the red lights."""
        rng = self.rng
        if COVERAGE_AGES[0] <= age_days <= COVERAGE_AGES[1] and self.coverage:
            self._cover(p, self.coverage.pop(0))
            return
        draw = rng.random()
        if age_days > 5 and draw < 0.05:
            p.stall = True  # never replied: handling, past its deadline
        elif draw < 0.055:
            p.suspension = "stays"
        elif p.extension and age_days < 20 and draw < 0.2:
            p.extension = "pending"
        elif p.misrouted and age_days < 10 and draw < 0.3:
            p.stop = "return"
        elif p.late_sign and age_days < 8 and draw < 0.3:
            p.stop = "assign"
        elif age_days < 20 and draw < 0.08:
            p.stop = rng.choice(("create", "accept", "reply", "reply", "callback"))

    def _cover(self, p: Plan, stop: str) -> None:
        if stop in ("reject", "withdraw"):
            p.path, p.callbacks = stop, self.callbacks(reopen=False)
        elif stop == "stall":
            p.stall = True
        elif stop == "extension":
            p.extension = "pending"
        elif stop == "suspension":
            p.suspension = "stays"
        elif stop == "merged":
            p.stall, p.repeats = True, 1
        elif stop == "return":
            p.misrouted, p.stop = True, "return"
        else:
            p.stop = stop
        if stop != "merged":
            p.repeats = 0

    def callbacks(self, *, reopen: bool) -> list[str]:
        return callback_outcomes(self.rng, reopen=reopen)

    def route(self, category: Category, area: Area | None) -> tuple[int, tuple[int, ...]] | None:
        """routing_for, asked once per distinct question: only the ancestors that some rule names
        decide the answer, so all grids of a community without rules of its own share one."""
        key = (
            tuple(c for c in category.ancestor_ids() if c in self.ruled[0]),
            tuple(a for a in area.ancestor_ids() if a in self.ruled[1]) if area else (),
        )
        if key not in self.routing:
            found = routing_for(category=category, area=area)
            self.routing[key] = (found.lead_unit.pk, tuple(u.pk for u in found.co_units)) if found else None
        return self.routing[key]

    def limits_of(self, case: dict) -> tuple[int, str, int, str]:
        key = (case["demand_type"], case["urgency"], case["_code"])
        if key not in self.limits:
            found = limits_for(demand_type=key[0], urgency=key[1], category=self.d.categories[key[2]])
            self.limits[key] = (found.sign_limit, found.sign_unit, found.handle_limit, found.handle_unit)
        return self.limits[key]

    # --- one case -------------------------------------------------------------------------------

    def make(self, case_id: int, number: str, received: int, channel: str, batch: Batch) -> None:
        master = self.pending[0] if self.pending else None
        if master is not None:
            master.count -= 1
            if master.count == 0:
                self.pending.popleft()
            case, variant, plan = self.draw_repeat(master, case_id, number, received, channel)
        else:
            case, variant, plan = self.draw(case_id, number, received, channel)
        story = Story(case, self.now)
        with contextlib.suppress(NotYet):  # the rest lies after now
            PATHS[plan.path](self, story, plan, variant, master)
        if plan.path == "handled" and plan.repeats:
            self.pending.append(Master(case, variant, story.events, plan.repeats))
        self.finish(story, batch)

    def draw(self, case_id: int, number: str, received: int, channel: str) -> tuple[dict, Variant, Plan]:
        rng, d = self.rng, self.d
        month = int(self.wc.months[self.wc.index(received)][4:])
        code = self.category(month, channel)
        area, place = rng.choice(d.places)
        variant = self.bank.variant(code, place)
        demand_type = rng.choice(variant.types)
        draw = rng.random()
        if draw < catalogue.MAJOR_SHARE.get(code, 0.002):
            urgency = Urgency.MAJOR
        elif draw < catalogue.URGENT_SHARE.get(code, catalogue.DEFAULT_URGENT):
            urgency = Urgency.URGENT
        else:
            urgency = Urgency.NORMAL
        if channel in (Channel.GRID, Channel.VISIT):
            located = area
        elif code.startswith(PLACELESS) and rng.random() < 0.6:
            located = None
        else:
            located = area if rng.random() < 0.85 else d.communities[area.pk]
        case = self.new_case(
            case_id, number, received, channel, demand_type, urgency, code, located, area, place
        )
        case["title"] = variant.title
        case["description"] = self.bank.description(variant, channel, demand_type)
        case["address"] = variant.slots.address() if located else ""
        self.requester(case, channel, demand_type, area)
        plan = self.plan(demand_type, channel, urgency, (self.now - received) / DAY)
        if not plan.classified and plan.path == "handled" and rng.random() < 0.04:
            siblings = [c for c in self.codes if c[:4] == code[:4] and c != code]
            plan.classified, plan.intake_category = True, rng.choice(siblings) if siblings else ""
        if plan.classified or plan.path == "answer":
            case["category_id"] = d.categories[plan.intake_category or code].pk
        return case, variant, plan

    def draw_repeat(self, m: Master, case_id: int, number: str, received: int, channel: str):
        """Another person (or the same one again) reporting the master's problem in its words."""
        if channel not in (Channel.HOTLINE, Channel.WECHAT, Channel.MOBILE, Channel.WEB):
            channel = Channel.HOTLINE
        mc = m.case
        what = (mc["demand_type"], mc["urgency"], mc["_code"], mc["_area"], mc["_place_area"], mc["_place"])
        case = self.new_case(case_id, number, received, channel, *what)
        case["category_id"] = mc["category_id"]
        case["title"], case["address"] = mc["title"], mc["address"]
        again = self.rng.random() < 0.3 and not mc["is_anonymous"]
        case["description"] = self.bank.description(m.variant, channel, mc["demand_type"], again=again)
        if again:
            case["requester_name"], case["requester_phone"] = mc["requester_name"], mc["requester_phone"]
        else:
            self.requester(case, channel, mc["demand_type"], mc["_place_area"])
        return case, m.variant, Plan(path="repeat", callbacks=self.callbacks(reopen=False))

    def new_case(
        self, case_id, number, received, channel, demand_type, urgency, code, area, place_area, place
    ):
        rng = self.rng
        community = place.community
        located = area is not None
        return {
            "id": case_id,
            "tracking_number": number,
            "query_code": "".join(rng.choices(QUERY_CODE_ALPHABET, k=6)),
            "channel": channel,
            "demand_type": demand_type,
            "urgency": urgency,
            "area_id": area.pk if area else None,
            "latitude": f"{community.latitude + rng.uniform(-0.004, 0.004):.6f}" if located else None,
            "longitude": f"{community.longitude + rng.uniform(-0.005, 0.005):.6f}" if located else None,
            "is_anonymous": False,
            "is_confidential": demand_type == DemandType.REPORT,
            "needs_contact": demand_type in (DemandType.COMPLAINT, DemandType.HELP) and rng.random() < 0.5,
            "category_id": None,
            "lead_unit_id": None,
            "status": Status.RECEIVED,
            "version": 1,
            "received_at": received,
            "closed_at": None,
            "reply_text": "",
            "rework_count": 0,
            "return_count": 0,
            "extension_count": 0,
            "remind_count": 0,
            "supervision_level": 0,
            "external_id": f"{channel.upper()}-{case_id}" if channel in SYSTEM_CHANNELS else "",
            "_code": code,
            "_area": area,
            "_place_area": place_area,
            "_place": place,
            "_co_units": (),
        }

    def requester(self, case: dict, channel: str, demand_type: str, place_area: Area) -> None:
        rng = self.rng
        if channel == Channel.GRID and place_area.pk in self.d.grid_workers:
            worker = self.d.grid_workers[place_area.pk]
            case["requester_name"], case["requester_phone"] = worker.name, worker.phone
            case["created_by_id"] = worker.user_id
            return
        anonymous = rng.random() < (0.3 if demand_type == DemandType.REPORT else 0.04)
        if rng.random() < REGULARS_SHARE:
            name, phone = rng.choice(self.regulars)
        else:
            name, phone = random_name(rng), random_phone(rng)
        if anonymous:
            name, phone = "", phone if channel == Channel.HOTLINE else ""
        case["requester_name"], case["requester_phone"], case["is_anonymous"] = name, phone, anonymous

    # --- who acts -------------------------------------------------------------------------------

    def holder(self, *roles: str) -> Actor:
        for role in roles:
            people = self.d.roles.get(role)
            if people:
                return self.rng.choice(people)
        return Actor(None, self.d.role_labels[roles[0]], None)

    def staff(self, unit_id: int) -> Actor:
        """Someone acting for the unit: mostly its handler, sometimes its head."""
        people = self.d.staff.get(unit_id)
        if not people:
            return Actor(None, self.d.role_labels[Role.UNIT_HANDLER], unit_id)
        return people[-1] if len(people) > 1 and self.rng.random() < 0.15 else people[0]

    def registrar(self, case: dict) -> Actor:
        channel = case["channel"]
        if channel == Channel.GRID:
            return self.d.grid_workers.get(case["_place_area"].pk) or self.holder(Role.GRID_WORKER)
        if channel == Channel.VISIT:
            street = self.d.communities[case["_place_area"].pk].parent_id
            return self.d.visit_secretaries.get(street) or self.holder(Role.VISIT_SECRETARY)
        if channel in ONLINE_CHANNELS:
            return self.d.citizen
        if channel in SYSTEM_CHANNELS:
            return self.d.system
        return self.holder(Role.OPERATOR)

    # --- time -----------------------------------------------------------------------------------

    def intake(self, case: dict, t: int, lo: float, hi: float) -> int:
        """The centre's next step: round the clock for urgent cases, else in office hours."""
        minutes = self.rng.uniform(lo, hi)
        if case["urgency"] != Urgency.NORMAL:
            return t + int((minutes / 4 + 2) * MINUTE)
        return self.wc.add_working(t, minutes * MINUTE)

    def unit_time(self, case: dict, t: int, minutes: float) -> int:
        if case.get("handle_unit") == "hours":
            return t + int((minutes / 6 + 5) * MINUTE)
        return self.wc.add_working(t, minutes * MINUTE)

    def fraction(self, case: dict, share: float, after: int) -> int:
        start, due, unit = case["handle_started_at"], case["handle_due_at"], case["handle_unit"]
        moment = self.wc.advance(start, self.wc.elapsed(start, due, unit) * share, unit)
        return max(moment, self.unit_time(case, after, 10))

    # --- writing the result ---------------------------------------------------------------------

    def finish(self, story: Story, batch: Batch) -> None:
        case = story.case
        case["status"] = story.status
        case["alert_at"] = _next_alert(case, story.status)
        case_id = case["id"]
        batch.cases.append(case)
        for op, from_status, to_status, actor, note, data, at in story.events:
            batch.events.append((case_id, op, from_status, to_status, actor, note, data, at))
        received = case["received_at"]
        for term, weight in self.bank.keywords_of(case["title"], case["description"]):
            batch.keywords.append((case_id, term, weight, received))
        for unit_id in case["_co_units"]:
            batch.co_units.append((case_id, unit_id))

    def note(self, choices: Iterable[str], slots: Slots, **extra: str) -> str:
        return self.rng.choice(tuple(choices)).format_map(ChainMap(extra, slots))


def _draw(rng: random.Random, table) -> str:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def _next_alert(case: dict, status: str) -> int | None:
    """deadlines.next_alert_at on the generated columns: the next yellow or red moment."""
    moments = []
    for c in CLOCKS.get(status, ()):
        due = case.get(f"{c}_due_at")
        if due is not None:
            moments += [case[f"{c}_warn_at"], due + 1]
    return min(moments, default=None)


# --- the paths (stories.py, on generated columns) -------------------------------------------------


def _register(m: CaseMaker, s: Story) -> int:
    case = s.case
    actor = m.registrar(case)
    case.setdefault("created_by_id", actor.user_id)
    s.events.append(
        (
            "create",
            "",
            Status.RECEIVED,
            actor,
            "",
            {MARKER: True, "channel": case["channel"]},
            case["received_at"],
        )
    )
    return case["received_at"]


def _accept(m: CaseMaker, s: Story, p: Plan, t: int, dispatcher: Actor) -> int:
    case = s.case
    data = {}
    if not p.classified:
        case["category_id"] = m.d.categories[case["_code"]].pk
        data["category"] = case["_code"]
    s.step("accept", t, dispatcher, data=data)
    case["accepted_at"] = t
    return t


def _hand_to(m: CaseMaker, s: Story, op: str, t: int, actor: Actor, lead: int, co: tuple[int, ...]) -> None:
    """assign / reassign: the units and both clocks start (services._hand_to)."""
    case, wc = s.case, m.wc
    _sign_limit, _sign_unit, handle_limit, handle_unit = m.limits_of(case)
    previous = case["lead_unit_id"]
    case.update(lead_unit_id=lead, assigned_at=t, signed_at=None, signed_on_time=None, _co_units=co)
    case.update(handle_limit=handle_limit, handle_unit=handle_unit, handle_started_at=t)
    case["handle_due_at"] = case["handle_due_original_at"] = wc.due_after(t, handle_limit, handle_unit)
    case["handle_warn_at"] = wc.warning(t, case["handle_due_at"], handle_unit)
    _sign_clock(m, case, t)
    data = {
        "lead_unit": lead,
        "lead_unit_name": m.d.units[lead].name,
        "co_units": list(co),
        "sign_due_at": _iso(case["sign_due_at"], wc),
        "handle_due_at": _iso(case["handle_due_at"], wc),
        "limit": f"{handle_limit} {handle_unit}",
    }
    if op == "reassign":
        data["previous_lead_unit"] = previous
    s.step(op, t, actor, data=data)


def _sign_clock(m: CaseMaker, case: dict, t: int) -> None:
    sign_limit, sign_unit, _h, _u = m.limits_of(case)
    case.update(sign_limit=sign_limit, sign_unit=sign_unit)
    case["sign_due_at"] = m.wc.due_after(t, sign_limit, sign_unit)
    case["sign_warn_at"] = m.wc.warning(t, case["sign_due_at"], sign_unit)


def handled(m: CaseMaker, s: Story, p: Plan, v: Variant, _master) -> None:
    """The main loop: accept, assign, (return), sign for, handle, reply, callback, archive."""
    case, rng = s.case, m.rng
    t = _register(m, s)
    if p.stop == "create":
        return
    dispatcher = m.holder(Role.DISPATCHER)
    t = _accept(m, s, p, m.intake(case, t, 5, 90), dispatcher)
    if p.intake_category:
        t = s.step("classify", m.intake(case, t, 1, 10), dispatcher, data={"category": case["_code"]})
        case["category_id"] = m.d.categories[case["_code"]].pk
    if p.stop == "accept":
        return
    routing = m.route(m.d.categories[case["_code"]], case["_area"])
    if routing is None:  # no rule in the routing catalogue: the centre answers it itself
        _answer(m, s, p, v, t)
        return
    right, co = routing
    wrong = _wrong_unit(m, right) if p.misrouted else None
    wrong = wrong if wrong != right else None  # a district of one unit cannot misroute
    t = m.intake(case, t, 1, 30)
    _hand_to(m, s, "assign", t, dispatcher, wrong or right, () if wrong else co)
    if p.stop == "assign":
        return
    if wrong or p.upheld:
        t = m.unit_time(case, t, rng.uniform(30, 300))
        topic = m.d.categories[case["_code"]].name
        notes = texts.RETURN_NOTES if wrong else texts.UPHOLD_RETURN_NOTES
        note = m.note(notes, v.slots, topic=topic, right=m.d.units[right].name)
        t = s.step("return", t, m.staff(case["lead_unit_id"]), note, {"lead_unit": case["lead_unit_id"]})
        case["return_count"] += 1
        if p.stop == "return":
            return
        t = m.intake(case, t, 10, 120)
        if wrong:
            _hand_to(m, s, "reassign", t, dispatcher, right, co)
        else:
            _sign_clock(m, case, t)
            case["signed_at"] = case["signed_on_time"] = None
            s.step("uphold", t, dispatcher, m.note(texts.UPHOLD_NOTES, v.slots, topic=topic))
    if p.late_sign:
        t = m.unit_time(case, max(t, case["sign_due_at"]), rng.uniform(30, 300))
    else:
        t = min(
            m.unit_time(case, t, rng.uniform(10, 240)), max(t + MINUTE, case["sign_due_at"] - 10 * MINUTE)
        )
    on_time = t <= case["sign_due_at"]
    t = s.step("sign_for", t, m.staff(case["lead_unit_id"]), data={"on_time": on_time})
    case.update(
        signed_at=t,
        signed_on_time=on_time,
        sign_due_at=None,
        sign_warn_at=None,
        sign_limit=None,
        sign_unit="",
    )
    t = _handling(m, s, p, v, t)
    if t is not None and p.stop != "reply":
        _callbacks(m, s, p, v, t, may_reopen=True)


def _wrong_unit(m: CaseMaker, right: int) -> int:
    """The unit a dispatcher mistakes for the right one (catalogue.CONFUSED_WITH), else any other."""
    code = catalogue.CONFUSED_WITH.get(m.d.units[right].code, "urban")
    if m.unit_codes.get(code, right) != right:
        return m.unit_codes[code]
    others = [pk for pk in m.d.units if pk != right]
    return m.rng.choice(others) if others else right


def _handling(m: CaseMaker, s: Story, p: Plan, v: Variant, t: int, *, rework: bool = False) -> int | None:
    """From sign-for (or reopening) to the reply; the time of the reply, or None if it stops short."""
    case, rng, wc = s.case, m.rng, m.wc
    lead = case["lead_unit_id"]
    if p.suspension and not rework:
        t = s.step(
            "suspend",
            m.fraction(case, rng.uniform(0.15, 0.4), t),
            m.holder(Role.DISPATCHER),
            m.note(texts.SUSPEND_NOTES, v.slots),
        )
        case.update(suspended_at=t, suspended_from=Status.HANDLING)
        if p.suspension == "stays":
            return None
        resumed = wc.add_working(t, rng.uniform(3, 15) * 480 * MINUTE)
        if resumed > s.now:
            raise NotYet
        _shift_for_pause(m, case, t, resumed)
        data = {
            "resumed_to": Status.HANDLING,
            "suspended_at": _iso(t, wc),
            "handle_due_at": _iso(case["handle_due_at"], wc),
        }
        t = s.step("resume", resumed, m.holder(Role.DISPATCHER), data=data)
        case.update(suspended_at=None, suspended_from="")
    if not rework:
        for unit_id in case["_co_units"]:
            note = m.note(texts.CO_REPLY_NOTES, v.slots, lead=m.d.units[lead].name)
            t = s.step("co_reply", m.fraction(case, rng.uniform(0.1, 0.5), t), m.staff(unit_id), note)
        if p.remind and case["handle_warn_at"] > t:
            t = s.step(
                "remind",
                wc.add_working(case["handle_warn_at"], rng.uniform(5, 90) * MINUTE),
                m.holder(Role.SUPERVISOR, Role.DISPATCHER),
            )
            case["remind_count"] += 1
        if p.extension:
            t = _extension(m, s, p, v, t)
    due = case["handle_due_at"]
    if rework or not p.stall:
        if p.late and not rework:
            reply_at = m.unit_time(case, due, rng.uniform(120, 2400))
        else:
            reply_at = m.fraction(case, rng.uniform(0.12, 0.95), t)
    else:
        reply_at = None
    if (p.late or p.stall) and not rework:
        t = _supervise(m, s, p, v, t, due, reply_at)
    elif p.instruct and not rework:
        t = _instruct(m, s, v, wc.add_working(t, rng.uniform(30, 240) * MINUTE))
    if reply_at is None:
        return None
    at = max(reply_at, t + MINUTE)
    on_time = at <= case["handle_due_at"]
    text = _reply_text(m, s, v, at)
    t = s.step("reply", at, m.staff(lead), text, {"on_time": on_time})
    case.update(replied_at=t, replied_on_time=on_time, extension_days_requested=None, reply_text=text)
    return t


def _extension(m: CaseMaker, s: Story, p: Plan, v: Variant, t: int) -> int:
    case, rng, wc = s.case, m.rng, m.wc
    asked = m.fraction(case, rng.uniform(0.5, 0.75), t)
    if asked >= case["handle_due_at"]:
        return t  # too late to ask: an extension must be requested before the deadline
    days = rng.choice((3, 5, 5, 7, 10))
    note = m.note(texts.EXTENSION_NOTES, v.slots)
    t = s.step("request_extension", asked, m.staff(case["lead_unit_id"]), note, {"days": days})
    case["extension_days_requested"] = days
    if p.extension == "pending":
        raise NotYet  # the centre has not decided yet: extension_requested
    t = wc.add_working(t, rng.uniform(60, 300) * MINUTE)
    dispatcher = m.holder(Role.DISPATCHER)
    if p.extension == "approved":
        before = case["handle_due_at"]
        case["handle_due_at"] = wc.add_working_days(before, days)
        case["handle_warn_at"] = wc.warning(
            case["handle_started_at"], case["handle_due_at"], case["handle_unit"]
        )
        data = {
            "days": days,
            "handle_due_before": _iso(before, wc),
            "handle_due_at": _iso(case["handle_due_at"], wc),
        }
        t = s.step("approve_extension", t, dispatcher, data=data)
        case["extension_count"] += 1
    else:
        t = s.step("deny_extension", t, dispatcher, m.note(texts.DENY_NOTES, v.slots))
    case["extension_days_requested"] = None
    return t


def _shift_for_pause(m: CaseMaker, case: dict, paused_from: int, paused_to: int) -> None:
    for c in ("sign", "handle"):
        unit, due = case.get(f"{c}_unit"), case.get(f"{c}_due_at")
        if not unit or due is None:
            continue
        paused = m.wc.elapsed(paused_from, paused_to, unit)
        case[f"{c}_due_at"] = m.wc.advance(due, paused, unit)
        case[f"{c}_warn_at"] = m.wc.advance(case[f"{c}_warn_at"], paused, unit)


def _supervise(m: CaseMaker, s: Story, p: Plan, v: Variant, t: int, due: int, reply_at: int | None) -> int:
    """The supervisor follows an overdue case: ordinary, then yellow card, then red card."""
    for minutes, level, number in ((90, "ordinary", 1), (720, "yellow", 2), (2400, "red", 3)):
        when = m.wc.add_working(due, minutes * MINUTE)
        if (reply_at is not None and when >= reply_at) or (level == "red" and not p.stall):
            break
        t = s.step(
            "supervise",
            max(t + MINUTE, when),
            m.holder(Role.SUPERVISOR),
            m.note(texts.SUPERVISE_NOTES[level], v.slots),
            {"level": number},
        )
        s.case["supervision_level"] = max(s.case["supervision_level"], number)
        if level == "red" and p.instruct:
            t = _instruct(m, s, v, m.wc.add_working(t, m.rng.uniform(60, 480) * MINUTE))
    return t


def _instruct(m: CaseMaker, s: Story, v: Variant, t: int) -> int:
    unit = m.d.units[s.case["lead_unit_id"]].name
    return s.step("instruct", t, m.holder(Role.LEADER), m.note(texts.INSTRUCT_NOTES, v.slots, unit=unit))


def _reply_text(m: CaseMaker, s: Story, v: Variant, at: int) -> str:
    case = s.case
    day = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + at // DAY)
    extra = {"date": f"{day.month}月{day.day}日", "unit": m.d.units[case["lead_unit_id"]].name}
    code = case["_code"]
    if case["demand_type"] == DemandType.PRAISE:
        return m.note(texts.PRAISE_REPLIES, v.slots, **extra)
    if case["demand_type"] == DemandType.SUGGESTION:
        return m.note(texts.SUGGESTION_REPLIES, v.slots, **extra)
    if case["demand_type"] == DemandType.INQUIRY:
        answers = _knowledge_for(m, code)
        if answers:
            return texts.INQUIRY_REPLY.format(answer=m.rng.choice(answers))
    replies = (
        texts.REPLIES.get(code) or texts.REPLIES.get(code[:4]) or ("已按职责核实处理，并向诉求人反馈。",)
    )
    return m.note(replies, v.slots, **extra)


def _knowledge_for(m: CaseMaker, code: str) -> list[str]:
    for prefix in (code, code[:4], code[:2]):
        if prefix in m.d.knowledge:
            return m.d.knowledge[prefix]
    return []


def _callbacks(m: CaseMaker, s: Story, p: Plan, v: Variant, t: int, *, may_reopen: bool) -> None:
    """回访 (as often as planned), 重办 after a dissatisfied one if planned, then 归档 and 评价."""
    case, rng, wc = s.case, m.rng, m.wc
    for i, outcome in enumerate(p.callbacks):
        last = i == len(p.callbacks) - 1
        t = wc.add_working(t, rng.uniform(240, 1440 if i == 0 else 960) * MINUTE)
        agent = m.holder(Role.CALLBACK_AGENT)
        resolved = {"satisfied": True, "basically_satisfied": rng.random() < 0.8, "dissatisfied": False}.get(
            outcome
        )
        t = s.step("callback", t, agent, data={"satisfaction": outcome, "resolved": resolved})
        case["satisfaction"], case["resolved"] = outcome, resolved
        if p.stop == "callback":
            return
        if outcome == "dissatisfied" and not last and may_reopen:
            t = s.step(
                "reopen",
                wc.add_working(t, rng.uniform(20, 240) * MINUTE),
                agent,
                m.note(texts.REOPEN_NOTES, v.slots),
                {"rework": case["rework_count"] + 1},
            )
            case["rework_count"] += 1
            case.update(satisfaction="", resolved=None, replied_at=None, replied_on_time=None)
            _restart_handling(m, case, t)
            s.events[-1][5]["handle_due_at"] = _iso(case["handle_due_at"], wc)
            t = _handling(m, s, p, v, t, rework=True)
    final = p.callbacks[-1]
    notes = {"dissatisfied": texts.ARCHIVE_DISSATISFIED_NOTES, "unreachable": texts.ARCHIVE_UNREACHABLE_NOTES}
    note = m.note(notes[final], v.slots) if final in notes else ""
    archivist = m.holder(Role.DISPATCHER if rng.random() < 0.3 else Role.CALLBACK_AGENT)
    t = s.step("archive", wc.add_working(t, rng.uniform(10, 480) * MINUTE), archivist, note)
    if case["channel"] in ONLINE_CHANNELS and rng.random() < 0.5:
        stars = {"satisfied": 5, "basically_satisfied": 4, "dissatisfied": 2, "unreachable": 3}[final]
        t = s.step(
            "rate", wc.add_working(t, rng.uniform(60, 2880) * MINUTE), m.d.citizen, data={"stars": stars}
        )
        case["citizen_rating"], case["citizen_rated_at"] = stars, t


def _restart_handling(m: CaseMaker, case: dict, t: int) -> None:
    """A reopened case: the handling clock starts again, without a sign-for clock."""
    _s, _u, handle_limit, handle_unit = m.limits_of(case)
    case.update(handle_limit=handle_limit, handle_unit=handle_unit, handle_started_at=t)
    case["handle_due_at"] = case["handle_due_original_at"] = m.wc.due_after(t, handle_limit, handle_unit)
    case["handle_warn_at"] = m.wc.warning(t, case["handle_due_at"], handle_unit)
    case.update(sign_limit=None, sign_unit="", sign_due_at=None, sign_warn_at=None)


def answered(m: CaseMaker, s: Story, p: Plan, v: Variant, _master, t: int | None = None) -> None:
    """直接办结: the operator answers from the knowledge base, or the grid worker settles it."""
    if t is None:
        t = _register(m, s) + int(m.rng.uniform(2, 12) * MINUTE)
    _answer(m, s, p, v, t)


def _answer(m: CaseMaker, s: Story, p: Plan, v: Variant, t: int) -> None:
    case = s.case
    if case["channel"] == Channel.GRID:
        actor, note = m.registrar(case), m.note(texts.GRID_ANSWER_NOTES, v.slots)
    else:
        answers = _knowledge_for(m, case["_code"])
        actor = m.holder(Role.OPERATOR, Role.DISPATCHER)
        note = m.rng.choice(answers) if answers else m.note(texts.ANSWER_NOTES, v.slots)
    t = s.step("answer", t, actor, note)
    case.update(replied_at=t, replied_on_time=True, reply_text=note)
    _callbacks(m, s, p, v, t, may_reopen=False)


def rejected(m: CaseMaker, s: Story, p: Plan, v: Variant, _master) -> None:
    """不予受理, straight away or after a first acceptance."""
    case = s.case
    t = m.intake(case, _register(m, s), 10, 120)
    dispatcher = m.holder(Role.DISPATCHER)
    if m.rng.random() < 0.3:
        t = m.intake(case, _accept(m, s, p, t, dispatcher), 30, 300)
    reasons = texts.REJECT_ANONYMOUS_NOTES if case.get("is_anonymous") else texts.REJECT_NOTES
    note = m.note(reasons, v.slots)
    s.step("reject", t, dispatcher, note)
    case["reply_text"] = ""


def withdrawn(m: CaseMaker, s: Story, p: Plan, v: Variant, _master) -> None:
    """撤单: the requester withdraws, at some point before the reply."""
    case, rng = s.case, m.rng
    t = _register(m, s)
    stage = rng.random()
    routing = m.route(m.d.categories[case["_code"]], case["_area"])
    if stage > 0.15:
        t = _accept(m, s, p, m.intake(case, t, 5, 90), m.holder(Role.DISPATCHER))
    if stage > 0.4 and routing:
        t = m.intake(case, t, 1, 30)
        _hand_to(m, s, "assign", t, m.holder(Role.DISPATCHER), *routing)
        if stage > 0.65:
            t = s.step(
                "sign_for",
                m.unit_time(case, t, rng.uniform(10, 240)),
                m.staff(routing[0]),
                data={"on_time": True},
            )
            case.update(
                signed_at=t,
                signed_on_time=True,
                sign_due_at=None,
                sign_warn_at=None,
                sign_limit=None,
                sign_unit="",
            )
    actor = m.d.citizen if case["channel"] in ONLINE_CHANNELS else m.holder(Role.OPERATOR, Role.DISPATCHER)
    s.step(
        "withdraw",
        m.wc.add_working(t, rng.uniform(30, 1200) * MINUTE),
        actor,
        m.note(texts.WITHDRAW_NOTES, v.slots),
    )


def repeat(m: CaseMaker, s: Story, p: Plan, v: Variant, master: Master) -> None:
    """并单: merged into its master, it follows it (workflow.FOLLOW_MASTER, as services does): its
    deadline is the master's, it is answered with each of the master's replies, back to merged when
    the master is reopened, archived with it. Its own requester is called back on a reply that stands
    (not while the master's last callback rejected it)."""
    case, mc, rng, wc = s.case, master.case, m.rng, m.wc
    t = m.intake(case, _register(m, s), 10, 120)
    dispatcher = m.holder(Role.DISPATCHER)
    if rng.random() < 0.4:
        _accept(m, s, p, t, dispatcher)
    t = s.step("merge", t, dispatcher, data={"master": mc["tracking_number"], "master_id": mc["id"]})
    case["master_id"] = mc["id"]
    # What the master went through before the merge: its reply, if it has one, comes at once.
    followed = [e for e in master.events if e[0] in FOLLOW_MASTER]
    before = [e for e in followed if e[6] <= t]
    after = [e for e in followed if e[6] > t]
    status = next((e[2] for e in reversed(master.events) if e[6] <= t and e[2]), Status.RECEIVED)
    replies = [e for e in before if FOLLOW_MASTER[e[0]] == "master_replied"]
    if status in (Status.REPLIED, Status.CALLED_BACK) and replies:
        after.insert(0, (*replies[-1][:6], t))
    own: list[str] = []  # the requester's callbacks still to make on the current reply
    due: int | None = None
    held = _rejects(before[-1]) if before else False

    def call_back(until: int | None) -> None:
        nonlocal due
        on_reply = (Status.REPLIED, Status.CALLED_BACK)
        while (
            own and due is not None and (until is None or due < until) and not held and s.status in on_reply
        ):
            outcome = own.pop(0)
            resolved = {"satisfied": True, "dissatisfied": False}.get(outcome)
            data = {"satisfaction": outcome, "resolved": resolved}
            at = s.step("callback", due, m.holder(Role.CALLBACK_AGENT), data=data)
            case["satisfaction"], case["resolved"] = outcome, resolved
            due = wc.add_working(at, rng.uniform(240, 960) * MINUTE)

    for op, _from, _to, _actor, note, data, at in after:
        call_back(at)
        follow = FOLLOW_MASTER[op]
        if s.status not in SOURCES[follow]:
            continue
        payload = {**data, "master": mc["tracking_number"], "master_operation": op}
        text = follow_note(OPERATIONS[op], mc["tracking_number"], note, data.get("satisfaction", ""))
        at = s.step(follow, at, m.d.system, text, payload)
        if follow == "unmerge":  # closed without an answer: handled on its own again, later
            case.update(master_id=None, handle_due_at=None, handle_due_original_at=None)
            return
        if follow == "master_replied":
            case.update(reply_text=note, replied_at=at, replied_on_time=data.get("on_time", True))
            own, due = list(p.callbacks), wc.add_working(at, rng.uniform(240, 1440) * MINUTE)
        elif follow == "master_reopened":
            case.update(satisfaction="", resolved=None, replied_at=None, replied_on_time=None, reply_text="")
            own = []
        if op in ("callback", "reopen", "archive"):
            held = _rejects((op, _from, _to, _actor, note, data, at))
    # Its handling deadline is the master's (assignment, extension, suspension, reopening moved both).
    case["handle_due_at"], case["handle_due_original_at"] = mc["handle_due_at"], mc["handle_due_original_at"]
    call_back(None)


def _rejects(event: tuple) -> bool:
    """Whether the master's event is a callback that rejected its reply (workflow.HELD_BY_MASTER)."""
    return event[0] == "callback" and event[5].get("satisfaction") == "dissatisfied"


PATHS: dict[str, Callable] = {
    "handled": handled,
    "answer": answered,
    "reject": rejected,
    "withdraw": withdrawn,
    "repeat": repeat,
}


def _iso(local: int | None, wc: WorkClock) -> str | None:
    """A moment as services write it into event data (ISO 8601 in the district's zone)."""
    if local is None:
        return None
    sign = "+" if wc.offset >= 0 else "-"
    hours, minutes = divmod(abs(wc.offset) // 60, 60)
    return (EPOCH_NAIVE + dt.timedelta(seconds=local)).isoformat() + f"{sign}{hours:02d}:{minutes:02d}"


EPOCH_NAIVE = dt.datetime(1970, 1, 1)


# --- writing rows: COPY on PostgreSQL, executemany on SQLite ----------------------------------------

UTC_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# The tuple layouts Batch collects, as columns of the tables.
EVENT_COLUMNS = (
    "case_id",
    "operation",
    "from_status",
    "to_status",
    "actor_id",
    "actor_label",
    "actor_unit_id",
    "note",
    "data",
    "created_at",
)
KEYWORD_COLUMNS = ("case_id", "term", "weight", "received_at")
CO_UNIT_COLUMNS = ("case_id", "unit_id")


class Sink:
    """Writes batches into the database of Django's default connection, in its transaction."""

    def __init__(self, offset: int):
        self.offset = offset
        self.case_fields = [f for f in Case._meta.concrete_fields]
        self.case_defaults = {f.attname: self._db_default(f) for f in self.case_fields}
        self.case_times = {f.attname for f in self.case_fields if isinstance(f, models.DateTimeField)}
        self.co_table = Case.co_units.through._meta.db_table
        # Columns someone added after this was written: filled with their defaults.
        self.event_extra = self._extra(CaseEvent, EVENT_COLUMNS)
        self.keyword_extra = self._extra(CaseKeyword, KEYWORD_COLUMNS)

    def _db_default(self, f: models.Field):
        # get_default() is also the empty value of a field without one ("" for text, None if null).
        return None if f.primary_key else f.get_db_prep_save(f.get_default(), connection)

    def _extra(self, model, known: tuple[str, ...]) -> list[tuple[str, object]]:
        return [
            (f.column, self._db_default(f))
            for f in model._meta.concrete_fields
            if not f.primary_key and f.column not in known
        ]

    def stamp(self, local: int):
        raise NotImplementedError

    def case_rows(self, batch: Batch) -> Iterable[tuple]:
        fields, defaults, times, stamp = self.case_fields, self.case_defaults, self.case_times, self.stamp
        for case in batch.cases:
            row = []
            for f in fields:
                value = case.get(f.attname, defaults[f.attname])
                if value is not None and f.attname in times:
                    value = stamp(value)
                row.append(value)
            yield tuple(row)

    def event_rows(self, batch: Batch) -> Iterable[tuple]:
        stamp, extra = self.stamp, tuple(v for _c, v in self.event_extra)
        dumps = json.dumps
        for case_id, op, from_status, to_status, actor, note, data, at in batch.events:
            yield (
                case_id,
                op,
                from_status,
                to_status,
                actor.user_id,
                actor.label,
                actor.unit_id,
                note,
                dumps(data, ensure_ascii=False),
                stamp(at),
                *extra,
            )

    def keyword_rows(self, batch: Batch) -> Iterable[tuple]:
        stamp, extra = self.stamp, tuple(v for _c, v in self.keyword_extra)
        for case_id, term, weight, received in batch.keywords:
            yield (case_id, term, weight, stamp(received), *extra)

    def write(self, batch: Batch) -> None:
        case_columns = [f.column for f in self.case_fields]
        self.insert(Case._meta.db_table, case_columns, self.case_rows(batch))
        self.insert(
            CaseEvent._meta.db_table,
            [*EVENT_COLUMNS, *(c for c, _v in self.event_extra)],
            self.event_rows(batch),
        )
        self.insert(
            CaseKeyword._meta.db_table,
            [*KEYWORD_COLUMNS, *(c for c, _v in self.keyword_extra)],
            self.keyword_rows(batch),
        )
        self.insert(self.co_table, list(CO_UNIT_COLUMNS), iter(batch.co_units))

    def insert(self, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
        raise NotImplementedError

    def allocate(self, count: int) -> list[int]:
        raise NotImplementedError


class PostgresSink(Sink):
    """COPY … FROM STDIN through psycopg; case ids drawn from the table's own sequence, so live
    registrations running beside the load never collide with them."""

    def stamp(self, local: int) -> dt.datetime:
        return UTC_EPOCH + dt.timedelta(seconds=local - self.offset)

    def allocate(self, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Case._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def insert(self, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        sql = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"
        with connection.cursor() as wrapper, wrapper.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


class SqliteSink(Sink):
    """executemany in the batch's transaction (BEGIN IMMEDIATE holds the write lock, so the ids after
    MAX(id) stay ours until it commits)."""

    def __init__(self, offset: int):
        super().__init__(offset)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB: index pages of a large load stay hot

    def stamp(self, local: int) -> dt.datetime:
        # Naive UTC, as Django's SQLite backend stores aware datetimes ("YYYY-MM-DD HH:MM:SS").
        return EPOCH_NAIVE + dt.timedelta(seconds=local - self.offset)

    def allocate(self, count: int) -> list[int]:
        table = Case._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "
                f"COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            last = cursor.fetchone()[0]
        return list(range(last + 1, last + 1 + count))

    def insert(self, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
        marks = ", ".join("?" * len(columns))
        sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})'
        connection.connection.executemany(sql, rows)  # the sqlite3 connection: no per-row wrapping


# --- the load -------------------------------------------------------------------------------------


@dataclass
class Summary:
    cases: int = 0
    events: int = 0
    keywords: int = 0
    co_units: int = 0
    texts: int = 0  # distinct texts, each keyword-indexed once
    seconds: float = 0.0
    reference_loaded: bool = False
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    by_status: Counter = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return self.cases + self.events + self.keywords + self.co_units


def loadgen_cases_exist() -> bool:
    """Whether an earlier load wrote cases here (their registration events carry the marker)."""
    return CaseEvent.objects.filter(operation="create", **{f"data__{MARKER}": True}).exists()


def load(
    *,
    cases: int,
    seed: int = DEFAULT_SEED,
    years: int = DEFAULT_YEARS,
    until: dt.date | None = None,
    append: bool = False,
    batch_size: int = BATCH_CASES,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Generate and write `cases` cases received over `years` years up to `until` (default today;
    a past day makes its end the "now" of the history). Refuses when an earlier load is present,
    unless `append`. Each batch is its own transaction: an interrupted load keeps its batches."""
    say = progress or (lambda message: None)
    started = time.monotonic()
    if cases < 1 or years < 1:
        raise LoadgenRefused("--cases and --years must be at least 1.")
    if connection.vendor not in ("postgresql", "sqlite"):
        raise LoadgenRefused(f"The load generator writes to PostgreSQL or SQLite, not {connection.vendor}.")
    if not append and loadgen_cases_exist():
        raise LoadgenRefused(
            "Generated cases are here already (an earlier `minyi loadgen`): add --append to add more, "
            "or load into a fresh database."
        )
    summary = Summary(reference_loaded=ensure_reference())
    if summary.reference_loaded:
        say("No places, units or categories: the demo district's reference data was loaded.")
    d = read_district()
    calendar = current_calendar()
    now_local, first_date, until = _window(calendar, years, until)
    offset = int(now_local.utcoffset().total_seconds())
    now = _local_seconds(now_local)
    wc = WorkClock(calendar, first_date - dt.timedelta(days=7), until + dt.timedelta(days=730), offset)
    rng = random.Random(seed)
    say(
        f"{len(d.places)} places, {len(d.categories)} categories, {len(d.units)} units; drawing {cases} "
        f"received times from {first_date} to {now_local:%Y-%m-%d %H:%M}…"
    )
    stream = received_stream(rng, wc, cases, (first_date - dt.date(1970, 1, 1)).days - wc.base, now)
    maker = CaseMaker(d, wc, rng, now, cases)
    sink = PostgresSink(offset) if connection.vendor == "postgresql" else SqliteSink(offset)
    _write(stream, maker, sink, summary, batch_size, lambda: say(_progress(summary, started)))
    summary.texts = len(maker.bank.keywords)
    summary.first, summary.last = sink.stamp(stream[0][0]), sink.stamp(stream[-1][0])
    rollups.forget(since=first_date)  # the worker's next rounds compute the months anew
    summary.seconds = time.monotonic() - started
    return summary


def _write(stream, maker: CaseMaker, sink: Sink, summary: Summary, batch_size: int, report) -> None:
    """Play and write the stream batch by batch, each batch one transaction."""
    wc = maker.wc
    numbers = _tracking_numbers(stream, wc)
    report_every = max(batch_size, len(stream) // 20 // batch_size * batch_size)  # about 20 lines
    for start in range(0, len(stream), batch_size):
        chunk = stream[start : start + batch_size]
        with transaction.atomic():
            ids = sink.allocate(len(chunk))
            batch = Batch()
            for case_id, (received, channel) in zip(ids, chunk, strict=True):
                maker.make(case_id, next(numbers[wc.months[wc.index(received)]]), received, channel, batch)
            sink.write(batch)
        _count(summary, batch)
        if (start + len(chunk)) % report_every == 0 or start + len(chunk) == len(stream):
            report()


def _progress(summary: Summary, started: float) -> str:
    elapsed = max(time.monotonic() - started, 1e-9)
    return (
        f"  {summary.cases:,} cases, {summary.events:,} events, {summary.keywords:,} keywords "
        f"({elapsed:.0f} s, {summary.rows / elapsed:,.0f} rows/s)"
    )


def _window(
    calendar: WorkCalendar, years: int, until: dt.date | None
) -> tuple[dt.datetime, dt.date, dt.date]:
    """(now as the history sees it, first day, last day)."""
    real_now = clock.local(clock.now()).astimezone(calendar.tz)
    until = until or real_now.date()
    if until > real_now.date():
        raise LoadgenRefused(f"--until {until} lies in the future: history ends today at the latest.")
    end = dt.datetime.combine(until, dt.time(23, 59, 59), tzinfo=calendar.tz)
    now = min(real_now, end).replace(microsecond=0)
    try:
        first = until.replace(year=until.year - years)
    except ValueError:  # 29 February
        first = until.replace(year=until.year - years, day=28)
    return now, first + dt.timedelta(days=1), until


def _local_seconds(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=dt.UTC).timestamp())


def _tracking_numbers(stream: list[tuple[int, str]], wc: WorkClock) -> dict[str, Iterable[str]]:
    """Per month ("YYYYMM"), an iterator over the numbers reserved for its cases: each month's range
    reserved at once, in its own short transaction (live registrations wait on that row)."""
    counts = Counter(wc.months[wc.index(received)] for received, _channel in stream)
    found = {}
    for period, count in sorted(counts.items()):
        moment = dt.datetime(int(period[:4]), int(period[4:]), 15, tzinfo=wc_zone(wc))
        with transaction.atomic():
            found[period] = iter(reserve_tracking_numbers(moment, count))
    return found


def wc_zone(wc: WorkClock) -> dt.tzinfo:
    return dt.timezone(dt.timedelta(seconds=wc.offset))


def _count(summary: Summary, batch: Batch) -> None:
    summary.cases += len(batch.cases)
    summary.events += len(batch.events)
    summary.keywords += len(batch.keywords)
    summary.co_units += len(batch.co_units)
    summary.by_status.update(case["status"] for case in batch.cases)
