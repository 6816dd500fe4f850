"""Historic cases (历史工单): cases that happened elsewhere, written with their original times and
final state so that analysis and the measures can run on history.

This module and cases/services.py are the only writers of cases. services.py applies the workflow
to live cases, one operation at a time, with locks, deadlines and notifications; a historic case
did not happen here, so none of that applies: it is written in its final status, in bulk, with the
event log that leads there, one event per step of the workflow (create → accept → assign → sign
for → reply, or create → answer when neither a unit nor an acceptance is known → callback →
archive; reject; withdraw), each from_status / to_status pair one the workflow allows. The events
have no actor (actor_label "导入") and carry {"imported": true, "source": <file name>}, so timelines
and audits tell them from live work.

No deadlines are computed for historic cases: their deadline columns and `alert_at` stay empty, so
the deadline worker never looks at them and on-time measures leave them out (replied_on_time is
None). A case imported as "received" enters the normal loop as a new demand to accept.

Rows are bulk-created in batches; `all_or_nothing` writes everything in one transaction (nothing is
left when anything fails), otherwise each batch is its own transaction (a failure leaves no half
batch, and the batches before it stay).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minyi.analysis.keyword_index import index_cases
from minyi.cases.models import Case, CaseEvent
from minyi.cases.services import QUERY_CODE_ALPHABET, reserve_tracking_numbers
from minyi.cases.workflow import OPERATIONS, Status
from minyi.catalog.choices import DemandType, Urgency
from minyi.catalog.models import Category
from minyi.core import clock
from minyi.org.models import Area, Unit

ACTOR_LABEL = "导入"
BATCH_SIZE = 500
# The statuses a historic case may have: the open one it can enter the loop with, and the closed ones.
IMPORTABLE_STATUSES = (
    Status.RECEIVED.value,
    Status.REPLIED.value,
    Status.CALLED_BACK.value,
    Status.ARCHIVED.value,
    Status.REJECTED.value,
    Status.WITHDRAWN.value,
)
REPLIED_STATUSES = (Status.REPLIED, Status.CALLED_BACK, Status.ARCHIVED)
TIME_ORDER = ("received_at", "accepted_at", "assigned_at", "signed_at", "replied_at", "closed_at")


@dataclass
class HistoricCase:
    channel: str
    demand_type: str
    title: str
    description: str
    status: str
    received_at: dt.datetime
    external_id: str = ""
    urgency: str = Urgency.NORMAL
    accepted_at: dt.datetime | None = None
    assigned_at: dt.datetime | None = None
    signed_at: dt.datetime | None = None
    replied_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    reply_text: str = ""
    satisfaction: str = ""
    category: Category | None = None
    area: Area | None = None
    address: str = ""
    lead_unit: Unit | None = None
    requester_name: str = ""
    requester_phone: str = ""
    requester_id_number: str = ""
    requester_ref: str = ""
    is_anonymous: bool = False
    is_confidential: bool = False
    needs_contact: bool = False


def problems(item: HistoricCase) -> list[tuple[str, str]]:
    """What keeps this case from being written, as (field, message); empty when it can be."""
    found: list[tuple[str, str]] = []
    if item.status not in IMPORTABLE_STATUSES:
        found.append(
            (
                "status",
                _("The status “%(status)s” cannot be imported; importable statuses: %(allowed)s.")
                % {"status": item.status, "allowed": ", ".join(IMPORTABLE_STATUSES)},
            )
        )
        return found
    if item.status in REPLIED_STATUSES and item.replied_at is None:
        found.append(("replied_at", _("A replied case needs the time of its reply: fill in the reply time.")))
    now = clock.now()
    previous = None
    for name in TIME_ORDER:
        moment = getattr(item, name)
        if moment is None:
            continue
        if moment > now:
            found.append((name, _("This time lies in the future: correct it.")))
        if previous is not None and moment < getattr(item, previous):
            found.append(
                (
                    name,
                    _("This time is before %(earlier)s: the times of a case must follow each other.")
                    % {"earlier": str(Case._meta.get_field(previous).verbose_name)},
                )
            )
        previous = name
    return found


@dataclass
class Written:
    created: int = 0
    already_present: int = 0


def create_historic_cases(
    items: Sequence[HistoricCase], *, source: str, all_or_nothing: bool = True, batch_size: int = BATCH_SIZE
) -> Written:
    """Write the cases and their events. Items must have passed `problems`. Cases whose (channel,
    external_id) exists already are left out and counted, never written twice."""
    ordered = sorted(items, key=lambda i: i.received_at)  # tracking numbers follow the received time
    written = Written()
    batches = [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]
    if all_or_nothing:
        # Tracking numbers first, each month's range in its own short transaction: the month's
        # counter row must not stay locked (live registrations wait on it) for the whole import.
        # Rows found present meanwhile leave gaps, which are harmless.
        numbers = dict(zip(map(id, ordered), _tracking_numbers(ordered), strict=True))
        with transaction.atomic():
            for batch in batches:
                _write_batch(batch, source, written, numbers)
        return written
    for batch in batches:
        try:
            with transaction.atomic():
                _write_batch(batch, source, written)
        except IntegrityError:
            # Another process wrote one of these external ids meanwhile: once more, leaving those out.
            with transaction.atomic():
                _write_batch(batch, source, written)
    return written


def _existing(batch: Sequence[HistoricCase]) -> set[tuple[str, str]]:
    by_channel: dict[str, list[str]] = defaultdict(list)
    for item in batch:
        if item.external_id:
            by_channel[item.channel].append(item.external_id)
    found: set[tuple[str, str]] = set()
    for channel, ids in by_channel.items():
        found |= {
            (channel, ext)
            for ext in Case.objects.filter(channel=channel, external_id__in=ids).values_list(
                "external_id", flat=True
            )
        }
    return found


def _write_batch(
    batch: Sequence[HistoricCase], source: str, written: Written, reserved: dict[int, str] | None = None
) -> None:
    existing = _existing(batch)
    new = [i for i in batch if (i.channel, i.external_id) not in existing]
    written.already_present += len(batch) - len(new)
    if not new:
        return
    numbers = [reserved[id(item)] for item in new] if reserved else _tracking_numbers(new)
    cases = [_case(item, number) for item, number in zip(new, numbers, strict=True)]
    Case.objects.bulk_create(cases)
    if any(c.pk is None for c in cases):  # a database that does not return ids: read them back
        ids = dict(Case.objects.filter(tracking_number__in=numbers).values_list("tracking_number", "pk"))
        for case in cases:
            case.pk = case.id = ids[case.tracking_number]
    data = {"imported": True, "source": source}
    events = [event for item, case in zip(new, cases, strict=True) for event in _events(item, case, data)]
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    index_cases(cases)
    written.created += len(cases)


def _tracking_numbers(items: Sequence[HistoricCase]) -> list[str]:
    """One number per item, of the month of its received time: each month's range reserved at once."""
    by_month: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_month[clock.local(item.received_at).strftime("%Y%m")].append(index)
    numbers: list[str] = [""] * len(items)
    for indexes in by_month.values():
        reserved = reserve_tracking_numbers(items[indexes[0]].received_at, len(indexes))
        for index, number in zip(indexes, reserved, strict=True):
            numbers[index] = number
    return numbers


def _times(item: HistoricCase) -> dict[str, dt.datetime | None]:
    """The moments of the steps, each defaulting to the one before (a step not dated in the source
    happened no later than the next one we know)."""
    accepted = item.accepted_at or item.received_at
    assigned = (item.assigned_at or accepted) if item.lead_unit else None
    signed = (item.signed_at or assigned) if assigned else None
    replied = item.replied_at if item.status in REPLIED_STATUSES else None
    closed = None
    if item.status == Status.ARCHIVED:
        closed = item.closed_at or replied
    elif item.status in (Status.REJECTED, Status.WITHDRAWN):
        closed = item.closed_at or item.replied_at or item.accepted_at or item.received_at
    called_back = (
        (item.closed_at or replied) if item.status in (Status.CALLED_BACK, Status.ARCHIVED) else None
    )
    return {
        "accepted": accepted,
        "assigned": assigned,
        "signed": signed,
        "replied": replied,
        "called_back": called_back,
        "closed": closed,
    }


def _case(item: HistoricCase, number: str) -> Case:
    status = Status(item.status)
    t = _times(item)
    is_open = status == Status.RECEIVED
    # A case rejected (不予受理) never reached a unit; one still open waits to be accepted.
    goes_to_unit = item.lead_unit is not None and status not in (Status.RECEIVED, Status.REJECTED)
    return Case(
        tracking_number=number,
        query_code="".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6)),
        channel=item.channel,
        demand_type=item.demand_type,
        urgency=item.urgency or Urgency.NORMAL,
        title=item.title,
        description=item.description,
        area=item.area,
        address=item.address,
        requester_name="" if item.is_anonymous else item.requester_name,
        requester_phone=item.requester_phone,
        requester_id_number=item.requester_id_number,
        requester_ref=item.requester_ref[:64],
        is_anonymous=item.is_anonymous,
        is_confidential=item.is_confidential or item.demand_type == DemandType.REPORT,
        needs_contact=item.needs_contact,
        category=item.category,
        lead_unit=item.lead_unit if goes_to_unit else None,
        status=status,
        received_at=item.received_at,
        accepted_at=t["accepted"] if _accepted(item) else None,
        assigned_at=None if is_open or not goes_to_unit else t["assigned"],
        signed_at=t["signed"] if goes_to_unit and status in REPLIED_STATUSES else None,
        replied_at=t["replied"],
        closed_at=t["closed"],
        reply_text=item.reply_text if not is_open else "",
        satisfaction=item.satisfaction if status in (Status.CALLED_BACK, Status.ARCHIVED) else "",
        external_id=item.external_id,
    )


def _accepted(item: HistoricCase) -> bool:
    """Was the case accepted (受理) on its way to its final status? When the source says so (a time
    of acceptance), or when it went to a unit (assigning needs an accepted case). A case replied
    without either was answered directly (直接办结, from "received"), as the services record it."""
    if item.status in (Status.RECEIVED, Status.REJECTED):
        return item.status == Status.REJECTED and item.accepted_at is not None
    return item.accepted_at is not None or item.lead_unit is not None


def _events(item: HistoricCase, case: Case, data: dict) -> list[CaseEvent]:
    """The event log leading to the case's final status, each step a transition of the workflow."""
    t = _times(item)
    steps: list[tuple[str, str, str, dt.datetime, str, dict]] = [
        ("create", "", Status.RECEIVED, item.received_at, "", {"channel": item.channel})
    ]
    status = Status(item.status)
    current = Status.RECEIVED

    def step(op: str, moment: dt.datetime, note: str = "", extra: dict | None = None) -> None:
        nonlocal current
        target = OPERATIONS[op].target
        assert current in OPERATIONS[op].sources, (op, current)
        steps.append((op, current, target, moment, note, extra or {}))
        current = target

    if status != Status.RECEIVED:
        if _accepted(item):
            step("accept", t["accepted"])
        if status in REPLIED_STATUSES:
            if case.lead_unit_id:
                step("assign", t["assigned"], extra={"lead_unit": case.lead_unit_id})
                step("sign_for", t["signed"])
                step("reply", t["replied"], item.reply_text)
            else:
                step("answer", t["replied"], item.reply_text)  # 直接办结: no unit is known
            if status in (Status.CALLED_BACK, Status.ARCHIVED):
                step("callback", t["called_back"], extra={"satisfaction": case.satisfaction})
            if status == Status.ARCHIVED:
                step("archive", t["closed"])
        elif status == Status.REJECTED:
            step("reject", t["closed"], item.reply_text)
        elif status == Status.WITHDRAWN:
            if case.lead_unit_id:
                step("assign", t["assigned"], extra={"lead_unit": case.lead_unit_id})
            step("withdraw", t["closed"], item.reply_text)
    assert current == status, (current, status)
    return [
        CaseEvent(
            case=case,
            operation=op,
            from_status=from_status,
            to_status=to_status,
            actor=None,
            actor_label=ACTOR_LABEL,
            actor_unit=case.lead_unit if op in ("sign_for", "reply") else None,
            note=note,
            data={**data, **extra},
            created_at=moment,
        )
        for op, from_status, to_status, moment, note, extra in steps
    ]
