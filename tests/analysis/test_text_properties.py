"""Properties of text processing on arbitrary input: the normal form, words, keywords (of similar
cases too), place names of hot issues and household addresses never raise, whatever a citizen or an
import sends (NUL, control characters, any script, very long text), and hold their promises.

MINYI_PROPERTY_EXAMPLES sets the examples per property (default 100).
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minyi.analysis import hotspots, text
from minyi.analysis.keyword_index import KEYWORDS_PER_CASE, case_keywords
from minyi.visits.addresses import MAX_LENGTH, address_key, clean_address, has_door

EXAMPLES = int(os.environ.get("MINYI_PROPERTY_EXAMPLES", "100"))
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Text as it comes: mostly Chinese with digits, Latin letters, full-width forms and punctuation, but
# also anything else Unicode has (surrogates aside, which no UTF-8 request can carry).
CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
FULL_WIDTH = st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)
ANY = st.characters(exclude_categories=["Cs"])
MIXED = st.one_of(
    CHINESE, CHINESE, FULL_WIDTH, st.sampled_from("0123456789ABCaz 　\t\n\x00。，！？-—区路小区街道社区"), ANY
)
texts = st.one_of(st.text(MIXED, max_size=200), st.text(ANY, max_size=60))
long_texts = st.builds(
    lambda part, times: part * times, st.text(MIXED, min_size=1, max_size=40), st.integers(50, 300)
)


def in_order(parts: list[str], whole: str) -> bool:
    position = 0
    for part in parts:
        found = whole.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


@PROPERTY
@given(texts)
def test_the_normal_form_is_a_fixed_point_without_whitespace(value):
    normal = text.normalise(value)
    assert text.normalise(normal) == normal
    assert not re.search(r"\s", normal)
    assert normal == normal.lower()


@PROPERTY
@given(texts, texts)
def test_whitespace_never_changes_the_normal_form(left, right):
    """Pre-segmented ("市 西湖 建筑") and raw text are one text."""
    assert text.normalise(f"{left} \u3000\t\n{right}") == text.normalise(left + right)


def test_a_combining_mark_after_a_space_composes_as_without_it():
    assert text.normalise("r \u0327") == text.normalise("r\u0327") == text.normalise("\u0157") == "\u0157"
    assert text.normalise(text.normalise("O \u0304")) == text.normalise("O \u0304")


@PROPERTY
@given(texts)
def test_words_are_pieces_of_the_normal_form_in_order(value):
    normal = text.normalise(value)
    found = text.words(value)
    assert in_order(found, normal)
    assert not set(found) & text.STOP_WORDS
    assert all(any(ch.isalnum() for ch in word) for word in found)
    assert set(text.content_words(value)) <= set(found)
    assert set(found) <= set(text.words(value, drop_stop_words=False))


@PROPERTY
@given(texts)
def test_features_keep_no_digit_but_zero(value):
    assert not re.search(r"[1-9]", text.features_text(value))


@PROPERTY
@given(st.one_of(texts, long_texts), st.integers(1, 20))
def test_keywords_are_distinct_named_words_of_the_text(value, k):
    found = text.keywords(value, k)
    words = [word for word, _weight in found]
    normal = text.normalise(value)
    assert len(found) <= k
    assert len(set(words)) == len(words)
    assert all(word in normal for word in words)
    assert not set(words) & text.GENERIC_WORDS
    assert all(0 < weight <= text.MAX_KEYWORD_WEIGHT for _word, weight in found)
    assert all(2 <= len(word) <= 24 and not text.NUMBER.fullmatch(word) for word in words)


@PROPERTY
@given(texts, texts)
def test_similar_case_keywords_come_from_title_and_description(title, description):
    found = case_keywords(title, description)
    assert len(found) <= KEYWORDS_PER_CASE
    normal = text.normalise(title) + "。" + text.normalise(description)
    assert all(word in normal for word, _weight in found)


@PROPERTY
@given(st.one_of(texts, long_texts))
def test_places_are_named_in_the_text(value):
    folded = hotspots.fold(value)
    places = hotspots.places_in(value)
    assert all(place.name and place.name in folded for place in places)
    assert len({place.name for place in places}) == len(places)


# Doors as secretaries type them, with marks that compose once the spaces are gone: address_key("a´")
# was "a\u0301" (NFKC makes "´" a space and a combining mark), whose own key is "á".
DOORS = st.text(
    st.one_of(CHINESE, FULL_WIDTH, st.sampled_from("0123456789ABCab -—－~～ 　。.,，号楼单元室´\u0327"))
)


def test_a_run_of_any_dashes_is_one_dash():
    assert address_key("3--2--501") == address_key("3——2——501") == address_key("3-2-501") == "3-2-501"


@PROPERTY
@given(DOORS)
def test_the_address_key_is_a_fixed_point(value):
    key = address_key(value)
    assert address_key(key) == key
    assert len(key) <= MAX_LENGTH
    assert not re.search(r"\s", key)
    assert address_key(clean_address(value)) == key
    assert has_door(value) == has_door(key)


@PROPERTY
@given(
    st.lists(st.tuples(st.text("0123456789", min_size=1, max_size=4), st.sampled_from("-－—–−")), max_size=5)
)
def test_full_width_digits_and_any_dash_are_the_same_door(parts):
    """3－2－501, ３—２—５０１ and 3-2-501 are one door."""
    typed = "".join(
        digits.translate({ord(str(i)): 0xFF10 + i for i in range(10)}) + dash for digits, dash in parts
    )
    plain = "".join(digits + "-" for digits, _dash in parts)
    assert address_key(typed + "501") == address_key(plain + "501")
