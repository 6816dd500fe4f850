"""The one JSON parser of the API: every JSON body an endpoint reads goes through `loads` (the
request parser of DRF views, and the channel webhook, which must read the signed bytes itself).

A body that is not JSON, not in its charset, holds NaN or Infinity (not JSON), or is nested deeper
than MAX_DEPTH is refused with a 400 `malformed` that says which. The depth is checked because
Python's parser recurses: `{"a":` repeated 100,000 times would otherwise end in a RecursionError
(a 500), and a body a little shallower than that would reach the serializers, the idempotency
fingerprint and the error messages, which recurse too. No body of this API needs more than a few
levels (a demand is an object of values and lists of ids).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 32


def loads(body: bytes, encoding: str = "utf-8") -> object:
    """The value of a JSON body, or ParseError saying what is wrong with it."""
    try:
        text = body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        raise ParseError(
            _("The body is not valid %(encoding)s text: send JSON in UTF-8.") % {"encoding": encoding}
        ) from None
    try:
        value = json.loads(text, parse_constant=strict_constant)
    except RecursionError:
        raise ParseError(too_deep()) from None
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, an integer of too many digits
        raise ParseError(_("The body is not valid JSON: %(error)s.") % {"error": exc}) from None
    if nested_deeper_than(value, MAX_DEPTH):
        raise ParseError(too_deep())
    return value


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
