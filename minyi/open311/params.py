"""Reading the parameters of an Open311 call: an empty parameter counts as missing, dates are W3C.

Clients built for other cities send every field of their form, filled or not (`address_string=`),
so an empty value must mean "not given" rather than "set to nothing". Every refusal is an
`InvalidInput` naming the parameter, which the views turn into the spec's 400 error.
"""

from __future__ import annotations

import datetime as dt
import re

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.core.errors import InvalidInput

ATTRIBUTE = re.compile(r"^attribute\[(.*)\]$")
MAX_IDS = 1000
# Years a date parameter may name: far enough for any search, near enough that a window of days
# around it stays within what Python and the databases can hold.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class Params:
    """The parameters of one call: the query string, and for a POST also its form body (which wins)."""

    def __init__(self, request) -> None:
        self._sources: list[QueryDict] = (
            [request.POST, request.GET] if request.method == "POST" else [request.GET]
        )

    def check_characters(self, path_values: dict[str, str]) -> None:
        """Refuse NUL in any parameter, its name or the path: it means nothing in a form value, and
        PostgreSQL cannot store or even compare it in a text column."""
        given = [
            (name, value) for source in self._sources for name, values in source.lists() for value in values
        ]
        for name, value in [*given, *path_values.items()]:
            if "\x00" in name or "\x00" in value:
                name = name.replace("\x00", "\ufffd")
                raise InvalidInput(
                    _("%(name)s must not contain the NUL character.") % {"name": name}, field=name
                )

    def get(self, name: str) -> str | None:
        for source in self._sources:
            value = (source.get(name) or "").strip()
            if value:
                return value
        return None

    def attributes(self) -> dict[str, str]:
        """`attribute[code]=value` pairs that carry a value."""
        found: dict[str, str] = {}
        for source in reversed(self._sources):  # the form body wins over the query string
            for key in source:
                match = ATTRIBUTE.match(key)
                value = (source.get(key) or "").strip()
                if match and value:
                    found[match.group(1).strip()] = value
        return found

    def datetime(self, name: str) -> dt.datetime | None:
        value = self.get(name)
        return None if value is None else parse_w3c(value, name)

    def id_list(self, name: str) -> list[str] | None:
        value = self.get(name)
        if value is None:
            return None
        ids = [part.strip() for part in value.split(",") if part.strip()]
        if len(ids) > MAX_IDS:
            raise InvalidInput(
                _("%(name)s may name at most %(most)d requests.") % {"name": name, "most": MAX_IDS},
                field=name,
            )
        return ids or None


def parse_w3c(value: str, name: str) -> dt.datetime:
    """A W3C datetime (2026-11-25T09:00:00+08:00, …Z, or a date); without an offset: local time.

    A "+" left unencoded in a query string arrives as a space ("…09:00:00 08:00"): it is put back."""
    text = value.strip()
    if re.search(r"T\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}:?\d{2}$", text):
        head, _sep, offset = text.rpartition(" ")
        text = f"{head}+{offset}"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("%(name)s “%(value)s” is not a W3C date and time: use e.g. 2026-11-25T09:00:00+08:00.")
            % {"name": name, "value": value},
            field=name,
        ) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidInput(
            _("%(name)s “%(value)s” is out of range: give a year from %(first)d to %(last)d.")
            % {"name": name, "value": value, "first": FIRST_YEAR, "last": LAST_YEAR},
            field=name,
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    # In UTC: PostgreSQL refuses offsets Python accepts (up to ±24 h, theirs ±16 h).
    return moment.astimezone(dt.UTC)
