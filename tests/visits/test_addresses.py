"""The normal form of an address (plain Python): what makes a second visit find the same door."""

from __future__ import annotations

import pytest

from minyi.visits.addresses import address_key, clean_address, has_door


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("幸福小区３号楼２单元５０１", "幸福小区3号楼2单元501"),  # full-width digits from a phone keyboard
        (" 幸福小区 3号楼  2单元501 ", "幸福小区3号楼2单元501"),
        ("幸福小区3号楼2单元501。", "幸福小区3号楼2单元501"),
        ("碧水苑3－2－501", "碧水苑3-2-501"),
        ("碧水苑3—2—501", "碧水苑3-2-501"),
        ("Garden Road 5A", "garden road 5a"),
    ],
)
def test_spellings_of_one_door_share_a_key(typed, same_as):
    assert address_key(typed) == address_key(same_as)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("幸福小区3号楼2单元501", "幸福小区3号楼2单元502"),
        ("幸福小区3号楼2单元501", "幸福小区3号楼2单元5010"),
        ("3号楼2单元501", "3-2-501"),  # not guessed: merging two doors is worse than counting one twice
    ],
)
def test_different_doors_keep_different_keys(one, other):
    assert address_key(one) != address_key(other)


def test_the_shown_address_keeps_the_typing_but_not_stray_spaces():
    assert clean_address("  幸福小区３号楼   2单元 ") == "幸福小区３号楼 2单元"
    assert clean_address(None) == "" and address_key("") == ""
    assert len(address_key("号" * 500)) == 200


@pytest.mark.parametrize(
    ("typed", "names_a_door"),
    [("。。。", False), ("--", False), (" ， 、", False), ("", False), ("501", True), ("幸福小区", True)],
)
def test_an_address_of_only_punctuation_names_no_door(typed, names_a_door):
    # Its key would be empty (or a lone dash): every such address of a grid would be one household.
    assert has_door(typed) is names_a_door
