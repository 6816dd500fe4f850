"""The normal form of a household's address, so that a second visit finds the same household.

Secretaries type addresses on a phone: full-width digits (３号楼), stray spaces, different dashes
(3－2－501, 3—2—501) and a trailing full stop are all common. The key keeps what tells two doors
apart (the characters and digits, in order) and drops what does not. It does not try to equate
different spellings of one door ("3号楼2单元501" and "3-2-501"): guessing would merge two
households, which is worse than counting one twice. Plain Python, no Django.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 200
_SPACE = re.compile(r"\s+")
_DASHES = re.compile(r"[-‐‑‒–—―−－~～]+")  # a run of any of them is one "-"
_TRAILING = re.compile(r"[。.,，、;；:：!！?？]+$")


def clean_address(text: str) -> str:
    """The address as shown: trimmed, with inner runs of whitespace made one space."""
    return _SPACE.sub(" ", (text or "").strip())


def has_door(text: str) -> bool:
    """Does the address name a door at all, i.e. hold a letter or digit (Chinese characters count)?
    One of only punctuation ("。。", "--") has an empty or meaningless key, under which every such
    address of a grid would be one household."""
    return any(ch.isalnum() for ch in address_key(text))


def address_key(text: str) -> str:
    """The normal form: NFKC (full-width → half-width), lower case, no whitespace, one kind of dash,
    no trailing punctuation."""
    key = _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))
    # Once more after the spaces are gone: a combining mark may now compose with the letter before.
    key = unicodedata.normalize("NFKC", key).lower()
    key = _DASHES.sub("-", key)
    key = _TRAILING.sub("", key)
    return key[:MAX_LENGTH]
