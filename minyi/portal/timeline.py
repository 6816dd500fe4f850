"""The public timeline (办理进度) of a case, as the citizen sees it.

Only operations the workflow declares public appear, each as its label and time. No person and no
note is read, except the text meant for the citizen: the reply (or the answer given on the spot) with
the unit that gave it and the photos it sent for the requester (access.cases.attachments_visible_to),
and the reason of a rejection or a withdrawal. Units are public bodies and the citizen may know who
answered; staff names and internal notes (a return, a supervision, an instruction …) never leave
this module.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from minyi.access import cases as access
from minyi.access.principals import Citizen
from minyi.cases.models import Attachment, Case, CaseEvent
from minyi.cases.workflow import OPERATIONS

PUBLIC_OPERATIONS = [name for name, op in OPERATIONS.items() if op.public]
REPLIES = frozenset({"reply", "answer", "master_replied"})
REASONS = frozenset({"reject", "withdraw"})


@dataclass(frozen=True)
class PublicEvent:
    operation: str
    label: str
    at: dt.datetime
    reply: str = ""
    reason: str = ""
    unit: str = ""  # the unit that replied
    photos: tuple[Attachment, ...] = field(default=())  # the photos it sent for the requester


def public_timeline(case: Case) -> list[PublicEvent]:
    events = list(
        case.events.filter(operation__in=PUBLIC_OPERATIONS)
        .select_related("actor_unit")
        .order_by("created_at", "id")
    )
    photos = defaultdict(list)
    for photo in access.attachments_visible_to(Citizen(case_id=case.pk), case).order_by("created_at", "id"):
        photos[photo.event_id].append(photo)
    return [
        PublicEvent(
            operation=event.operation,
            label=str(OPERATIONS[event.operation].label),
            at=event.created_at,
            reply=event.note if event.operation in REPLIES else "",
            reason=event.note if event.operation in REASONS else "",
            unit=_replying_unit(case, event) if event.operation in REPLIES else "",
            photos=tuple(photos.get(event.pk, ())),
        )
        for event in events
    ]


def _replying_unit(case: Case, event: CaseEvent) -> str:
    """The unit that gave this reply; for a repeat given its master's reply, the unit that replied
    to the master."""
    if event.actor_unit_id:
        return event.actor_unit.name
    if event.operation == "master_replied" and case.master_id:
        master_reply = (
            CaseEvent.objects.filter(
                case_id=case.master_id, operation__in=("reply", "answer"), created_at__lte=event.created_at
            )
            .exclude(actor_unit=None)
            .select_related("actor_unit")
            .order_by("-created_at", "-id")
            .first()
        )
        return master_reply.actor_unit.name if master_reply else ""
    return ""


def latest_reply(timeline: list[PublicEvent]) -> PublicEvent | None:
    """The reply the case shows now (a reopened case may have several)."""
    return next((e for e in reversed(timeline) if e.operation in REPLIES), None)
