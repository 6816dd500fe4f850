"""The public timeline (办理进度) of a case, as the citizen sees it.

Only operations the workflow declares public appear, each as its label and time. No actor, unit or
note is read, except the text meant for the citizen: the reply (or the answer given on the spot) and
the reason of a rejection or a withdrawal. Internal notes (a return, a supervision, an instruction …)
never leave this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minyi.cases.models import Case
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


def public_timeline(case: Case) -> list[PublicEvent]:
    rows = (
        case.events.filter(operation__in=PUBLIC_OPERATIONS)
        .order_by("created_at", "id")
        .values_list("operation", "created_at", "note")
    )
    return [
        PublicEvent(
            operation=operation,
            label=str(OPERATIONS[operation].label),
            at=created_at,
            reply=note if operation in REPLIES else "",
            reason=note if operation in REASONS else "",
        )
        for operation, created_at, note in rows
    ]
