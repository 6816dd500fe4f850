"""How our statuses read in Open311, and which operation an Open311 status update asks for.

Everything the Open311 server says or accepts about statuses lives here, in three tables:

- `OPEN311_STATUS`: GeoReport v2 knows only "open" and "closed"; a case is open while its status is
  in `workflow.OPEN`.
- `EXTENDED_STATUS`: the finer statuses of mySociety's extension (FixMyStreet), used by
  `servicerequestupdates`.
- `UPDATE_OPERATIONS`: an update posted with a status asks us to bring the case there; for each
  status the candidate operations, in order of preference. The first one the key's account may
  perform now (access.allowed_operations) is performed, so one table serves a unit's system
  (reply …) and a citizen-side system (withdraw …) alike. A posted status equal to the current one
  adds material instead (`attach`, 补充材料).
"""

from __future__ import annotations

from minyi.cases.workflow import OPEN, Status


class Extended:
    """The status values of mySociety's Open311 extension."""

    OPEN = "OPEN"
    INVESTIGATING = "INVESTIGATING"
    IN_PROGRESS = "IN_PROGRESS"
    ACTION_SCHEDULED = "ACTION_SCHEDULED"
    INTERNAL_REFERRAL = "INTERNAL_REFERRAL"
    FIXED = "FIXED"
    CLOSED = "CLOSED"
    DUPLICATE = "DUPLICATE"
    NOT_COUNCILS_RESPONSIBILITY = "NOT_COUNCILS_RESPONSIBILITY"
    NO_FURTHER_ACTION = "NO_FURTHER_ACTION"


ALL_EXTENDED = (
    Extended.OPEN,
    Extended.INVESTIGATING,
    Extended.IN_PROGRESS,
    Extended.ACTION_SCHEDULED,
    Extended.INTERNAL_REFERRAL,
    Extended.FIXED,
    Extended.CLOSED,
    Extended.DUPLICATE,
    Extended.NOT_COUNCILS_RESPONSIBILITY,
    Extended.NO_FURTHER_ACTION,
)

OPEN311_STATUS: dict[Status, str] = {status: "open" if status in OPEN else "closed" for status in Status}

EXTENDED_STATUS: dict[Status, str] = {
    Status.RECEIVED: Extended.OPEN,
    Status.ACCEPTED: Extended.INVESTIGATING,
    Status.ASSIGNED: Extended.ACTION_SCHEDULED,
    Status.HANDLING: Extended.IN_PROGRESS,
    Status.EXTENSION_REQUESTED: Extended.IN_PROGRESS,
    Status.RETURNED: Extended.INTERNAL_REFERRAL,
    # Suspended (挂起, e.g. awaiting a court ruling): the work is planned but waits.
    Status.SUSPENDED: Extended.ACTION_SCHEDULED,
    Status.REPLIED: Extended.FIXED,
    Status.CALLED_BACK: Extended.FIXED,
    Status.ARCHIVED: Extended.FIXED,
    Status.REJECTED: Extended.NOT_COUNCILS_RESPONSIBILITY,
    Status.MERGED: Extended.DUPLICATE,
    Status.WITHDRAWN: Extended.CLOSED,
}
assert set(OPEN311_STATUS) == set(EXTENDED_STATUS) == set(Status), "every status needs its Open311 word"

# Requested extended status → candidate steps, best first. A step is one operation or a short chain
# performed in one transaction: a unit's system that reports FIXED on a case it has not signed for yet
# signs for it and replies. DUPLICATE is absent on purpose: a merge needs the master case, which an
# update cannot name.
Steps = tuple[str, ...]
UPDATE_OPERATIONS: dict[str, tuple[Steps, ...]] = {
    Extended.FIXED: (("reply",), ("answer",), ("sign_for", "reply"), ("withdraw",)),
    Extended.CLOSED: (("reply",), ("answer",), ("sign_for", "reply"), ("withdraw",)),
    Extended.NO_FURTHER_ACTION: (("reply",), ("answer",), ("sign_for", "reply"), ("withdraw",)),
    Extended.IN_PROGRESS: (("sign_for",), ("resume",), ("approve_extension",)),
    Extended.INVESTIGATING: (("accept",),),
    Extended.ACTION_SCHEDULED: (("assign",),),
    Extended.OPEN: (("reopen",), ("attach",)),
    Extended.INTERNAL_REFERRAL: (("return",),),
    Extended.NOT_COUNCILS_RESPONSIBILITY: (("reject",),),
}
SAME_STATUS = ("attach",)


def open311_status(status: str) -> str:
    return OPEN311_STATUS[Status(status)]


def extended_status(status: str) -> str:
    return EXTENDED_STATUS[Status(status)]


def parse_extended(value: str) -> str | None:
    """A posted status in the extension's spelling; GeoReport's "open"/"closed" are accepted too."""
    text = (value or "").strip().upper().replace(" ", "_")
    return text if text in ALL_EXTENDED else None


def candidate_steps(requested: str, current_status: str) -> tuple[Steps, ...]:
    """The steps that would answer an update asking for `requested`, best first: when the case is in
    that status already, adding the update as material (补充材料) comes first."""
    table = UPDATE_OPERATIONS.get(requested, ())
    if requested == extended_status(current_status):
        return (SAME_STATUS, *(steps for steps in table if steps != SAME_STATUS))
    return table


def first_possible(requested: str, current_status: str, allowed: set[str]) -> Steps | None:
    """The first candidate whose first operation the actor may perform now (`allowed`); the next
    operations of a chain are checked by case_apply as they come."""
    return next((s for s in candidate_steps(requested, current_status) if s[0] in allowed), None)
