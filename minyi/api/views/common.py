"""What the API views share: finding a case through the access module, schema helpers."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from minyi.access import cases as access
from minyi.api.serializers import Error
from minyi.cases.models import Case
from minyi.core.errors import NotFound

CASE_REF = OpenApiParameter(
    "ref", str, OpenApiParameter.PATH, description="The case's id or tracking number (e.g. 202611-000123)."
)


def errors(*codes: int) -> dict:
    texts = {
        400: "Invalid input: the message says what to fix.",
        401: "No valid API key or session.",
        403: "Not permitted.",
        404: "Not found, or outside your scope.",
        409: "Conflict: the case changed, the operation is not possible now, or a key was reused.",
    }
    return {code: OpenApiResponse(Error, description=texts[code]) for code in codes}


# A date the filters take (console/filters.py: FIRST_DAY to LAST_DAY, 1990-01-01 to 2199-12-31).
DATE = {"type": "string", "format": "date", "pattern": r"^(199[0-9]|2[01][0-9][0-9])-"}

REF = re.compile(r"^([0-9]{1,18}|[0-9]{6}-[0-9]{1,12})$")


def case_for(user, ref: str) -> Case:
    """The case by id or tracking number, if the caller may see it (else the same 404 as missing)."""
    if not REF.match(ref):
        raise NotFound(_("There is no case %(id)s, or it is outside your scope.") % {"id": ref[:40]})
    if ref.isdigit():
        return access.access_case_by_id(user, ref)
    return access.access_case_by_tracking_number(user, ref)
