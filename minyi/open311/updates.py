"""mySociety's `servicerequestupdates`: the feed of what happened to cases, and updates posted to us.

The feed lists the events of the operations the workflow declares public, plus the material an
Open311 client itself posted as an update (an `attach` by an API key's account), oldest first.

A posted update names the status the client wants the case in; statuses.py lists for each status the
operations (or short chains) that lead there, and the first one the key's account may perform now is
performed through `cases.services.case_apply`, with the update's description as its note. The client's own
`update_id`, name and e-mail are not stored: the case's event log records the key's account as actor.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from minyi.access import cases as access
from minyi.api.models import ApiKey
from minyi.cases.models import Case, CaseEvent
from minyi.cases.services import case_apply
from minyi.cases.workflow import OPERATIONS
from minyi.core.errors import InvalidInput
from minyi.open311 import statuses
from minyi.open311.intake import checked_photos
from minyi.open311.params import Params
from minyi.open311.representation import CLIENT_MATERIAL
from minyi.portal.timeline import PUBLIC_OPERATIONS


def feed(cases: QuerySet[Case]) -> QuerySet[CaseEvent]:
    """The events of `cases` that belong in the update feed."""
    shown = Q(operation__in=PUBLIC_OPERATIONS) | Q(operation=CLIENT_MATERIAL, actor__api_key__isnull=False)
    return CaseEvent.objects.filter(shown, case__in=cases.values("pk")).select_related("case")


def possible_statuses(allowed: set[str], current: str) -> list[str]:
    return [
        status
        for status in statuses.ALL_EXTENDED
        if statuses.first_possible(status, current, allowed) is not None
    ]


def post_update(key: ApiKey, params: Params, files) -> CaseEvent:
    number = params.get("service_request_id")
    if number is None:
        raise InvalidInput(_("service_request_id is required."), field="service_request_id")
    given = params.get("status")
    if given is None:
        raise InvalidInput(
            _("status is required: one of %(statuses)s.") % {"statuses": ", ".join(statuses.ALL_EXTENDED)},
            field="status",
        )
    requested = statuses.parse_extended(given)
    if requested is None:
        raise InvalidInput(
            _("status “%(status)s” is unknown: use one of %(statuses)s.")
            % {"status": given, "statuses": ", ".join(statuses.ALL_EXTENDED)},
            field="status",
        )
    params.datetime("updated_datetime")  # checked, so a client learns of a malformed date
    user = key.user
    case = access.access_case_by_tracking_number(user, number)
    photos = checked_photos(files)
    allowed = {op.name for op in access.allowed_operations(user, case)}
    chosen = statuses.first_possible(requested, case.status, allowed)
    if chosen is None:
        possible = possible_statuses(allowed, case.status)
        raise InvalidInput(
            _(
                "Request %(number)s is %(current)s; you cannot set status %(status)s now. "
                "Possible now: %(possible)s."
            )
            % {
                "number": case.tracking_number,
                "current": statuses.extended_status(case.status),
                "status": requested,
                "possible": ", ".join(possible) or _("none"),
            },
            field="status",
        )
    note = params.get("description") or ""
    with transaction.atomic():  # a chain (sign for, then reply) happens entirely or not at all
        for number_in_chain, operation in enumerate(chosen, start=1):
            last = number_in_chain == len(chosen)
            case_apply(
                case_id=case.pk,
                operation=operation,
                actor=user,
                note=note if last or OPERATIONS[operation].note_required else "",
                attachments=photos if last else (),
            )
    return CaseEvent.objects.filter(case_id=case.pk, operation=chosen[-1], actor=user).order_by("-id").first()
