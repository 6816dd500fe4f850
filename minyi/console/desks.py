"""The desks of the console and their queues, declared as data.

A desk (台) is one role's main page; its queues are filters over the cases the user may see (the
access module decides that). Adding a queue is adding a line here: the desk page, its tab counts and
the navigation are drawn from these declarations. A queue may add columns of its own to the rows
(`COLUMNS`: what an extension request asks, how many working days a case is overdue) and offer
orders by them (`SORTS`).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from minyi.access import cases as access
from minyi.access.personal_data import shown_text
from minyi.cases import deadlines
from minyi.cases.models import Case, CaseEvent, Satisfaction
from minyi.cases.workflow import MASTER_STATUSES, UNIT_ROLES, WITH_UNIT, Status, held_by_master_q
from minyi.core import clock
from minyi.org.models import User
from minyi.org.roles import Role
from minyi.workcal.calendar import WorkCalendar

Filter = Callable[[User, dt.datetime], Q]


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    filter: Filter
    order: tuple[str, ...] = ("received_at",)
    quick: tuple[str, ...] = ()  # operations offered as a button on each row (no input needed)
    show_reply: bool = False  # the reply under each title (the callback agent reads it out)
    show_repeat: bool = False  # the case each row probably repeats, why, and "merge into this one"
    columns: tuple[str, ...] = ()  # columns of its own (keys of COLUMNS), after the status
    sorts: tuple[str, ...] = ()  # orders offered besides `order` (keys of SORTS), by a column's heading

    def ordering(self, sort: str | None) -> tuple:
        return SORTS[sort].order if sort in self.sorts else self.order


@dataclass(frozen=True)
class Sort:
    column: str  # the column whose heading offers it
    order: tuple
    direction: str  # of the column's values, as aria-sort says it: "descending" or "ascending"


# 超期天数: the earliest running deadline first is the most overdue first (deadlines.days_overdue).
SORTS = {
    "most_overdue": Sort(
        "overdue", (deadlines.next_due_expression().asc(nulls_last=True), "received_at"), "descending"
    ),
    "least_overdue": Sort(
        "overdue", (deadlines.next_due_expression().desc(nulls_last=True), "received_at"), "ascending"
    ),
}


@dataclass(frozen=True)
class Desk:
    key: str
    label: str
    roles: frozenset[str]
    url_name: str
    queues: tuple[Queue, ...] = ()
    # The roles whose home page (the console's start) this desk is; None: every role of the desk.
    home_of: frozenset[str] | None = None

    @property
    def home_roles(self) -> frozenset[str]:
        return self.roles if self.home_of is None else self.home_of

    def queue(self, key: str | None) -> Queue:
        return next((q for q in self.queues if q.key == key), self.queues[0])


def _status(*statuses: str) -> Filter:
    return lambda user, now: Q(status__in=statuses)


def _led_by_my_unit(user: User) -> Q:
    units = access.units_acted_for(user, UNIT_ROLES)
    return Q() if units is None else Q(lead_unit_id__in=units)


def _co_handled_by_my_unit(user: User) -> Q:
    units = access.units_acted_for(user, UNIT_ROLES)
    through = Case.co_units.through.objects.filter(case_id=OuterRef("pk"))
    if units is not None:
        through = through.filter(unit_id__in=units)
    return Q(Exists(through)) & ~_led_by_my_unit(user)


def _mine(*statuses: str) -> Filter:
    return lambda user, now: Q(status__in=statuses) & _led_by_my_unit(user)


def _light(light: deadlines.Light, *statuses: Status) -> Filter:
    return lambda user, now: deadlines.light_q(light, now) & Q(status__in=statuses or WITH_UNIT)


def _my_light(light: deadlines.Light) -> Filter:
    return lambda user, now: _light(light)(user, now) & _led_by_my_unit(user)


def _repeat_candidates(user: User, now: dt.datetime) -> Q:
    """疑似重复件: cases not yet assigned that were flagged at registration as probably repeating an
    earlier case (same problem, same place, within the window: analysis/repeat_flags.py) which may
    still be their master. A bare match of the requester's phone is not one: a caller with two
    problems raises two demands (the case page lists the requester's other cases)."""
    return Q(
        status__in=(Status.RECEIVED, Status.ACCEPTED),
        suspected_master__isnull=False,
        suspected_master__status__in=MASTER_STATUSES,
        suspected_master__master__isnull=True,
    )


def _registered_today_by(user: User, now: dt.datetime) -> Q:
    start = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return Q(created_by=user, received_at__gte=start)


INTAKE = Desk(
    "intake",
    _("Intake desk"),  # 受理台
    frozenset({Role.OPERATOR, Role.GRID_WORKER, Role.VISIT_SECRETARY}),
    "console:intake",
    (
        Queue("today", _("Registered by me today"), _registered_today_by, ("-received_at",)),
        Queue("received", _("Waiting to be accepted"), _status(Status.RECEIVED), quick=("accept",)),
    ),
    # A visit secretary may register a demand here too, but their work is at the door: their home
    # is their campaigns and the visit form (HOME below).
    home_of=frozenset({Role.OPERATOR, Role.GRID_WORKER}),
)
DISPATCH = Desk(
    "dispatch",
    _("Dispatch desk"),  # 派单台
    frozenset({Role.DISPATCHER}),
    "console:dispatch",
    (
        Queue("received", _("To accept"), _status(Status.RECEIVED), quick=("accept",)),
        Queue("accepted", _("To assign"), _status(Status.ACCEPTED)),
        Queue("returned", _("Returned"), _status(Status.RETURNED)),
        Queue(
            "extension",
            _("Extension requests"),
            _status(Status.EXTENSION_REQUESTED),
            ("handle_due_at",),
            columns=("extension",),
        ),
        Queue("repeats", _("Possible repeats"), _repeat_candidates, ("received_at",), show_repeat=True),
        Queue("suspended", _("Suspended"), _status(Status.SUSPENDED)),
    ),
)
WORKBENCH = Desk(
    "workbench",
    _("Unit workbench"),  # 承办单位工作台
    UNIT_ROLES,
    "console:workbench",
    (
        Queue("to_sign", _("To sign for"), _mine(Status.ASSIGNED), ("sign_due_at",), quick=("sign_for",)),
        Queue(
            "handling",
            _("In progress"),
            _mine(Status.HANDLING, Status.EXTENSION_REQUESTED),
            ("handle_due_at",),
        ),
        Queue("yellow", _("Due soon"), _my_light(deadlines.Light.YELLOW), ("handle_due_at",)),
        Queue("red", _("Overdue"), _my_light(deadlines.Light.RED), ("handle_due_at",)),
        Queue(
            "co",
            _("Co-handling"),
            lambda user, now: Q(status__in=WITH_UNIT) & _co_handled_by_my_unit(user),
            ("handle_due_at",),
        ),
        Queue("replied", _("Replied"), _mine(Status.REPLIED, Status.CALLED_BACK), ("-replied_at",)),
    ),
)
SUPERVISION = Desk(
    "supervision",
    _("Supervision board"),  # 督办台
    frozenset({Role.SUPERVISOR, Role.LEADER}),
    "console:supervision",
    (
        Queue(
            "red",
            _("Overdue"),
            _light(deadlines.Light.RED),
            SORTS["most_overdue"].order,
            quick=("remind",),
            columns=("overdue",),
            sorts=("most_overdue", "least_overdue"),
        ),
        Queue("yellow", _("Due soon"), _light(deadlines.Light.YELLOW), ("handle_due_at",), quick=("remind",)),
        Queue("returned", _("Returned"), _status(Status.RETURNED)),
        Queue(
            "supervised",
            _("Under supervision"),
            lambda user, now: Q(status__in=WITH_UNIT, supervision_level__gt=0),
            ("-supervision_level", "handle_due_at"),
            columns=("overdue",),
            sorts=("most_overdue", "least_overdue"),
        ),
    ),
)
CALLBACK = Desk(
    "callback",
    _("Callback desk"),  # 回访台
    frozenset({Role.CALLBACK_AGENT}),
    "console:callback",
    (
        # Not a repeat whose master's callback rejected the reply, nor one archived with its master
        # later (workflow.HELD_BY_MASTER): the service would refuse both.
        Queue(
            "replied",
            _("To call back"),
            lambda user, now: Q(status=Status.REPLIED) & ~held_by_master_q("callback"),
            ("replied_at",),
            show_reply=True,
        ),
        Queue(
            "dissatisfied",
            _("Dissatisfied"),
            lambda user, now: Q(status=Status.CALLED_BACK, satisfaction=Satisfaction.DISSATISFIED),
        ),
        Queue(
            "to_archive",
            _("To archive"),
            lambda user, now: (
                Q(status=Status.CALLED_BACK)
                & ~Q(satisfaction=Satisfaction.DISSATISFIED)
                & ~held_by_master_q("archive")
            ),
        ),
    ),
)
DESKS: tuple[Desk, ...] = (INTAKE, DISPATCH, WORKBENCH, SUPERVISION, CALLBACK)
BY_KEY = {desk.key: desk for desk in DESKS}


def desks_for(user: User) -> list[Desk]:
    return [desk for desk in DESKS if any(user.has_role(role) for role in desk.roles)]


# Where each role starts, the first that applies: the leader home, the desk of the user's role, the
# visit campaigns (民情走访) for a visit secretary; a desk the user may open at all, last.
HOME: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({Role.LEADER}), "console:leader"),
    *((desk.home_roles, desk.url_name) for desk in DESKS),
    (frozenset({Role.VISIT_SECRETARY}), "visits:home"),
)


def home_of(user: User) -> str | None:
    """The URL name of the page `user` starts at (None: no page of the console is theirs)."""
    for roles, url_name in HOME:
        if user.has_role(*roles):
            return url_name
    desks = desks_for(user)
    return desks[0].url_name if desks else None


def queue_cases(user: User, queue: Queue, now: dt.datetime, sort: str | None = None) -> QuerySet[Case]:
    return (
        access.cases_visible_to(user)
        .filter(queue.filter(user, now))
        .select_related(
            "category", "area", "lead_unit", *(("suspected_master",) if queue.show_repeat else ())
        )
        .order_by(*queue.ordering(sort), "pk")
    )


def fill_columns(user: User, queue: Queue, cases: list[Case], cal: WorkCalendar, now: dt.datetime) -> None:
    """Set on each case of a page what the queue's own columns show."""
    if "extension" in queue.columns:
        _extension_requests(user, cases, cal)
    if "overdue" in queue.columns:
        for case in cases:
            case.days_overdue = deadlines.days_overdue(case, cal, now)


def _extension_requests(user: User, cases: list[Case], cal: WorkCalendar) -> None:
    """延期申请: the working days the unit asks, the handling deadline they would give on the
    working-day calendar, and the unit's reason (the note of its latest request), in one query."""
    reasons = {}
    events = CaseEvent.objects.filter(case__in=cases, operation="request_extension").select_related("actor")
    for event in events.order_by("created_at", "pk"):
        reasons[event.case_id] = event
    for case in cases:
        days = case.extension_days_requested
        case.extension_due = deadlines.extended_due(case, cal, days) if days and case.handle_due_at else None
        event = reasons.get(case.pk)
        case.extension_reason = shown_text(user, case, event.note, author=event.actor) if event else ""


# The columns a queue may add: (heading, what the heading's title explains).
COLUMNS = {
    "extension": (
        _("Extension asked"),
        _(
            "The working days the unit asks for, the handling deadline they would give (on the "
            "working-day calendar: weekends and holidays do not count) and the unit's reason"
        ),
    ),
    "overdue": (
        _("Days overdue"),
        _(
            "Working days since the deadline passed, on the working-day calendar (weekends and "
            "holidays do not count, as for the deadline itself); a working day begun counts as one."
        ),
    ),
}


def queue_counts(user: User, desk: Desk, now: dt.datetime) -> dict[str, int]:
    """The number of cases in each queue of the desk, in one query. It reads only the cases of some
    queue (each queue names its statuses, so the indexes find them): counting over every visible
    case would read a whole district's history for a handful of open cases."""
    filters = {queue.key: queue.filter(user, now) for queue in desk.queues}
    counts = {key: Count("pk", filter=q) for key, q in filters.items()}
    return access.cases_visible_to(user).filter(reduce(operator.or_, filters.values())).aggregate(**counts)
