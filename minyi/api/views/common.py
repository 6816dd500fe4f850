"""What the API views share: finding a case through the access module, the rule for query
parameters, schema helpers."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from minyi.access import cases as access
from minyi.api.serializers import Error
from minyi.cases.models import Case
from minyi.cases.numbers import tracking_number_of
from minyi.core.errors import InvalidInput, NotFound

CASE_REF = OpenApiParameter(
    "ref",
    str,
    OpenApiParameter.PATH,
    description=(
        "The case's id (digits alone) or tracking number (e.g. 202611-000123; full-width digits and "
        "dashes are read too)."
    ),
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

ID = re.compile(r"^[0-9]{1,18}$")


def case_for(user, ref: str) -> Case:
    """The case by id (digits alone) or tracking number (cases/numbers.py: however it is written), if
    the caller may see it (else the same 404 as missing)."""
    if ID.match(ref):
        return access.access_case_by_id(user, ref)
    number = tracking_number_of(ref)
    if number is None:
        raise NotFound(_("There is no case %(id)s, or it is outside your scope.") % {"id": ref[:40]})
    return access.access_case_by_tracking_number(user, number)


class DeclaredParameters:
    """A GET naming a query parameter its operation does not declare is refused (400, naming it and
    listing those it takes), after the key is checked. Without this `?requester_phone=…` answered
    every case: the client took the list for filtered.

    A view lists its query parameters once, in `query_parameters`, and gives them to its schema;
    the page parameters come from its pagination. tests/api/test_bodies_and_parameters.py checks
    that every operation takes exactly what the published schema declares."""

    query_parameters: tuple[OpenApiParameter, ...] = ()

    @classmethod
    def known_parameters(cls) -> list[str]:
        names = [parameter.name for parameter in cls.query_parameters]
        pagination = getattr(cls, "pagination_class", None)
        if pagination is not None:
            names += [parameter["name"] for parameter in pagination().get_schema_operation_parameters(cls)]
        return sorted(names)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method in ("GET", "HEAD"):
            refuse_unknown_parameters(request.query_params, self.known_parameters())


def refuse_unknown_parameters(given, known: list[str]) -> None:
    unknown = [name for name in given if name not in known]
    if not unknown:
        return
    shown = [name[:40] for name in unknown[:10]]
    names = ", ".join(shown)
    if known:
        message = ngettext(
            "%(names)s is not a parameter of this address: it takes %(known)s.",
            "%(names)s are not parameters of this address: it takes %(known)s.",
            len(unknown),
        ) % {"names": names, "known": ", ".join(known)}
    else:
        message = ngettext(
            "%(names)s is not a parameter of this address: it takes no query parameters.",
            "%(names)s are not parameters of this address: it takes no query parameters.",
            len(unknown),
        ) % {"names": names}
    raise InvalidInput(message, field=shown[0], unknown=shown, known=known)
