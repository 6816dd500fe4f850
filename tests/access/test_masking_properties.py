"""Properties of masking personal data (个人信息脱敏) on any input: a masked value never shows the
whole name, phone or ID number, shows only its ends, and masking a masked value changes nothing
(so a masked export or API answer masked again stays as it was).

MINYI_PROPERTY_EXAMPLES sets the examples per property (default 100).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minyi.access.personal_data import mask_id_number, mask_name, mask_numbers, mask_phone, normal_phone

EXAMPLES = int(os.environ.get("MINYI_PROPERTY_EXAMPLES", "100"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, database=None)

# No "*": a star in the raw value could not be told from the mask's.
ANY = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="*"), max_size=40)
PHONES = st.one_of(st.text(st.sampled_from("0123456789 -+"), max_size=20), ANY)
# Identity documents: the 18-character resident ID (with X), the old 15, passports and permits.
ID_LIKE = st.text(st.sampled_from("0123456789X EGHMabc"), max_size=32)
NAMES = st.one_of(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=6), ANY)


def shows_only_its_ends(raw: str, masked: str) -> bool:
    """The visible characters of `masked` are a beginning and an end of `raw`, stars between."""
    head = masked.split("*", 1)[0]
    tail = masked.rsplit("*", 1)[-1] if "*" in masked else ""
    return (
        raw.startswith(head)
        and raw.endswith(tail)
        and set(masked[len(head) : len(masked) - len(tail)]) <= {"*"}
    )


@PROPERTY
@given(PHONES)
def test_a_masked_phone_never_shows_the_whole_number(phone):
    raw = phone.strip()
    masked = mask_phone(phone)
    assert mask_phone(masked) == masked
    if raw:
        assert raw not in masked
        assert "*" in masked
        assert shows_only_its_ends(raw, masked)
        assert len(masked.replace("*", "")) <= min(7, len(raw) - 1)


@PROPERTY
@given(ID_LIKE.filter(lambda number: len(number.strip()) not in (9, 10)))
def test_a_masked_id_number_never_shows_the_whole_number(number):
    raw = number.strip()
    masked = mask_id_number(number)
    assert mask_id_number(masked) == masked
    if raw:
        assert raw not in masked
        assert "*" in masked
        assert shows_only_its_ends(raw, masked)
        assert len(masked.replace("*", "")) <= 10


@pytest.mark.parametrize("number", ["E12345678", "H123456789"])
def test_a_passport_number_is_not_shown_whole(number):
    masked = mask_id_number(number)  # it was E12345678 → E123455678: every character shown
    assert masked.count("*") == len(number) - 4 and masked[:2] == number[:2] and masked[-2:] == number[-2:]


@PROPERTY
@given(NAMES)
def test_a_masked_name_shows_its_first_character_only(name):
    raw = name.strip()
    masked = mask_name(name)
    assert mask_name(masked) == masked
    if raw:
        assert masked == raw[0] + "*" * max(1, len(raw) - 1)
        if len(raw) > 1:
            assert raw not in masked


@PROPERTY
@given(st.one_of(PHONES, ID_LIKE, NAMES), st.sampled_from([" ", "\t", "\u3000", "\n "]))
def test_masking_is_stable_under_surrounding_whitespace(value, space):
    """A value typed with a stray space masks as without it (lists and exports can be compared)."""
    for mask in (mask_phone, mask_id_number, mask_name):
        assert mask(f"{space}{value}{space}") == mask(value)


SEPARATOR_CHARS = st.sampled_from(list(" .-_/()—–－．／（）·\u3000"))
MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@st.composite
def typed_numbers(draw) -> tuple[str, str]:
    """A mobile number as a person might type it: separators of any kind between any digits, some
    digits full-width. Returns (digits, typed)."""
    digits = draw(MOBILES)
    typed = ""
    for i, d in enumerate(digits):
        if draw(st.booleans()) and i:
            typed += draw(st.text(SEPARATOR_CHARS, min_size=1, max_size=2))
        typed += chr(ord(d) + 0xFEE0) if draw(st.booleans()) else d
    return digits, typed


@PROPERTY
@given(typed_numbers(), st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=8))
def test_a_phone_number_in_free_text_is_blanked_whatever_its_separators(number, words):
    digits, typed = number
    masked = mask_numbers(f"{words}电话{typed}{words}")
    assert "***" in masked
    assert not any(ch.isdigit() for ch in masked)  # no digit of the number is left
    assert normal_phone(typed) == digits  # and the same number, typed so, is found by a look-up
