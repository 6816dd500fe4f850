"""Reply quality in the product: the unit sees the warnings while it writes its reply, and the centre
(dispatcher, callback agent) sees them on a replied case before closing it. The scoring itself is the
plain method in analysis/replies.py; this module only feeds it a case."""

from __future__ import annotations

from minyi.analysis.replies import ReplyAssessment, assess_reply
from minyi.cases.models import Case
from minyi.core import clock
from minyi.workcal.services import current_calendar


def _demand(case: Case) -> str:
    return f"{case.title}\n{case.description}"


def review_draft(case: Case, reply: str) -> ReplyAssessment:
    """A reply being written now: timeliness counts up to this moment."""
    return assess_reply(
        demand=_demand(case),
        reply=reply,
        received_at=case.received_at,
        replied_at=clock.now(),
        due_at=case.handle_due_at,
        calendar=current_calendar(),
    )


def review_reply(case: Case) -> ReplyAssessment | None:
    """The reply a case was closed with (None before there is one)."""
    if not case.reply_text or case.replied_at is None:
        return None
    return assess_reply(
        demand=_demand(case),
        reply=case.reply_text,
        received_at=case.received_at,
        replied_at=case.replied_at,
        due_at=case.handle_due_at,
        calendar=current_calendar(),
    )
