"""The one JSON parser of the API: every JSON body an endpoint reads goes through `loads` (the
request parser of DRF views, and the channel webhook, which must read the signed bytes itself).

A body that is not JSON, not in its charset, holds NaN or Infinity (not JSON), a whole number of more
than MAX_INT_DIGITS digits, or is nested deeper than MAX_DEPTH is refused with a 400 `malformed` that
says which, in words for the client (Python's own, "use sys.set_int_max_str_digits()", would not
be). A byte-order mark before the JSON is ignored, as RFC 8259 allows: Windows tools write one.

The depth is checked because Python's parser recurses: `{"a":` repeated 100,000 times would
otherwise end in a RecursionError (a 500), and a body a little shallower than that would reach the
serializers, the idempotency fingerprint and the error messages, which recurse too. No body of this
API needs more than a few levels (a demand is an object of values and lists of ids).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 32
# What DRF's IntegerField takes as a string (MAX_STRING_LENGTH); below Python's limit for int(), 4300.
MAX_INT_DIGITS = 1000


def loads(body: bytes, encoding: str = "utf-8") -> object:
    """The value of a JSON body, or ParseError saying what is wrong with it."""
    try:
        text = body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        raise ParseError(
            _("The body is not valid %(encoding)s text: send JSON in UTF-8.") % {"encoding": encoding}
        ) from None
    try:
        value = json.loads(text.removeprefix("\ufeff"), parse_constant=strict_constant, parse_int=_whole)
    except RecursionError:
        raise ParseError(too_deep()) from None
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity
        raise ParseError(_("The body is not valid JSON: %(error)s.") % {"error": exc}) from None
    if nested_deeper_than(value, MAX_DEPTH):
        raise ParseError(too_deep())
    return value


def _whole(digits: str) -> int:
    """A whole number of the body, if it has at most MAX_INT_DIGITS digits."""
    count = len(digits.lstrip("-"))
    if count > MAX_INT_DIGITS:
        raise ParseError(
            _("The body holds a whole number of %(digits)d digits: at most %(most)d digits are read.")
            % {"digits": count, "most": MAX_INT_DIGITS}
        )
    return int(digits)


def too_deep() -> str:
    return _("The JSON body is nested too deeply: at most %(most)d levels of objects and arrays.") % {
        "most": MAX_DEPTH
    }


def nested_deeper_than(value: object, most: int) -> bool:
    """Whether objects and arrays in `value` nest more than `most` levels (without recursing)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > most:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with `loads` in place of its own (set in REST_FRAMEWORK and on every view
    that names its parsers)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        return loads(stream.read() if stream is not None else b"", encoding)
