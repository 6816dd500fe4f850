"""Every write to a case goes through this module.

`case_create` registers a new case (登记). `case_apply` performs any operation of the workflow
(cases/workflow.py) on an existing case, and it is the only code that changes a case's status:

1. lock the case row (`SELECT … FOR UPDATE`; lock order by id when two cases are involved),
2. refuse a stale form (`expected_version`) as a conflict,
3. check the status against the workflow and the actor's right against the access module,
4. run the operation's effect (below: one small function per operation, whose keyword arguments are
   the operation's parameters), recompute deadlines,
5. bump the version, save, append the event, record notifications — all in one transaction;
   SMS/e-mail are sent after commit by `minyi worker`.

Merged repeats follow their master (workflow.FOLLOW_MASTER): after an operation on a master case,
`_repeats_follow` performs the declared operation on each of its repeats, in the same transaction.

Locking policy: an operation locks its case row; a merge locks both cases in ascending id order
first; a master is always locked before its repeats (cases merged into it): an operation on a master
locks the repeats that follow it after the master, in id order, and an operation on a repeat locks
its master first. On PostgreSQL a lock wait longer than LOCK_TIMEOUT (or a deadlock) becomes a
`Conflict`, never a hang.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from minyi.access import cases as access
from minyi.access.personal_data import checked_phone, redacted, without_reporter
from minyi.access.principals import SYSTEM_ACTOR, Citizen, System
from minyi.analysis.keyword_index import index_cases
from minyi.analysis.repeat_flags import flag_repeat
from minyi.cases import deadlines
from minyi.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    InstructionRequest,
    Satisfaction,
    SupervisionLevel,
    TrackingCounter,
)
from minyi.cases.numbers import format_tracking_number, normal_tracking_number
from minyi.cases.workflow import (
    FOLLOW_MASTER,
    OPERATIONS,
    TERMINAL,
    Operation,
    Status,
    held_by_master,
    held_reason,
    may_be_master,
    target_status,
)
from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.catalog.services import category_by_code, limits_for, routing_for, unit_by_id
from minyi.core import clock, photos
from minyi.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from minyi.core.ids import id_from_text
from minyi.notifications.models import Notification
from minyi.notifications.services import notify, role_holders, unit_staff
from minyi.org.models import Area, Unit, User
from minyi.org.roles import Role
from minyi.workcal.calendar import LimitUnit, WorkCalendar
from minyi.workcal.services import current_calendar

Actor = User | Citizen | System

LOCK_TIMEOUT = "5s"
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
MAX_EXTENSION_DAYS = 30
MAX_HANDLE_DAYS = 60
# The longest description, note or reply any channel takes (forms, API): a pasted megabyte would
# otherwise be stored and shown on every page of the case.
MAX_TEXT = 20_000
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_MAX_FILES = 10  # files one registration or operation may carry (the API's MAX_FILES)


# --- registering a case --------------------------------------------------------------------------


def kept_confidential(demand_type: str, *, asked: bool) -> bool:
    """Whether a case keeps its requester from the units: when asked, and always for a 举报 (report of
    wrongdoing), whose reporter must not be known to the unit reported on."""
    return asked or demand_type == DemandType.REPORT


def case_create(
    *,
    actor: Actor,
    channel: str,
    demand_type: str,
    title: str,
    description: str,
    urgency: str = Urgency.NORMAL,
    area: Area | int | str | None = None,
    address: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    requester_name: str = "",
    requester_phone: str = "",
    requester_id_number: str = "",
    requester_ref: str = "",
    is_anonymous: bool = False,
    is_confidential: bool = False,
    needs_contact: bool = False,
    category: str | None = None,
    external_id: str = "",
    attachments: Sequence[UploadedFile] = (),
    source_data: dict | None = None,
) -> Case:
    """登记: record a new demand. Returns the case; its `query_code` is what the citizen keeps.

    `source_data`: what the channel sent beside the demand (media URLs, its own ids …), kept in the
    registration event's data."""
    _choice(channel, Channel, "channel")
    _choice(demand_type, DemandType, "demand_type")
    _choice(urgency, Urgency, "urgency")
    title, description = _text(title, "title"), _text(description, "description")
    if not title:
        raise InvalidInput(
            _("A title is required: say in a few words what the demand is about."), field="title"
        )
    if not description:
        raise InvalidInput(
            _("A description is required: write down what the requester said."), field="description"
        )
    address, external_id = _text(address, "address"), _text(external_id, "external_id")
    requester_name, requester_ref = (
        _text(requester_name, "requester_name"),
        _text(requester_ref, "requester_ref"),
    )
    requester_id_number = _text(requester_id_number, "requester_id_number")
    place = _area(area)
    lat, lon = _coordinate(latitude, "latitude", 90), _coordinate(longitude, "longitude", 180)
    phone = checked_phone(_text(requester_phone, "requester_phone"))
    if not is_anonymous and not requester_name and not phone:
        raise InvalidInput(
            _("Give the requester's name or phone, or mark the case as anonymous."), field="requester_name"
        )
    confidential = kept_confidential(demand_type, asked=is_confidential)
    if confidential:  # the title goes everywhere a unit looks (lists, desks, notifications)
        title = redacted(title, requester_name, actor.full_name if isinstance(actor, User) else "")
    chosen_category = category_by_code(category) if category else None
    access.check_create(actor, area=place)
    attachments = _checked_attachments(attachments)

    now = clock.now()
    duplicate = Conflict(
        _("A case with external id %(id)s from this channel exists already.") % {"id": external_id},
        field="external_id",
    )
    if external_id and Case.objects.filter(channel=channel, external_id=external_id).exists():
        raise duplicate
    tracking_number = _next_tracking_number(now)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                tracking_number=tracking_number,
                query_code="".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6)),
                channel=channel,
                demand_type=demand_type,
                urgency=urgency,
                title=title,
                description=description,
                area=place,
                address=address,
                latitude=lat,
                longitude=lon,
                requester_name="" if is_anonymous else requester_name,
                requester_phone=phone,
                requester_id_number=requester_id_number,
                requester_ref=requester_ref,
                is_anonymous=is_anonymous,
                is_confidential=confidential,
                needs_contact=needs_contact,
                category=chosen_category,
                external_id=external_id,
                status=Status.RECEIVED,
                received_at=now,
                created_by=actor if isinstance(actor, User) else None,
            )
            data = {**(source_data or {}), "channel": channel}
            event = _event(case, OPERATIONS["create"], actor, "", Status.RECEIVED, "", data, now)
            _save_attachments(case, event, attachments, actor, now)
            index_cases([case], new=True)  # findable by similar-case search from its first moment
            flag_repeat(case)  # 疑似重复件: the open case it probably repeats, for the dispatch desk
    except IntegrityError:
        if external_id and Case.objects.filter(channel=channel, external_id=external_id).exists():
            raise duplicate from None  # the same external id registered a moment ago by another process
        raise
    return case


def _next_tracking_number(moment: dt.datetime) -> str:
    return reserve_tracking_numbers(moment, 1)[0]


def reserve_tracking_numbers(moment: dt.datetime, count: int) -> list[str]:
    """`count` new tracking numbers of the month of `moment`: YYYYMM-NNNNNN, a sequence per month,
    never drawn twice by two processes; a registration that then fails leaves a gap, which is
    harmless. Bulk imports reserve a whole month's numbers at once (in order, not always adjacent).

    PostgreSQL: a counter row would be a hot row that every registration locks until it commits,
    so intake could go no faster than one registration after another. Numbers come from the
    month's sequence instead (`minyi_tracking_numbers`, migration cases 0010), which never waits.
    SQLite lets one writer in at a time anyway: there the month's counter row is incremented."""
    period = clock.local(moment).strftime("%Y%m")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT minyi_tracking_numbers(%s, %s)", [period, count])
            values = [value for (value,) in cursor.fetchall()]
    else:
        values = _count_on(period, count)
    return [format_tracking_number(period, value) for value in values]


def tracking_numbers_drawn(period: str) -> int:
    """How many numbers of the month ("YYYYMM") were drawn so far, the last one's sequence part."""
    counted = TrackingCounter.objects.filter(period=period).values_list("value", flat=True).first() or 0
    if connection.vendor != "postgresql" or not period.isdigit():
        return counted
    sequence = f"cases_tracking_{period}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [sequence])
        if cursor.fetchone()[0] is None:
            return counted
        cursor.execute(f"SELECT last_value, is_called FROM {connection.ops.quote_name(sequence)}")
        last, called = cursor.fetchone()
    return last if called else last - 1


@transaction.atomic(savepoint=False)
def _count_on(period: str, count: int) -> range:
    if not TrackingCounter.objects.filter(period=period).update(value=F("value") + count):
        try:
            with transaction.atomic():
                TrackingCounter.objects.create(period=period, value=count)
        except IntegrityError:  # another process created this month's row first
            TrackingCounter.objects.filter(period=period).update(value=F("value") + count)
    last = TrackingCounter.objects.get(period=period).value
    return range(last - count + 1, last + 1)


# --- applying an operation -----------------------------------------------------------------------


@dataclass
class Transition:
    """What an operation's effect works with and what it leaves for the pipeline to record."""

    case: Case
    op: Operation
    actor: Actor
    now: dt.datetime
    note: str
    data: dict = field(default_factory=dict)
    notices: list[tuple[list[User], str, str, bool]] = field(default_factory=list)
    # Steps that need the saved case (co-units, passing a reply on to merged cases), run in order.
    after_save: list[Callable[[], object]] = field(default_factory=list)
    _calendar: WorkCalendar | None = None

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = current_calendar()
        return self._calendar

    def tell(self, users: Iterable[User], kind: str, message: str, *, sms: bool = False) -> None:
        self.notices.append((list(users), kind, message, sms))


def case_apply(
    *,
    case_id: int,
    operation: str,
    actor: Actor,
    expected_version: int | None = None,
    note: str = "",
    attachments: Sequence[UploadedFile] = (),
    photos_for_requester: Sequence[UploadedFile] = (),
    **params: object,
) -> Case:
    """Perform `operation` on the case, or raise a MinyiError and change nothing. `attachments` stay
    internal; `photos_for_requester` (only with an operation that declares them: the reply) are shown
    to the requester in the portal: photos only, renamed and without EXIF, never on a confidential
    report."""
    op = OPERATIONS.get(operation)
    if op is None or op.name == "create":
        raise InvalidInput(
            _("Unknown operation “%(op)s”. Known: %(known)s.")
            % {
                "op": operation,
                "known": ", ".join(f"{n} ({o.label})" for n, o in OPERATIONS.items() if n != "create"),
            },
            field="operation",
        )
    effect = EFFECTS[op.name]
    _check_params(effect, op, params)
    if expected_version is not None:
        expected_version = _positive_int(expected_version, "expected_version", 2**31)
    attachments = _checked_attachments(attachments)
    shown = _checked_photos_for_requester(op, photos_for_requester, others=len(attachments))
    note = _text(note, "note")
    if op.material_required and not attachments and not note:
        raise InvalidInput(
            _("“%(op)s” needs a text or at least one file: write what to add or attach it.")
            % {"op": op.label},
            field="note",
        )
    if op.note_required and not note:
        raise InvalidInput(
            _("“%(op)s” needs a text: %(what)s.")
            % {"op": op.label, "what": NOTE_HINTS.get(op.name, _("write the reason"))},
            field="note",
        )
    try:
        with transaction.atomic():
            _set_lock_timeout()
            if op.name == "merge":
                _lock_in_id_order(case_id, params.get("master"))
            else:
                _lock_master_of(case_id)
            case = _lock(case_id, actor)
            if expected_version is not None and case.version != expected_version:
                raise Conflict(
                    _(
                        "Case %(number)s was changed by someone else meanwhile (now: %(status)s). "
                        "Reload it and try again."
                    )
                    % {"number": case.tracking_number, "status": case.get_status_display()},
                    version=case.version,
                )
            if shown and case.is_confidential:
                raise InvalidInput(
                    _(
                        "A confidential report's reply shows the reporter no photos (they could reveal "
                        "who or what was reported): attach them as internal attachments."
                    ),
                    field="photos_for_requester",
                )
            return _apply_locked(case, op, actor, note, params, attachments, clock.now(), shown=shown)
    except DatabaseError as exc:
        if _is_lock_failure(exc):
            raise Conflict(
                _("Someone else is working on this case right now. Try again in a moment.")
            ) from None
        raise


def _apply_locked(
    case: Case,
    op: Operation,
    actor: Actor,
    note: str,
    params: dict,
    attachments: Sequence[UploadedFile],
    now: dt.datetime,
    data: dict | None = None,
    *,
    shown: Sequence[UploadedFile] = (),
) -> Case:
    if case.status not in op.sources:
        allowed = access.allowed_operations(actor, case)
        raise IllegalTransition(
            _("“%(op)s” is not possible: case %(number)s is “%(status)s”. Possible now: %(allowed)s.")
            % {
                "op": op.label,
                "number": case.tracking_number,
                "status": case.get_status_display(),
                "allowed": "、".join(str(o.label) for o in allowed) or _("nothing for you"),
            },
            status=case.status,
            allowed=[o.name for o in allowed],
        )
    access.check_permitted(actor, case, op)
    if held_by_master(op.name, case):
        raise IllegalTransition(
            held_reason(op.name, case),
            status=case.status,
            allowed=[o.name for o in access.allowed_operations(actor, case)],
        )
    from_status = case.status
    target = target_status(op, case)  # before the effect: it may clear what the target depends on
    t = Transition(case=case, op=op, actor=actor, now=now, note=note, data=dict(data or {}))
    EFFECTS[op.name](t, **params)
    if target is not None:
        case.status = target
    if op.name not in ANNOTATIONS:
        case.version += 1
    if case.status in TERMINAL and case.closed_at is None:
        case.closed_at = now
    case.alert_at = deadlines.next_alert_at(case)
    case.save()
    event = _event(
        case, op, actor, from_status, case.status if case.status != from_status else "", note, t.data, now
    )
    _save_attachments(case, event, attachments, actor, now)
    _save_attachments(case, event, shown, actor, now, for_requester=True)
    for users, kind, message, sms in t.notices:
        notify(users, kind=kind, message=message, case=case, sms=sms)
    for step in t.after_save:
        step()
    if op.name in FOLLOW_MASTER:
        _repeats_follow(case, op, now, t.data)
    return case


def _repeats_follow(master: Case, op: Operation, now: dt.datetime, data: dict) -> None:
    """子单随主单: after `op` on `master`, each of its repeats takes the operation FOLLOW_MASTER
    declares (those in its source statuses), by the system, in the master's transaction. Its event
    says which of the master's operations it followed and names the master; it carries what the
    master's event recorded (deadline, days, satisfaction …)."""
    follow = OPERATIONS[FOLLOW_MASTER[op.name]]
    repeats = Case.objects.select_for_update().filter(master=master, status__in=follow.sources).order_by("pk")
    note = follow_note(op, master.tracking_number, master.reply_text, master.satisfaction)
    for repeat in repeats:
        repeat.master = master  # the master as it is now, saved
        _apply_locked(
            repeat,
            follow,
            SYSTEM_ACTOR,
            note,
            {},
            (),
            now,
            {**data, "master": master.tracking_number, "master_operation": op.name},
        )


def follow_note(op: Operation, master_number: str, reply_text: str, satisfaction: str = "") -> str:
    """The note of a repeat's event when it follows `op` of its master: the reply itself when the
    master replied, else what the master went through (and, for its callback, the result)."""
    follow = FOLLOW_MASTER[op.name]
    values = {"number": master_number, "op": op.label}
    if follow == "master_replied":
        return reply_text
    if follow == "unmerge":
        return _("Its master case %(number)s was closed without an answer (%(op)s).") % values
    if op.name == "callback" and satisfaction:
        values["result"] = Satisfaction(satisfaction).label
        return _("Master case %(number)s: %(op)s (%(result)s).") % values
    return _("Master case %(number)s: %(op)s.") % values


def _set_lock_timeout() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")


def _lock_master_of(case_id: object) -> None:
    """A repeat's master is locked before the repeat (the order an operation on the master takes)."""
    master_id = id_from_text(case_id)
    if master_id is not None:
        master_id = Case.objects.filter(pk=master_id).values_list("master_id", flat=True).first()
    if master_id is not None:
        list(Case.objects.select_for_update().filter(pk=master_id).values_list("pk", flat=True))


def _lock(case_id: int, actor: Actor) -> Case:
    try:
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("lead_unit", "area", "category")
            .get(pk=int(case_id))
        )
    except (Case.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("There is no case %(id)s, or it is outside your scope.") % {"id": case_id}) from None
    if not access.can_see(actor, case):
        raise NotFound(_("There is no case %(id)s, or it is outside your scope.") % {"id": case_id})
    return case


def _master_filter(master: object) -> dict:
    """A master case given by id (digits alone) or by tracking number (however it is typed)."""
    if isinstance(master, str) and not (master.strip().isascii() and master.strip().isdigit()):
        return {"tracking_number": normal_tracking_number(master)}
    try:
        return {"pk": int(master)}  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise InvalidInput(_("There is no master case %(id)s.") % {"id": master}, field="master") from None


def _lock_in_id_order(case_id: int, master: object) -> None:
    """A merge locks two cases: always in ascending id order, so two crossing merges cannot deadlock."""
    master_pk = Case.objects.filter(**_master_filter(master)).values_list("pk", flat=True).first()
    pks = sorted({int(case_id), master_pk} - {None})
    list(Case.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))


def _is_lock_failure(exc: DatabaseError) -> bool:
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    return sqlstate in {"55P03", "40P01", "40001"}  # lock_not_available, deadlock, serialization


def _check_params(effect: Callable, op: Operation, params: dict) -> None:
    try:
        inspect.signature(effect).bind(None, **params)
    except TypeError:
        accepted = [p for p in inspect.signature(effect).parameters if p != "t"]
        raise InvalidInput(
            _("“%(op)s” takes %(accepted)s; got %(given)s.")
            % {
                "op": op.label,
                "accepted": ", ".join(accepted) or _("no parameters"),
                "given": ", ".join(params) or _("nothing"),
            },
        ) from None


def _event(case, op, actor, from_status, to_status, note, data, now) -> CaseEvent:
    user = actor if isinstance(actor, User) else None
    return CaseEvent.objects.create(
        case=case,
        operation=op.name,
        from_status=from_status or "",
        to_status=to_status or "",
        actor=user,
        actor_label="" if user else str(actor.label),
        actor_unit=user.unit if user else None,
        note=note,
        data=data,
        created_at=now,
    )


# --- the effects of the operations ---------------------------------------------------------------
# Each receives the Transition and the operation's own keyword parameters, validates them, and sets
# fields on t.case; the pipeline sets the status, saves and records the event.

NOTE_HINTS = {
    "reject": _("write why the demand is not accepted"),
    "answer": _("write the answer given to the requester"),
    "reply": _("write the reply to the requester"),
    "return": _("write why the case is not for your unit"),
    "request_extension": _("write why more time is needed"),
    "request_instruction": _("write what the leader is asked to decide"),
    "withdraw": _("write why the requester withdraws"),
}
# Operations that only add to a case (a reminder, a supervision card, an instruction, a co-unit's
# opinion) do not bump its version: they must not turn the handler's open form into a conflict.
# A repeat following its master (`follow_master`) is no change to the repeat's own forms either.
ANNOTATIONS = frozenset(
    {"remind", "supervise", "request_instruction", "instruct", "co_reply", "rate", "attach", "follow_master"}
)


def _accept(
    t: Transition,
    *,
    category: str | None = None,
    demand_type: str | None = None,
    urgency: str | None = None,
    needs_contact: bool | None = None,
) -> None:
    _classify_fields(t, category=category, demand_type=demand_type, urgency=urgency)
    _set_needs_contact(t, needs_contact)
    t.case.accepted_at = t.now


def _reject(t: Transition) -> None:
    """不予受理: the repeats merged into the case are handled on their own again (FOLLOW_MASTER)."""


def _classify(
    t: Transition,
    *,
    category: str | None = None,
    demand_type: str | None = None,
    urgency: str | None = None,
    needs_contact: bool | None = None,
) -> None:
    if category is None and demand_type is None and urgency is None and needs_contact is None:
        raise InvalidInput(_("Say what to change: category, demand type, urgency or needs contact."))
    _classify_fields(t, category=category, demand_type=demand_type, urgency=urgency)
    _set_needs_contact(t, needs_contact)


def _set_needs_contact(t: Transition, needs_contact: bool | None) -> None:
    """需联系诉求人: whether the handling units may reveal the requester's phone to call them
    (access/personal_data.py); decided on accept, classify, assign and reassign, kept when not given."""
    if needs_contact is not None:
        t.case.needs_contact = _bool(needs_contact, "needs_contact")
        t.data["needs_contact"] = t.case.needs_contact


def _classify_fields(t: Transition, *, category, demand_type, urgency) -> None:
    case = t.case
    if category is not None:
        case.category = category_by_code(category)
        t.data["category"] = case.category.code
    if demand_type is not None:
        case.demand_type = _choice(demand_type, DemandType, "demand_type")
        t.data["demand_type"] = demand_type
        if demand_type == DemandType.REPORT:  # a reporter of wrongdoing is always kept from the units
            case.is_confidential = True
            case.title = without_reporter(case, case.title)
    if urgency is not None:
        case.urgency = _choice(urgency, Urgency, "urgency")
        t.data["urgency"] = urgency


def _answer(t: Transition, *, knowledge_entry: int | None = None) -> None:
    _set_reply(t)
    t.case.replied_on_time = True
    if knowledge_entry is not None:
        t.data["knowledge_entry"] = _positive_int(knowledge_entry, "knowledge_entry", 2**63 - 1)


def _assign(
    t: Transition,
    *,
    lead_unit: int | Unit | None = None,
    co_units: Iterable[int | Unit] | None = None,
    handle_days: int | str | None = None,
    needs_contact: bool | None = None,
) -> None:
    case = t.case
    lead, co = _units(case, lead_unit, co_units, propose=True)
    _set_needs_contact(t, needs_contact)
    _hand_to(t, lead, co, handle_days)


def _reassign(
    t: Transition,
    *,
    lead_unit: int | Unit | None = None,
    co_units: Iterable[int | Unit] | None = None,
    handle_days: int | str | None = None,
    needs_contact: bool | None = None,
) -> None:
    case = t.case
    if lead_unit is None:
        raise InvalidInput(_("Choose the unit to reassign the case to."), field="lead_unit")
    lead = _unit(lead_unit, "lead_unit")
    if lead.pk == case.lead_unit_id:
        raise InvalidInput(
            _("%(unit)s leads the case already: to keep it there after a return, uphold the assignment.")
            % {"unit": lead},
            field="lead_unit",
        )
    # Co-units stay unless the dispatcher names new ones.
    co = _co_units(co_units, lead) if co_units is not None else [u for u in case.co_units.all() if u != lead]
    previous = case.lead_unit
    t.data["previous_lead_unit"] = previous.pk if previous else None
    _set_needs_contact(t, needs_contact)
    _hand_to(t, lead, co, handle_days)
    t.tell(
        unit_staff(previous),
        Notification.Kind.ASSIGNED,
        _("Case %(number)s was reassigned to %(unit)s.") % {"number": case.tracking_number, "unit": lead},
    )


def _units(case: Case, lead_unit, co_units, *, propose: bool) -> tuple[Unit, list[Unit]]:
    """The lead unit and co-units to hand the case to. Without a lead unit the routing catalogue's
    rule is taken, with its co-units only when no co-units were named: co-units named, even none
    (an empty list), are exactly the co-units."""
    if lead_unit is None and propose:
        routing = routing_for(category=case.category, area=case.area)
        if routing is None:
            raise InvalidInput(
                _("The routing catalogue has no rule for this category and area: choose the lead unit."),
                field="lead_unit",
            )
        co = list(routing.co_units) if co_units is None else _co_units(co_units, routing.lead_unit)
        return routing.lead_unit, co
    lead = _unit(lead_unit, "lead_unit")
    return lead, _co_units(() if co_units is None else co_units, lead)


def _unit(value: int | str | Unit, field: str) -> Unit:
    return unit_by_id(value.pk if isinstance(value, Unit) else value, field=field)


def _co_units(co_units, lead: Unit) -> list[Unit]:
    if isinstance(co_units, str | bytes | int) or not hasattr(co_units, "__iter__"):
        raise InvalidInput(_("Give the co-units as a list of units."), field="co_units")
    units = [_unit(u, "co_units") for u in co_units]
    return [u for u in {u.pk: u for u in units}.values() if u.pk != lead.pk]


def _hand_to(t: Transition, lead: Unit, co: list[Unit], handle_days: int | str | None = None) -> None:
    """Hand the case to its units and start the clocks: the deadline rule's limits, unless the
    dispatcher set the handling limit in working days (`handle_days`)."""
    case = t.case
    limits = limits_for(demand_type=case.demand_type, urgency=case.urgency, category=case.category)
    if handle_days not in (None, ""):
        days = _positive_int(handle_days, "handle_days", MAX_HANDLE_DAYS)
        limits = dataclasses.replace(limits, handle_limit=days, handle_unit=LimitUnit.WORKING_DAYS, rule=None)
    case.lead_unit = lead
    case.assigned_at = t.now
    case.signed_at = case.signed_on_time = None
    deadlines.start_clocks(case, t.calendar, limits, t.now)
    t.data.update(
        lead_unit=lead.pk,
        lead_unit_name=lead.name,
        co_units=[u.pk for u in co],
        sign_due_at=case.sign_due_at.isoformat(),
        handle_due_at=case.handle_due_at.isoformat(),
        limit=f"{limits.handle_limit} {limits.handle_unit}",
    )
    t.after_save.append(lambda: case.co_units.set(co))
    values = {"number": case.tracking_number, "title": case.title}
    message = _("New case %(number)s: %(title)s") % values
    t.tell(unit_staff(lead), Notification.Kind.ASSIGNED, message, sms=case.urgency != Urgency.NORMAL)
    for unit in co:
        t.tell(
            unit_staff(unit),
            Notification.Kind.ASSIGNED,
            _("New case to co-handle %(number)s: %(title)s") % values,
        )


def _sign_for(t: Transition) -> None:
    case = t.case
    case.signed_at = t.now
    case.signed_on_time = case.sign_due_at is None or t.now <= case.sign_due_at
    t.data["on_time"] = case.signed_on_time
    case.sign_due_at = case.sign_warn_at = None
    case.sign_limit, case.sign_unit = None, ""


def _return(t: Transition) -> None:
    t.case.return_count += 1
    t.data["lead_unit"] = t.case.lead_unit_id
    t.tell(
        role_holders(Role.DISPATCHER),
        Notification.Kind.RETURNED,
        _("Case %(number)s was returned by %(unit)s: %(note)s")
        % {"number": t.case.tracking_number, "unit": t.case.lead_unit, "note": t.note[:100]},
    )


def _uphold(t: Transition) -> None:
    case = t.case
    limits = limits_for(demand_type=case.demand_type, urgency=case.urgency, category=case.category)
    deadlines.restart_sign_clock(case, t.calendar, limits, t.now)
    case.signed_at = case.signed_on_time = None
    t.tell(
        unit_staff(case.lead_unit),
        Notification.Kind.ASSIGNED,
        _("Case %(number)s stays with your unit: %(note)s")
        % {"number": case.tracking_number, "note": t.note[:100]},
    )


def _request_extension(t: Transition, *, days: int) -> None:
    case = t.case
    days = _positive_int(days, "days", MAX_EXTENSION_DAYS)
    if case.handle_due_at is not None and t.now > case.handle_due_at:
        raise IllegalTransition(
            _("The handling deadline (%(due)s) has passed: an extension must be requested before it.")
            % {"due": clock.local(case.handle_due_at).strftime("%Y-%m-%d %H:%M")}
        )
    case.extension_days_requested = days
    t.data["days"] = days
    t.tell(
        role_holders(Role.DISPATCHER),
        Notification.Kind.EXTENSION,
        _("%(unit)s asks %(days)d more working days for case %(number)s.")
        % {"unit": case.lead_unit, "days": days, "number": case.tracking_number},
    )


def _approve_extension(t: Transition, *, days: int | None = None) -> None:
    case = t.case
    days = _positive_int(
        days if days is not None else case.extension_days_requested, "days", MAX_EXTENSION_DAYS
    )
    before = case.handle_due_at
    deadlines.extend_handling(case, t.calendar, days)
    case.extension_count += 1
    case.extension_days_requested = None
    t.data.update(
        days=days, handle_due_before=before.isoformat(), handle_due_at=case.handle_due_at.isoformat()
    )
    t.tell(
        unit_staff(case.lead_unit),
        Notification.Kind.EXTENSION,
        _("Extension of case %(number)s approved: new deadline %(due)s.")
        % {"number": case.tracking_number, "due": clock.local(case.handle_due_at).strftime("%Y-%m-%d %H:%M")},
    )


def _deny_extension(t: Transition) -> None:
    t.case.extension_days_requested = None
    t.tell(
        unit_staff(t.case.lead_unit),
        Notification.Kind.EXTENSION,
        _("Extension of case %(number)s denied: %(note)s")
        % {"number": t.case.tracking_number, "note": t.note[:100]},
    )


def _reply(t: Transition) -> None:
    case = t.case
    case.replied_on_time = case.handle_due_at is None or t.now <= case.handle_due_at
    case.extension_days_requested = None
    t.data["on_time"] = case.replied_on_time
    _set_reply(t)


def _set_reply(t: Transition) -> None:
    """Record the reply (答复) and pass it on to the cases merged into this one."""
    case = t.case
    case.reply_text = t.note
    case.replied_at = t.now


def _master_replied(t: Transition) -> None:
    t.case.reply_text = t.note or t.case.master.reply_text
    t.case.replied_at = t.now
    t.case.replied_on_time = t.case.master.replied_on_time
    t.data["master"] = t.case.master.tracking_number


def _follow_master(t: Transition) -> None:
    _take_master_deadline(t.case)


def _master_reopened(t: Transition) -> None:
    """重办 of the master: the repeat's reply is withdrawn with it (its timeline keeps it); it waits
    for the new one."""
    case = t.case
    case.satisfaction, case.resolved, case.replied_at, case.replied_on_time = "", None, None, None
    case.reply_text = ""
    _take_master_deadline(case)


def _master_archived(t: Transition) -> None:
    pass


def _take_master_deadline(case: Case) -> None:
    """A repeat's handling deadline is its master's: assigning, extending, suspending and reopening
    the master move it for both."""
    master = case.master
    case.handle_due_at, case.handle_due_original_at = master.handle_due_at, master.handle_due_original_at


def _co_reply(t: Transition) -> None:
    pass


def _callback(t: Transition, *, satisfaction: str, resolved: bool | None = None) -> None:
    case = t.case
    case.satisfaction = _choice(satisfaction, Satisfaction, "satisfaction")
    case.resolved = None if resolved is None else _bool(resolved, "resolved")
    t.data.update(satisfaction=case.satisfaction, resolved=case.resolved)


def _rate(t: Transition, *, stars: int | str) -> None:
    case = t.case
    if case.citizen_rating is not None:
        raise IllegalTransition(_("This reply has been rated already; thank you."))
    case.citizen_rating = _positive_int(stars, "stars", 5)
    case.citizen_rated_at = t.now
    t.data["stars"] = case.citizen_rating


def _archive(t: Transition) -> None:
    if t.case.satisfaction in (Satisfaction.DISSATISFIED, Satisfaction.UNREACHABLE, "") and not t.note:
        raise InvalidInput(
            _(
                "The requester was not satisfied or could not be reached: "
                "write why the case is archived anyway."
            ),
            field="note",
        )


def _reopen(t: Transition) -> None:
    case = t.case
    if case.satisfaction != Satisfaction.DISSATISFIED:
        raise IllegalTransition(
            _("Only a case whose requester was dissatisfied at callback can be reopened.")
        )
    case.rework_count += 1
    case.satisfaction, case.resolved, case.replied_at, case.replied_on_time = "", None, None, None
    t.data["rework"] = case.rework_count
    if case.master_id is not None:
        # A repeat whose own requester is dissatisfied with the master's reply leaves its master: it
        # goes to the centre to be handled as a case of its own (the master's course goes on).
        t.data["left_master"] = case.master.tracking_number
        case.master = None
    if case.lead_unit_id is None:  # answered on the spot (or a repeat): back to the centre, to be assigned
        case.handle_due_at = case.handle_due_original_at = None
        return
    limits = limits_for(demand_type=case.demand_type, urgency=case.urgency, category=case.category)
    deadlines.start_clocks(case, t.calendar, limits, t.now, sign=False)
    t.data["handle_due_at"] = case.handle_due_at.isoformat()
    t.tell(
        unit_staff(case.lead_unit),
        Notification.Kind.REOPENED,
        _("Case %(number)s is reopened after an unsatisfied callback: %(note)s")
        % {"number": case.tracking_number, "note": t.note[:100]},
    )


def _remind(t: Transition) -> None:
    t.case.remind_count += 1
    t.tell(
        unit_staff(t.case.lead_unit),
        Notification.Kind.REMINDER,
        _("Reminder for case %(number)s: %(title)s")
        % {"number": t.case.tracking_number, "title": t.case.title},
    )


def _supervise(t: Transition, *, level: int | str = SupervisionLevel.ORDINARY) -> None:
    names = {
        "ordinary": SupervisionLevel.ORDINARY,
        "yellow": SupervisionLevel.YELLOW,
        "red": SupervisionLevel.RED,
    }
    try:
        chosen = SupervisionLevel(
            names.get(level, level) if isinstance(level, str) and not level.isdigit() else int(level)
        )
    except (ValueError, TypeError):
        raise InvalidInput(
            _("The supervision level must be ordinary, yellow or red."), field="level"
        ) from None
    if chosen == SupervisionLevel.NONE:
        raise InvalidInput(_("The supervision level must be ordinary, yellow or red."), field="level")
    t.case.supervision_level = max(t.case.supervision_level, chosen)
    t.data["level"] = int(chosen)
    t.tell(
        unit_staff(t.case.lead_unit),
        Notification.Kind.SUPERVISION,
        _("%(level)s supervision of case %(number)s: %(note)s")
        % {"level": chosen.label, "number": t.case.tracking_number, "note": t.note[:100]},
        sms=chosen == SupervisionLevel.RED,
    )


def _request_instruction(t: Transition, *, leader: int | str | User) -> None:
    """请示领导批示: ask a named leader, who must be one who may instruct on this case (access)."""
    chosen = _leader(leader)
    if chosen is None or not access.may_instruct(chosen, t.case):
        raise InvalidInput(
            _("%(leader)s is not a leader who may instruct on this case: choose one of %(leaders)s.")
            % {
                "leader": chosen or leader,
                "leaders": "、".join(str(u) for u in access.leaders_for(t.case)) or _("nobody"),
            },
            field="leader",
        )
    waiting = t.case.instruction_requests.filter(leader=chosen, answered_at__isnull=True).first()
    if waiting is not None:
        raise IllegalTransition(
            _(
                "%(leader)s was asked for an instruction on case %(number)s on %(when)s "
                "and has not given it yet."
            )
            % {
                "leader": chosen,
                "number": t.case.tracking_number,
                "when": clock.local(waiting.requested_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    t.data.update(leader=chosen.pk, leader_name=str(chosen))
    t.after_save.append(
        lambda: InstructionRequest.objects.create(
            case=t.case, leader=chosen, requested_by=t.actor, requested_at=t.now, note=t.note
        )
    )
    t.tell(
        [chosen],
        Notification.Kind.INSTRUCTION,
        _("%(who)s asks for your instruction on case %(number)s: %(note)s")
        % {"who": t.actor, "number": t.case.tracking_number, "note": t.note[:100]},
    )


def _leader(value: int | str | User) -> User | None:
    if isinstance(value, User):
        return value
    pk = id_from_text(value)
    found = User.objects.filter(pk=pk).first() if pk is not None else None
    return found or User.objects.filter(username=str(value).strip()).first()


def _instruct(t: Transition) -> None:
    """领导批示. It answers the requests for this leader's instruction on the case; those who asked
    are told with the lead unit and the dispatchers."""
    asked = list(t.case.instruction_requests.filter(leader=t.actor, answered_at__isnull=True))
    if asked:
        t.data["answers"] = [r.pk for r in asked]
        t.after_save.append(
            lambda: InstructionRequest.objects.filter(pk__in=[r.pk for r in asked]).update(answered_at=t.now)
        )
    staff = unit_staff(t.case.lead_unit) if t.case.lead_unit_id else []
    requesters = [r.requested_by for r in asked]
    t.tell(
        list({u.pk: u for u in staff + role_holders(Role.DISPATCHER) + requesters}.values()),
        Notification.Kind.INSTRUCTION,
        _("Leader instruction on case %(number)s: %(note)s")
        % {"number": t.case.tracking_number, "note": t.note[:100]},
    )


def _merge(t: Transition, *, master: int | str) -> None:
    case = t.case
    target = Case.objects.select_for_update().filter(**_master_filter(master)).first()
    if target is None or not access.can_see(t.actor, target):
        raise InvalidInput(_("There is no master case %(id)s.") % {"id": master}, field="master")
    if target.pk == case.pk:
        raise InvalidInput(_("A case cannot be merged into itself."), field="master")
    if not may_be_master(target):
        raise InvalidInput(
            _(
                "Case %(number)s is “%(status)s” and cannot be a master case: "
                "merge into its master or another case."
            )
            % {"number": target.tracking_number, "status": target.get_status_display()},
            field="master",
        )
    case.master = target
    _take_master_deadline(case)
    t.data.update(master=target.tracking_number, master_id=target.pk)
    # Cases flagged as probable repeats of this one now probably repeat its master (疑似重复件): the
    # desk lists them against the case they can still be merged into.
    t.after_save.append(lambda: Case.objects.filter(suspected_master=case).update(suspected_master=target))
    # Repeats already merged into this case follow it to the new master.
    repeats = list(Case.objects.select_for_update().filter(master=case, status=Status.MERGED).order_by("pk"))
    if repeats:
        t.data["repeats_moved"] = [r.tracking_number for r in repeats]
        t.after_save.append(lambda: _move_repeats(repeats, target, t))
    if target.replied_at is not None and target.status in (Status.REPLIED, Status.CALLED_BACK):
        # The master already has its answer: pass it on to this requester (and the repeats) at once,
        # as if the master replied now.
        t.after_save.append(lambda: _repeats_follow(target, OPERATIONS["reply"], t.now, {}))


def _move_repeats(repeats: list[Case], target: Case, t: Transition) -> None:
    for repeat in repeats:
        repeat.master = target
        _take_master_deadline(repeat)
        repeat.save(update_fields=["master", "handle_due_at", "handle_due_original_at"])
        _event(repeat, t.op, t.actor, "", "", _("Moved with its master case %(number)s.")
               % {"number": t.case.tracking_number}, {"master": target.tracking_number}, t.now)  # fmt: skip


def _unmerge(t: Transition) -> None:
    case = t.case
    master = case.master
    t.data["master"] = master.tracking_number
    case.master = None
    case.handle_due_at = case.handle_due_original_at = None  # its master's: none runs until it is assigned
    if isinstance(t.actor, System):  # the master was closed without an answer (FOLLOW_MASTER)
        t.tell(
            role_holders(Role.DISPATCHER),
            Notification.Kind.RETURNED,
            _("Case %(master)s was closed without an answer; its repeat %(number)s needs handling again.")
            % {"master": master.tracking_number, "number": case.tracking_number},
        )


def _suspend(t: Transition) -> None:
    t.case.suspended_at = t.now
    t.case.suspended_from = t.case.status
    t.tell(
        _case_staff(t.case),
        Notification.Kind.SUSPENSION,
        _("Case %(number)s is suspended: %(note)s")
        % {"number": t.case.tracking_number, "note": t.note[:100]},
    )


def _resume(t: Transition) -> None:
    case = t.case
    deadlines.shift_for_pause(case, t.calendar, case.suspended_at, t.now)
    t.data.update(
        resumed_to=case.suspended_from,
        suspended_at=case.suspended_at.isoformat(),
        handle_due_at=case.handle_due_at.isoformat() if case.handle_due_at else None,
    )
    case.suspended_at, case.suspended_from = None, ""
    t.tell(
        _case_staff(case),
        Notification.Kind.SUSPENSION,
        _("Case %(number)s is resumed.") % {"number": case.tracking_number},
    )


def _withdraw(t: Transition) -> None:
    t.case.suspended_at, t.case.suspended_from = None, ""
    t.tell(
        _case_staff(t.case),
        Notification.Kind.WITHDRAWN,
        _("Case %(number)s was withdrawn: %(note)s")
        % {"number": t.case.tracking_number, "note": t.note[:100]},
    )


def _case_staff(case: Case) -> list[User]:
    """The staff of the lead unit and of the co-units."""
    staff = unit_staff(case.lead_unit) if case.lead_unit_id else []
    for unit in case.co_units.all():
        staff += unit_staff(unit)
    return staff


def _attach(t: Transition) -> None:
    """补充材料: the note and files are saved with the event; nothing else changes."""


EFFECTS: dict[str, Callable[..., None]] = {
    "accept": _accept,
    "attach": _attach,
    "reject": _reject,
    "answer": _answer,
    "classify": _classify,
    "assign": _assign,
    "sign_for": _sign_for,
    "return": _return,
    "reassign": _reassign,
    "uphold": _uphold,
    "request_extension": _request_extension,
    "approve_extension": _approve_extension,
    "deny_extension": _deny_extension,
    "reply": _reply,
    "co_reply": _co_reply,
    "callback": _callback,
    "rate": _rate,
    "archive": _archive,
    "reopen": _reopen,
    "remind": _remind,
    "supervise": _supervise,
    "request_instruction": _request_instruction,
    "instruct": _instruct,
    "merge": _merge,
    "unmerge": _unmerge,
    "master_replied": _master_replied,
    "follow_master": _follow_master,
    "master_reopened": _master_reopened,
    "master_archived": _master_archived,
    "suspend": _suspend,
    "resume": _resume,
    "withdraw": _withdraw,
}
assert set(EFFECTS) == set(OPERATIONS) - {"create"}, "every operation of the workflow needs an effect"


# --- input helpers -------------------------------------------------------------------------------


# Parameters that are not fields of the case, named for people in error messages.
PARAMETER_LABELS = {
    "note": _("note"),
    "knowledge_entry": _("knowledge entry"),
    "co_units": _("co-units"),
    "days": _("extension days"),
    "expected_version": _("version"),
    "level": _("supervision level"),
    "leader": _("leader"),
    "stars": _("stars"),
    "handle_days": _("handling limit (working days)"),
}


def _label(field_name: str) -> str:
    """The name people know a field by (its translated verbose name), for error messages."""
    try:
        return str(Case._meta.get_field(field_name).verbose_name)
    except FieldDoesNotExist:
        return str(PARAMETER_LABELS.get(field_name, field_name))


def _text(value: object, field_name: str) -> str:
    """A text of a case or an operation, stripped, within its limit (the column's width, or MAX_TEXT
    for the long texts): every channel goes through here, so none can store more or a NUL that
    PostgreSQL refuses."""
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise InvalidInput(
            _("%(field)s holds a NUL character: send plain text.") % {"field": _label(field_name)},
            field=field_name,
        )
    most = _max_length(field_name)
    if len(text) > most:
        raise InvalidInput(
            _("%(field)s is too long: %(n)d characters, at most %(max)d are allowed; shorten it.")
            % {"field": _label(field_name), "n": len(text), "max": most},
            field=field_name,
        )
    return text


def _max_length(field_name: str) -> int:
    try:
        return Case._meta.get_field(field_name).max_length or MAX_TEXT
    except FieldDoesNotExist:
        return MAX_TEXT  # a note, a reply


def _choice(value: str, choices, field_name: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("“%(value)s” is not a valid %(field)s; use one of: %(options)s.")
            % {
                "value": value,
                "field": _label(field_name),
                "options": ", ".join(f"{v} ({label})" for v, label in choices.choices),
            },
            field=field_name,
        )
    return value


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _bool(value: object, field_name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise InvalidInput(
        _("%(field)s must be yes or no (true/false).") % {"field": _label(field_name)}, field=field_name
    )


def _positive_int(value: object, field_name: str, maximum: int) -> int:
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= maximum:
        raise InvalidInput(
            _("%(field)s must be a whole number from 1 to %(max)d.")
            % {"field": _label(field_name), "max": maximum},
            field=field_name,
        )
    return number


def _area(area: Area | int | str | None) -> Area | None:
    if area is None or area == "":
        return None
    if isinstance(area, Area):
        return area
    found = Area.objects.filter(code=str(area), is_active=True).first()
    if found is None and id_from_text(area) is not None:
        found = Area.objects.filter(pk=id_from_text(area), is_active=True).first()
    if found is None:
        raise InvalidInput(
            _("There is no area %(area)s: choose a street, community or grid.") % {"area": area}, field="area"
        )
    return found


def plain_decimal(text: str) -> bool:
    """Whether `text` is a plain decimal number: an optional sign, ASCII digits, an optional point
    followed by digits ("-34.7", "116"). Decimal also reads "1_0", "３４.７", "1e1" and " 34.7 "."""
    return PLAIN_DECIMAL.fullmatch(text) is not None


PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def _coordinate(value, field_name: str, limit: int) -> Decimal | None:
    """A latitude or longitude in degrees, to six places. Every edge that takes coordinates (the
    API, Open311, any form) ends here. Given as text it must be a plain decimal number
    (`plain_decimal`), whatever else Decimal would read; a number (a JSON number, a Decimal of a
    form) must be finite: NaN and Infinity are no place (and a NaN would fail the range comparison
    itself)."""
    if value is None or value == "":
        return None
    number = None
    if isinstance(value, str):
        number = Decimal(value) if plain_decimal(value) else None
    elif isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise InvalidInput(
            _("%(field)s must be a number.") % {"field": _label(field_name)},
            field=field_name,
        )
    if abs(number) > limit:
        raise InvalidInput(
            _("%(field)s must lie between -%(limit)d and %(limit)d.")
            % {"field": _label(field_name), "limit": limit},
            field=field_name,
        )
    return number.quantize(Decimal("0.000001"))


def _checked_attachments(files: Sequence[UploadedFile]) -> list[UploadedFile]:
    """The files to store: a file that claims to be a photo becomes its re-encoded copy without EXIF
    (core/photos.py, which refuses one that does not decode); any other is kept as a document, which
    the attachment views only ever offer as a download."""
    if len(files) > ATTACHMENT_MAX_FILES:
        raise InvalidInput(
            _("You sent %(count)d files; at most %(most)d may be sent at once.")
            % {"count": len(files), "most": ATTACHMENT_MAX_FILES},
            field="attachments",
        )
    checked = []
    for f in files:
        if getattr(f, "sent_size", f.size) > ATTACHMENT_MAX_BYTES:  # a photo's copy: the size sent
            raise InvalidInput(
                _("%(name)s is larger than %(mb)d MB: send a smaller file.")
                % {"name": f.name, "mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                field="attachments",
            )
        checked.append(photos.photo_copy(f, field="attachments") if photos.claims_photo(f) else f)
    return checked


def _checked_photos_for_requester(op: Operation, files: Sequence[UploadedFile], *, others: int) -> list:
    """Copies of the photos to show the requester, named reply-photo-N (a unit's file name may name a
    person) and re-encoded without EXIF; a document is refused, not stored."""
    if not files:
        return []
    if not op.photos_for_requester:
        raise InvalidInput(
            _("Only the reply's photos can be shown to the requester: attach these as attachments."),
            field="photos_for_requester",
        )
    if others + len(files) > ATTACHMENT_MAX_FILES:
        raise InvalidInput(
            _("You sent %(count)d files; at most %(most)d may be sent at once.")
            % {"count": others + len(files), "most": ATTACHMENT_MAX_FILES},
            field="photos_for_requester",
        )
    copies = []
    for number, f in enumerate(files, start=1):
        if getattr(f, "sent_size", f.size) > ATTACHMENT_MAX_BYTES:
            raise InvalidInput(
                _("%(name)s is larger than %(mb)d MB: send a smaller file.")
                % {"name": f.name, "mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                field="photos_for_requester",
            )
        copies.append(photos.photo_copy(f, field="photos_for_requester", stem=f"reply-photo-{number}"))
    return copies


def _stored_type(f: UploadedFile) -> str:
    if isinstance(f, photos.Photo):
        return f.content_type
    # A document is never stored under a photo's type (the views show those inline).
    sent = getattr(f, "content_type", "") or ""
    return sent if sent and sent not in photos.PHOTO_TYPES else "application/octet-stream"


def _save_attachments(case, event, files, actor, now, *, for_requester: bool = False) -> None:
    for f in files:
        Attachment.objects.create(
            case=case,
            event=event,
            file=f,
            name=f.name[:200],
            size=f.size,
            content_type=_stored_type(f),
            uploaded_by=actor if isinstance(actor, User) else None,
            created_at=now,
            for_requester=for_requester,
        )
