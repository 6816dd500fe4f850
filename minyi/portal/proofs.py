"""What this browser has proven, kept in its session (no account, no id in any URL).

- the demand it has just sent: its tracking number and query code, shown once more on the success
  page (the code never travels in a URL, so another browser cannot see it);
- the cases it has proven with tracking number + query code, which it may then open and rate.
"""

from __future__ import annotations

from django.http import HttpRequest

from minyi.cases.models import Case
from minyi.core import clock

SUBMITTED = "portal_submitted"
PROVEN = "portal_proven"
MAX_PROVEN = 20  # a browser follows a few demands; the oldest proof drops out first


SHOW_SUBMITTED_FOR = 30 * 60  # seconds: long enough to note the code, not for the next user of a kiosk


def remember_submitted(request: HttpRequest, case: Case) -> None:
    request.session[SUBMITTED] = {
        "number": case.tracking_number,
        "code": case.query_code,
        "at": clock.now().timestamp(),
    }
    prove(request, case)


def submitted(request: HttpRequest) -> dict | None:
    """{"number", "code"} of the demand this browser sent in the last half hour, or None."""
    sent = request.session.get(SUBMITTED)
    if not sent or clock.now().timestamp() - sent.get("at", 0) > SHOW_SUBMITTED_FOR:
        request.session.pop(SUBMITTED, None)
        return None
    return sent


def prove(request: HttpRequest, case: Case) -> None:
    # A new session key once the browser holds a proof: a session id planted before cannot be used.
    request.session.cycle_key()
    proven = [pk for pk in request.session.get(PROVEN, []) if pk != case.pk]
    request.session[PROVEN] = [*proven, case.pk][-MAX_PROVEN:]


def has_proven(request: HttpRequest, case_id: int) -> bool:
    return case_id in request.session.get(PROVEN, [])
