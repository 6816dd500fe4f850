"""The lifecycle of a case (工单), declared once, as data.

This module says which statuses exist, which operation moves a case from which statuses to which,
who may perform it (roles, and whether they must act for the lead unit or a co-unit), whether a note
is required and whether citizens see it in the public timeline. `cases.services.case_apply` is the
only code that applies an operation; `access` evaluates the roles and relations declared here.
docs/workflow.md draws the same lifecycle as a diagram.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.org.roles import Role


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")  # 待受理
    ACCEPTED = "accepted", _("Accepted")  # 已受理, 待交办
    ASSIGNED = "assigned", _("Assigned")  # 已交办, 待签收
    HANDLING = "handling", _("Handling")  # 办理中
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")  # 延期待审
    RETURNED = "returned", _("Returned")  # 退单待审
    SUSPENDED = "suspended", _("Suspended")  # 挂起
    REPLIED = "replied", _("Replied")  # 已答复(办结), 待回访
    CALLED_BACK = "called_back", _("Called back")  # 已回访, 待归档
    ARCHIVED = "archived", _("Archived")  # 已归档
    REJECTED = "rejected", _("Rejected")  # 不予受理
    MERGED = "merged", _("Merged")  # 已并单
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤单


# Pseudo-roles for actors that are not staff users.
CITIZEN = "citizen"  # 群众, proven by tracking number + query code
SYSTEM = "system"  # minyi itself (worker, propagation to merged cases)


class Relation(enum.Enum):
    """What the actor must be to the case, beyond holding the role."""

    CASE = "case"  # the case is within the role's data scope
    LEAD_UNIT = "lead_unit"  # the actor acts for the lead unit (主办单位)
    CO_UNIT = "co_unit"  # the actor acts for one of the co-units (协办单位)


class Back(enum.Enum):
    """Targets that depend on where the case came from."""

    PREVIOUS = "status before suspension"  # resume: back to the status it was suspended in
    TO_HANDLER = "handling, or accepted when answered on the spot"  # reopen: back to whoever answered


@dataclass(frozen=True)
class Operation:
    name: str
    label: str
    roles: frozenset[str]
    sources: frozenset[Status]
    target: Status | Back | None  # None: the status does not change
    relation: Relation = Relation.CASE
    note_required: bool = False
    public: bool = False  # shown in the citizen's timeline (without staff names or internal notes)
    # The operation adds material: it needs a note or at least one file (or both).
    material_required: bool = False
    # Photos sent with it may be marked for the requester, who then sees them in the portal with the
    # text (the reply: the work done). Everything else a unit attaches stays internal.
    photos_for_requester: bool = False


OPEN = frozenset(
    {
        Status.RECEIVED,
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.HANDLING,
        Status.EXTENSION_REQUESTED,
        Status.RETURNED,
        Status.SUSPENDED,
    }
)
WITH_UNIT = frozenset({Status.ASSIGNED, Status.HANDLING, Status.EXTENSION_REQUESTED})
TERMINAL = frozenset({Status.ARCHIVED, Status.REJECTED, Status.WITHDRAWN})
UNIT_ROLES = frozenset({Role.UNIT_HANDLER, Role.UNIT_HEAD})
# A case in these statuses can be the master (主单) that repeats are merged into: open, or answered
# and not yet archived (the repeat's requester is then given the master's answer at once). Not a
# case closed without an answer (rejected, withdrawn), not a repeat itself (merged), and not an
# archived one: its loop is closed, and the same problem raised again is a new case.
MASTER_STATUSES = frozenset(Status) - {Status.MERGED, Status.REJECTED, Status.WITHDRAWN, Status.ARCHIVED}
CENTRE = frozenset({Role.DISPATCHER})


def _op(name, label, roles, sources, target, **kw) -> Operation:
    return Operation(name, label, frozenset(roles), frozenset(sources), target, **kw)


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in [
        _op(
            "create",
            _("Register"),
            {
                Role.OPERATOR,
                Role.DISPATCHER,
                Role.GRID_WORKER,
                Role.VISIT_SECRETARY,
                Role.INTEGRATION,
                CITIZEN,
                SYSTEM,
            },
            set(),
            Status.RECEIVED,
            public=True,
        ),  # 登记
        _op(
            "accept", _("Accept"), CENTRE | {Role.OPERATOR}, {Status.RECEIVED}, Status.ACCEPTED, public=True
        ),  # 受理: the operator (受理员) at the hotline or window, or the dispatcher
        _op(
            "reject",
            _("Reject"),
            CENTRE,
            {Status.RECEIVED, Status.ACCEPTED},
            Status.REJECTED,
            note_required=True,
            public=True,
        ),  # 不予受理
        _op(
            "answer",
            _("Answer directly"),
            {Role.OPERATOR, Role.DISPATCHER, Role.GRID_WORKER},
            {Status.RECEIVED, Status.ACCEPTED},
            Status.REPLIED,
            note_required=True,
            public=True,
        ),  # 直接办结
        _op("classify", _("Classify"), CENTRE, {Status.RECEIVED, Status.ACCEPTED}, None),  # 分析/分类
        _op("assign", _("Assign"), CENTRE, {Status.ACCEPTED}, Status.ASSIGNED, public=True),  # 交办
        _op(
            "sign_for",
            _("Sign for"),
            UNIT_ROLES,
            {Status.ASSIGNED},
            Status.HANDLING,
            relation=Relation.LEAD_UNIT,
            public=True,
        ),  # 签收
        _op(
            "return",
            _("Return"),
            UNIT_ROLES,
            {Status.ASSIGNED, Status.HANDLING},
            Status.RETURNED,
            relation=Relation.LEAD_UNIT,
            note_required=True,
        ),  # 退单
        _op(
            "reassign",
            _("Reassign"),
            CENTRE,
            {Status.RETURNED, Status.ASSIGNED},
            Status.ASSIGNED,
            public=True,
        ),  # 改派
        _op(
            "uphold", _("Uphold assignment"), CENTRE, {Status.RETURNED}, Status.ASSIGNED, note_required=True
        ),  # 维持原派
        _op(
            "request_extension",
            _("Request extension"),
            UNIT_ROLES,
            {Status.HANDLING},
            Status.EXTENSION_REQUESTED,
            relation=Relation.LEAD_UNIT,
            note_required=True,
        ),  # 申请延期
        _op(
            "approve_extension",
            _("Approve extension"),
            CENTRE,
            {Status.EXTENSION_REQUESTED},
            Status.HANDLING,
            public=True,
        ),  # 同意延期
        _op(
            "deny_extension",
            _("Deny extension"),
            CENTRE,
            {Status.EXTENSION_REQUESTED},
            Status.HANDLING,
            note_required=True,
        ),  # 不同意延期
        _op(
            "reply",
            _("Reply"),
            UNIT_ROLES,
            {Status.HANDLING, Status.EXTENSION_REQUESTED},
            Status.REPLIED,
            relation=Relation.LEAD_UNIT,
            note_required=True,
            public=True,
            photos_for_requester=True,
        ),  # 答复
        _op(
            "co_reply",
            _("Co-unit opinion"),
            UNIT_ROLES,
            WITH_UNIT,
            None,
            relation=Relation.CO_UNIT,
            note_required=True,
        ),  # 协办意见
        _op(
            "callback",
            _("Callback"),
            {Role.CALLBACK_AGENT},
            {Status.REPLIED, Status.CALLED_BACK},
            Status.CALLED_BACK,
            public=True,
        ),  # 回访
        _op(
            "archive",
            _("Archive"),
            {Role.CALLBACK_AGENT, Role.DISPATCHER},
            {Status.CALLED_BACK},
            Status.ARCHIVED,
            public=True,
        ),  # 归档
        _op(
            "reopen",
            _("Reopen"),
            {Role.CALLBACK_AGENT, Role.DISPATCHER},
            {Status.CALLED_BACK},
            Back.TO_HANDLER,
            note_required=True,
            public=True,
        ),  # 重办
        _op("remind", _("Remind"), {Role.SUPERVISOR, Role.DISPATCHER}, WITH_UNIT, None),  # 催办
        _op(
            "supervise",
            _("Supervise"),
            {Role.SUPERVISOR, SYSTEM},  # SYSTEM: a rising topic turned into a case is supervised (未诉先办)
            WITH_UNIT | {Status.RETURNED},
            None,
            note_required=True,
        ),  # 督办
        _op(
            "request_instruction",
            _("Request a leader's instruction"),
            {Role.SUPERVISOR, Role.DISPATCHER},
            OPEN | {Status.REPLIED, Status.CALLED_BACK},
            None,
            note_required=True,
        ),  # 请示领导批示: a named leader is asked; the request stays open until that leader instructs
        _op(
            "instruct", _("Leader instruction"), {Role.LEADER}, frozenset(Status), None, note_required=True
        ),  # 领导批示
        _op(
            "merge",
            _("Merge into master case"),
            CENTRE,
            {Status.RECEIVED, Status.ACCEPTED},
            Status.MERGED,
            public=True,
        ),  # 并单
        _op("unmerge", _("Undo merge"), CENTRE | {SYSTEM}, {Status.MERGED}, Status.ACCEPTED),  # 取消并单
        _op(
            "master_replied",
            _("Reply of the master case"),
            {SYSTEM},
            {Status.MERGED},
            Status.REPLIED,
            public=True,
        ),  # 主单答复: the requester is told the master's reply and called back on it
        _op(
            "follow_master",
            _("With the master case"),
            {SYSTEM},
            {Status.MERGED, Status.REPLIED, Status.CALLED_BACK},
            None,
        ),  # 随主单: the master was assigned, extended, suspended, resumed or called back
        _op(
            "master_reopened",
            _("Reopened with the master case"),
            {SYSTEM},
            {Status.REPLIED, Status.CALLED_BACK},
            Status.MERGED,
            public=True,
        ),  # 随主单重办: the reply is redone, the repeat waits for the new one
        _op(
            "master_archived",
            _("Archived with the master case"),
            {SYSTEM},
            {Status.REPLIED, Status.CALLED_BACK},
            Status.ARCHIVED,
            public=True,
        ),  # 随主单归档
        _op(
            "suspend", _("Suspend"), CENTRE, WITH_UNIT, Status.SUSPENDED, note_required=True, public=True
        ),  # 挂起
        _op("resume", _("Resume"), CENTRE, {Status.SUSPENDED}, Back.PREVIOUS, public=True),  # 恢复
        _op(
            "rate",
            _("Rate the reply"),
            {CITIZEN, Role.INTEGRATION},
            {Status.REPLIED, Status.CALLED_BACK, Status.ARCHIVED},
            None,
        ),  # 评价: the requester's own stars for the reply, from the portal
        _op(
            "attach",
            _("Add material"),
            {
                Role.OPERATOR,
                Role.DISPATCHER,
                Role.UNIT_HANDLER,
                Role.UNIT_HEAD,
                Role.GRID_WORKER,
                Role.VISIT_SECRETARY,
                Role.INTEGRATION,
                CITIZEN,
            },
            OPEN | {Status.REPLIED, Status.CALLED_BACK},
            None,
            material_required=True,
        ),  # 补充材料: more text, photos or documents added to a case after registration
        _op(
            "withdraw",
            _("Withdraw"),
            {Role.OPERATOR, Role.DISPATCHER, Role.INTEGRATION, CITIZEN},
            OPEN,
            Status.WITHDRAWN,
            note_required=True,
            public=True,
        ),  # 撤单
    ]
}

# 子单随主单: the repeats merged into a case follow it. For each operation on a master case, the
# operation the system then performs on each of its repeats, in the same transaction (cases.services,
# `_repeats_follow`, is the one place that applies it): the repeats that follow are those in that
# operation's source statuses, and they take its target status. So a repeat's status, reply and
# handling deadline are its master's: merged while the master is handled, replied with its reply,
# back to merged when the master is reopened (重办: no repeat keeps a reply the master's callback
# rejected), archived with it; a master closed without an answer lets its repeats go.
FOLLOW_MASTER: dict[str, str] = {
    "assign": "follow_master",  # the handling deadline is the master's
    "reassign": "follow_master",
    "approve_extension": "follow_master",  # 延期: the extended deadline too
    "suspend": "follow_master",  # 挂起
    "resume": "follow_master",  # 恢复: the deadline moves as the master's did
    "reply": "master_replied",  # 答复: each requester is told and called back on it
    "answer": "master_replied",
    "callback": "follow_master",  # the master's result (a dissatisfied one holds theirs: below)
    "reopen": "master_reopened",  # 重办
    "archive": "master_archived",  # 归档
    "reject": "unmerge",  # closed without an answer: each repeat is handled on its own again
    "withdraw": "unmerge",
}

# What a repeat may not do on its own while its master is in the given state (lookups on the
# master's fields): its course is the master's. Its requester is called back on the master's reply
# (the repeat's own satisfaction), but not on a reply the master's callback rejected (不满意) until the
# master is reopened (the repeat then follows it), archived anyway or called back again; and it is
# archived with its master, not before (a reopened master would leave it closed on a rejected reply).
# A repeat whose own requester is dissatisfied may be reopened: it then leaves its master.
HELD_BY_MASTER: dict[str, dict[str, object]] = {
    "callback": {"status": Status.CALLED_BACK, "satisfaction": "dissatisfied"},  # Satisfaction.DISSATISFIED
    "archive": {"status__in": MASTER_STATUSES},
}
# … and what the refusal (and the case page) says.
HELD_REASONS = {
    "callback": _(
        "Case %(number)s is merged into %(master)s, whose requester was dissatisfied with the reply at "
        "callback: it is called back once its master is handled again or archived."
    ),
    "archive": _(
        "Case %(number)s is merged into %(master)s: it is archived together with its master, not before."
    ),
}

# Deadline clocks (sign-for, handling) that run in each status; they decide the deadline light.
CLOCKS: dict[Status, tuple[str, ...]] = {
    Status.ASSIGNED: ("sign", "handle"),
    Status.HANDLING: ("handle",),
    Status.EXTENSION_REQUESTED: ("handle",),
}


def operation(name: str) -> Operation:
    return OPERATIONS[name]


def operations_from(status: str) -> list[Operation]:
    """Operations whose source statuses include `status`, in declaration order."""
    return [op for op in OPERATIONS.values() if status in op.sources]


def target_status(op: Operation, case) -> Status | None:
    """The status `op` leads the case to (None: unchanged), resolving the targets of `Back`."""
    if op.target is Back.PREVIOUS:
        return Status(case.suspended_from)
    if op.target is Back.TO_HANDLER:
        return Status.HANDLING if case.lead_unit_id else Status.ACCEPTED
    return op.target


def _possible_targets(op: Operation) -> set[Status]:
    if op.target is Back.PREVIOUS:
        return set(WITH_UNIT)
    if op.target is Back.TO_HANDLER:
        return {Status.HANDLING, Status.ACCEPTED}
    return {op.target} if op.target else set()


def transitions() -> dict[Status, set[Status]]:
    """Status → statuses reachable in one operation (for docs and tests)."""
    graph: dict[Status, set[Status]] = {status: set() for status in Status}
    for op in OPERATIONS.values():
        for source in op.sources:
            graph[source] |= _possible_targets(op)
    return graph


def markdown_table() -> str:
    """The operations as a Markdown table; docs/workflow.md embeds it (a test keeps them equal)."""
    lines = [
        "| operation | label | roles | acting for | from | to | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for op in OPERATIONS.values():
        sources = ", ".join(s.value for s in Status if s in op.sources) or "—"
        target = op.target.value if op.target else "unchanged"
        lines.append(
            f"| `{op.name}` | {op.label} | {', '.join(sorted(op.roles))} | {op.relation.value} | {sources} "
            f"| {target} | {'required' if op.note_required else ''} |"
        )
    return "\n".join(lines) + "\n"


def may_be_master(case) -> bool:
    """May repeats be merged into this case (并单的主单)? The one rule: the merge itself
    (cases.services), the offer to merge (access.cases.may_merge_into) and the repeat flag at
    registration (analysis/repeat_flags.py) all ask it."""
    return case.status in MASTER_STATUSES and case.master_id is None


def held_by_master(operation_name: str, case) -> bool:
    """Is the operation withheld from this case by the state of the master it is merged into
    (`HELD_BY_MASTER`)? The service refuses it and the access module does not offer it."""
    lookups = HELD_BY_MASTER.get(operation_name)
    if not lookups or case.master_id is None:
        return False
    master = case.master
    for lookup, value in lookups.items():
        name, _sep, kind = lookup.partition("__")
        actual = getattr(master, name)
        if not (actual in value if kind == "in" else actual == value):  # type: ignore[operator]
            return False
    return True


def held_reason(operation_name: str, case) -> str:
    """Why `held_by_master` withholds the operation from this repeat."""
    values = {"number": case.tracking_number, "master": case.master.tracking_number}
    return HELD_REASONS[operation_name] % values


def held_by_master_q(operation_name: str) -> models.Q:
    """The cases `held_by_master` withholds the operation from, as a filter (for the desks)."""
    lookups = HELD_BY_MASTER[operation_name]
    return models.Q(**{f"master__{lookup}": value for lookup, value in lookups.items()})
