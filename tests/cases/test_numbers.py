"""Tracking numbers as people type them (cases/numbers.py): one stored form for every spelling."""

from __future__ import annotations

import pytest

from minyi.cases.numbers import format_tracking_number, normal_tracking_number, tracking_number_of


@pytest.mark.parametrize(
    "typed",
    [
        "202611-000123",
        "202611000123",  # a phone's numeric keypad has no hyphen
        " 202611-000123 ",
        "2026 11 000 123",
        "202611 000123",
        "２０２６１１－０００１２３",  # full-width digits and hyphen from a Chinese input method
        "２０２６１１０００１２３",
        "２０２６　１１　０００１２３",  # the ideographic space
        "202611—000123",  # the dash a Chinese keyboard's minus key gives
        "202611–000123",
        "202611－000123",
        "202611−000123",  # the minus sign
        "202611_000123",
        "202611.000123",
        "2026-11-000123",
        "202611\u200b000123",  # an invisible joiner copied from a message
        "202611\u00a0000123",
    ],
)
def test_every_spelling_reads_as_the_stored_form(typed):
    assert tracking_number_of(typed) == "202611-000123"
    assert normal_tracking_number(typed) == "202611-000123"


def test_a_sequence_past_a_million_keeps_its_digits():
    assert format_tracking_number("202611", 1234567) == "202611-1234567"
    assert tracking_number_of("2026111234567") == "202611-1234567"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        None,
        "20261100012",  # a digit short
        "202611-00012",
        "110101199001011234",  # an ID card number is no case's number
        "6222021234567890123",  # nor a bank card's
        "202613-000123",  # no 13th month
        "202600-000123",
        "202611-00012a",
        "A1B2C3",
        "٢٠٢٦١١٠٠٠١٢٣",  # digits of another script are not typed by our users: not a number
        "202611/000123",
    ],
)
def test_what_is_no_tracking_number_is_not_read_as_one(typed):
    assert tracking_number_of(typed) is None


def test_what_is_no_tracking_number_is_looked_up_as_typed():
    assert normal_tracking_number("  A1B2C3 ") == "A1B2C3"
    assert normal_tracking_number(None) == ""
