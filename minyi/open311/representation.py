"""A case as an Open311 service request, and a case event as a mySociety request update.

Two readers, two pictures of the same case:

- a key whose account may see the case (the access module decided) gets the full description, the
  exact address and coordinates and the texts meant for the requester (the reply, the reason of a
  rejection or withdrawal);
- the public (no key, MINYI_OPEN311_PUBLIC_READ) gets what a notice board would show: the title
  instead of the description (a citizen's own words often hold names, phone numbers, door numbers),
  the area instead of the street address, coordinates rounded to about 100 m, and for notes only the
  name of the step (“Reply”), because a reply is written to one requester, not to everyone; phone
  and ID numbers in a title are blanked out, whatever separators were typed between their digits
  (access.personal_data.mask_numbers, the one rule for numbers in free text).

Neither ever contains the requester's name, phone, e-mail or ID, the query code, staff names or
internal notes: the texts come only from the operations the workflow declares public, read with the
portal's rules (portal/timeline.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max

from minyi.access.personal_data import mask_numbers
from minyi.cases.models import Case, CaseEvent
from minyi.cases.workflow import OPERATIONS
from minyi.open311 import statuses
from minyi.open311.catalog import public_services
from minyi.org.models import Area
from minyi.portal.timeline import PUBLIC_OPERATIONS, REASONS, REPLIES

PUBLIC_PRECISION = Decimal("0.001")  # about 100 m


def public_title(title: str) -> str:
    """A title for everyone: one derived from a citizen's first sentence may hold a phone number
    ("我是张三，电话138.1234.5678")."""
    return mask_numbers(title)


# Material that an Open311 client posted as an update (attach by an API key's account) is part of the
# update feed too: it is what that client reported, not a note of the staff.
CLIENT_MATERIAL = "attach"


def public_note(operation: str, note: str, *, full: bool) -> str:
    """The text of an event a reader may see: for key holders the requester's text (portal rules),
    for the public the step's name only."""
    if not full:
        return str(OPERATIONS[operation].label)
    if operation in REPLIES or operation in REASONS or operation == CLIENT_MATERIAL:
        return note
    return ""


def _area_names(areas: Iterable[Area]) -> dict[int, str]:
    """{area id: "街道 / 社区 / 网格"} without the district, in one query."""
    areas = [a for a in areas if a is not None]
    ids = {pk for a in areas for pk in a.ancestor_ids()}
    rows = {
        pk: (name, level)
        for pk, name, level in Area.objects.filter(pk__in=ids).values_list("pk", "name", "level")
    }
    names = {}
    for area in areas:
        parts = [
            rows[pk][0] for pk in area.ancestor_ids() if pk in rows and rows[pk][1] != Area.Level.DISTRICT
        ]
        names[area.pk] = " / ".join(parts)
    return names


def _coordinate(value: Decimal | None, *, full: bool) -> float | None:
    if value is None:
        return None
    return float(value if full else value.quantize(PUBLIC_PRECISION, rounding=ROUND_HALF_UP))


def present_cases(cases: list[Case], *, full: bool) -> list[dict]:
    """The GeoReport v2 `request` of each case (`full`: for a key that may see them)."""
    ids = [c.pk for c in cases]
    updated = dict(
        CaseEvent.objects.filter(case_id__in=ids)
        .values("case_id")
        .annotate(last=Max("created_at"))
        .values_list("case_id", "last")
    )
    latest: dict[int, tuple[str, str]] = {}
    for case_id, operation, note in (
        CaseEvent.objects.filter(case_id__in=ids, operation__in=PUBLIC_OPERATIONS)
        .order_by("created_at", "id")
        .values_list("case_id", "operation", "note")
    ):
        latest[case_id] = (operation, note)
    media = {
        case_id: (data or {}).get("media_url", "")
        for case_id, data in CaseEvent.objects.filter(case_id__in=ids, operation="create").values_list(
            "case_id", "data"
        )
    }
    services = {s.category.pk for s in public_services()}
    area_names = _area_names({c.area_id: c.area for c in cases if c.area_id}.values())
    result = []
    for case in cases:
        category = case.category if case.category_id and (full or case.category_id in services) else None
        operation, note = latest.get(case.pk, ("", ""))
        area_name = area_names.get(case.area_id, "") if case.area_id else ""
        result.append(
            {
                "service_request_id": case.tracking_number,
                "status": statuses.open311_status(case.status),
                "status_notes": public_note(operation, note, full=full) if operation else "",
                "service_name": category.name if category else "",
                "service_code": category.code if category else "",
                "description": case.description if full else public_title(case.title),
                "agency_responsible": case.lead_unit.name if case.lead_unit_id else "",
                "requested_datetime": case.received_at,
                "updated_datetime": updated.get(case.pk, case.received_at),
                "expected_datetime": case.handle_due_at,
                "address": (case.address or area_name) if full else area_name,
                "address_id": case.area.code if case.area_id else "",
                "lat": _coordinate(case.latitude, full=full),
                "long": _coordinate(case.longitude, full=full),
                "media_url": media.get(case.pk, "") or "",
            }
        )
    return result


def present_update(event: CaseEvent, tracking_number: str, *, full: bool) -> dict:
    """A mySociety `request_update`: the status after the event and its public text."""
    after = event.to_status or event.from_status
    return {
        "update_id": str(event.pk),
        "service_request_id": tracking_number,
        "status": statuses.extended_status(after),
        "updated_datetime": event.created_at,
        "description": public_note(event.operation, event.note, full=full),
        "media_url": "",
    }


def with_case_fields(cases):
    """The related rows `present_cases` reads, fetched with the cases."""
    return cases.select_related("lead_unit", "area", "category")
