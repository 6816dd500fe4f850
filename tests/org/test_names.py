"""The natural order of place names and their pinyin initials (org/names.py, no database)."""

from __future__ import annotations

import random

import pytest

from minyi.org.names import chinese_number, initials, natural_key


def in_order(names: list[str]) -> list[str]:
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    return sorted(shuffled, key=natural_key)


def test_numbers_in_digits_compare_by_value():
    assert in_order(["第10网格", "第2网格", "第1网格", "第21网格", "第3网格"]) == [
        "第1网格",
        "第2网格",
        "第3网格",
        "第10网格",
        "第21网格",
    ]
    assert in_order(["12号楼", "２号楼", "3号楼"]) == ["２号楼", "3号楼", "12号楼"]  # full-width digits too


def test_chinese_numerals_that_count_compare_by_value():
    grids = [f"湖畔社区第{n}网格" for n in "一二三四五六七八九十"] + [
        "湖畔社区第十一网格",
        "湖畔社区第二十网格",
    ]
    assert in_order(grids) == grids
    assert in_order(["东城二网格", "东城十网格", "东城一网格"]) == ["东城一网格", "东城二网格", "东城十网格"]
    assert in_order(["青山村十一组", "青山村二组", "青山村一组"]) == [
        "青山村一组",
        "青山村二组",
        "青山村十一组",
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十三", 23),
        ("一百零五", 105),
        ("二〇二六", 2026),
    ],
)
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


def test_words_sort_by_pinyin_and_numerals_inside_words_stay_words():
    # By code point 柳 (U+67F3) would come before 滨 (U+6EE8); by pinyin: bin, dong, liu, qing.
    assert in_order(["青山镇", "柳园街道", "东湖街道", "滨河街道"]) == [
        "滨河街道",
        "东湖街道",
        "柳园街道",
        "青山镇",
    ]
    # 百花 (bai) and 十里铺 (shi) are names, not the numbers 100 and 10.
    assert in_order(["十里铺村", "滨河社区", "百花社区"]) == ["百花社区", "滨河社区", "十里铺村"]


def test_a_name_sorts_before_its_longer_names_and_equal_keys_fall_back_to_the_name():
    assert in_order(["湖畔社区第一网格", "湖畔社区"]) == ["湖畔社区", "湖畔社区第一网格"]
    assert natural_key("2号楼") != natural_key("二号楼")  # the same place in the order, not the same name


def test_pinyin_initials():
    assert initials("湖畔社区") == "hpsq"
    assert initials("湖畔社区第一网格") == "hpsqdywg"
    assert initials("长乐社区") == "clsq"  # 长 read in context (cháng), not zhǎng
    assert initials("A区 3号楼·东") == "aq3hld"
