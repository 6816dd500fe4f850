"""The rules every export writes cells by (minyi/core/sheets.py), without Django."""

from __future__ import annotations

import pytest

from minyi.core.sheets import PERCENT, displayed, fitted_widths, safe_cell, signed, text_width, unguarded


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("'=1", "''=1"),  # an apostrophe typed before a formula survives export and import
        ("-4.9", "-4.9"),  # a number is no formula
        ("+12", "+12"),
        ("-4.9%", "-4.9%"),
        ("", None),  # an empty cell, never a lone "'"
        ("暖气\x07不热", "暖气不热"),
    ],
)
def test_only_text_that_would_run_as_a_formula_is_guarded(text, written):
    assert safe_cell(text) == written
    if written:
        assert unguarded(written) == text.replace("\x07", "")


def test_changes_print_as_the_pages_print_them():
    assert displayed(0.227, signed("%")) == "+22.7%"
    assert displayed(-3.3, signed(" 分")) == "−3.3 分"
    assert displayed(0.0, signed(" 个百分点")) == "±0.0 个百分点"
    assert displayed(33, signed("个百分点", places=0)) == "+33个百分点"
    assert displayed(0.9583, PERCENT) == "95.8%" and displayed(-4.9, "0.0") == "-4.9"


def test_a_chinese_character_is_two_columns_wide_and_widths_are_capped():
    assert text_width("平均办理天数") == 12 and text_width("ab\n暖气") == 4
    assert fitted_widths(["指标", "x"], [["平均办理天数", "长" * 100]]) == [14, 60]
