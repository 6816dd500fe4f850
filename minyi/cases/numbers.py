"""Tracking numbers (受理编号) and query codes (查询码): how they are written, and how what a person
typed is read.

A tracking number is YYYYMM-NNNNNN: the month of registration and that month's sequence, at least six
digits (`reserve_tracking_numbers` in services.py draws them). People type it as they read it from an
SMS, a receipt or a phone call: without the hyphen (a phone's numeric keypad has none), with spaces,
with full-width digits (２０２６１１) or a full-width or Chinese dash (－, —) from a Chinese input
method. `tracking_number_of` reads all of these as the one stored form; every place a number is typed
(the portal's look-up, the console's search and forms, the REST API, Open311) reads it through here.
"""

from __future__ import annotations

import re
import unicodedata

# Sequence digits: six at least (the format), eight at most (a hundred million cases in one month),
# so that an ID card or a bank card number typed into a search box is not taken for a case's number.
SHORTEST, LONGEST = 6, 8
# Between digits a person may type spaces (any kind), hyphens and dashes, dots, underscores, middle
# dots, and copy along invisible joiners; NFKC has already made the full-width ones plain.
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc_.·\u200b-\u200d\u2060\ufeff]+")
EXAMPLE = "202611-000123"


def format_tracking_number(period: str, sequence: int) -> str:
    """The number of the `sequence`-th registration of the month `period` ("YYYYMM")."""
    return f"{period}-{sequence:0{SHORTEST}d}"


def tracking_number_of(text: str | None) -> str | None:
    """The stored form of the tracking number in `text` as a person typed it, or None when `text`
    is not one: 202611000123, ２０２６１１－０００１２３ and "2026 11 000 123" are all 202611-000123."""
    plain = SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if not (plain.isascii() and plain.isdigit()):
        return None
    if not SHORTEST + 6 <= len(plain) <= LONGEST + 6 or not 1 <= int(plain[4:6]) <= 12:
        return None
    return f"{plain[:6]}-{plain[6:]}"


def normal_tracking_number(text: str | None) -> str:
    """What to look a typed number up by: its stored form, or else the text as typed (stripped),
    which then matches no case (so the caller answers "not found" as for any unknown number)."""
    return tracking_number_of(text) or (text or "").strip()


def query_code_of(text: str | None) -> str:
    """The query code in `text` as a person typed it, in the stored form (capitals and digits):
    full-width letters and digits from a Chinese input method (Ｋ７Ｅ８３Ｍ), lower case and spaces
    anywhere (k7e 83m) read as K7E83M. What is no code stays something that matches none."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()
