"""An id given as text (a form field, a query parameter): ASCII digits only, at most MAX_DIGITS.

`str.isdigit()` is also true of "²" and "٣": `int()` refuses the first (a server error) and reads the
second as 3, another record. And `int()` refuses text of more than 4300 digits. A check by isdigit()
alone let such text through to int(); this one does not.
"""

from __future__ import annotations

MAX_DIGITS = 18  # every id of a bigint column has at most 19 digits; 18 always fits


def id_from_text(text: object) -> int | None:
    """The id `text` names, or None when it is no id (not ASCII digits, or too many of them)."""
    value = "" if text is None else str(text)
    if value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS:
        return int(value)
    return None
