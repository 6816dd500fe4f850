"""The repeat rule (analysis/repeats.py) without a database: text, place and time."""

from __future__ import annotations

import datetime as dt

from minyi.analysis import repeats
from minyi.analysis.repeats import Place, judge, place_match

HEATING = dict(
    repeats.demand_keywords("幸福小区3号楼暖气不热", "幸福小区3号楼暖气温度只有十四度，老人孩子受不了。")
)
HEATING_AGAIN = dict(repeats.demand_keywords("幸福小区3号楼暖气不热", "3号楼暖气只有十四度，请尽快处理。"))
PARKING = dict(repeats.demand_keywords("幸福小区门口乱停车", "幸福小区大门口车辆乱停，堵住消防通道。"))

DISTRICT, EAST, WEST, EAST_COMMUNITY, GRID1, GRID2 = 1, 2, 3, 4, 5, 6


def test_near_identical_text_in_the_same_grid_minutes_apart_is_a_repeat():
    verdict = judge(new=HEATING_AGAIN, old=HEATING, place=Place.GRID, apart=dt.timedelta(minutes=7))
    assert verdict.repeat and verdict.minutes_apart == 7
    assert "暖气" in verdict.shared and verdict.reason()["place"] == "grid"


def test_another_problem_at_the_same_place_is_not_a_repeat():
    names = repeats.place_words("幸福小区门口乱停车", "幸福小区3号楼暖气不热")
    assert not judge(
        new=PARKING, old=HEATING, place=Place.GRID, apart=dt.timedelta(minutes=7), place_names=names
    ).repeat


def test_the_same_text_at_another_place_is_not_a_repeat():
    assert not judge(new=HEATING_AGAIN, old=HEATING, place=Place.OTHER, apart=dt.timedelta(minutes=7)).repeat


def test_an_earlier_case_outside_the_window_is_not_the_master():
    late = repeats.WINDOW + dt.timedelta(days=1)
    assert not judge(new=HEATING_AGAIN, old=HEATING, place=Place.GRID, apart=late).repeat
    assert judge(new=HEATING_AGAIN, old=HEATING, place=Place.GRID, apart=None).repeat  # time unknown


def test_a_closer_place_and_the_same_requester_take_less_text():
    street = judge(new=HEATING_AGAIN, old=HEATING, place=Place.STREET, apart=None)
    grid = judge(new=HEATING_AGAIN, old=HEATING, place=Place.GRID, apart=None)
    same = judge(new=HEATING_AGAIN, old=HEATING, place=Place.STREET, apart=None, same_requester=True)
    assert street.similarity == grid.similarity and grid.score > street.score and same.score > street.score


def test_places_relate_at_their_narrowest_common_level():
    grid1 = [DISTRICT, EAST, EAST_COMMUNITY, GRID1]
    assert place_match(grid1, grid1) is Place.GRID
    assert place_match(grid1, [DISTRICT, EAST, EAST_COMMUNITY, GRID2]) is Place.COMMUNITY
    assert place_match(grid1, [DISTRICT, EAST]) is Place.STREET
    assert place_match(grid1, [DISTRICT, WEST, 9, 10]) is Place.OTHER
    assert place_match(grid1, [DISTRICT]) is Place.UNKNOWN
    assert place_match(grid1, None) is Place.UNKNOWN


def test_points_a_street_apart_are_near_and_far_points_are_not():
    here = (34.7466, 113.6253)
    across = (34.7476, 113.6256)  # about 115 m
    assert repeats.metres_between(here, across) < repeats.NEAR_METRES
    assert place_match([DISTRICT, EAST, 4, GRID1], [DISTRICT, WEST, 9, 10], here, across) is Place.NEAR
    assert place_match([DISTRICT, EAST], [DISTRICT, EAST], here, (34.80, 113.70)) is Place.STREET


def test_place_names_are_left_out_of_the_text():
    names = repeats.place_words("幸福小区门口乱停车", "幸福小区3号楼暖气不热")
    assert {"幸福", "小区"} <= names
    with_place, _ = repeats.similarity(PARKING, HEATING)
    without, shared = repeats.similarity(PARKING, HEATING, names)
    assert with_place > 0.3 and without == 0.0 and shared == ()


def test_two_communities_of_one_street_are_two_places():
    # The demo flagged 湖畔花园's heating as a repeat of 东湖花园's: same street, other community.
    assert place_match([DISTRICT, EAST, 4, GRID1], [DISTRICT, EAST, 7, 8]) is Place.OTHER


def test_two_estates_named_are_two_places_whatever_the_grid():
    new, old = repeats.sites("新华苑17号楼暖气不热", ""), repeats.sites("纺织厂宿舍3号楼暖气不热", "")
    assert repeats.refine(Place.GRID, new, old) is Place.OTHER
    same = repeats.sites("湖畔花园暖气不热", "湖畔花园9号楼4单元1401室")
    assert repeats.refine(Place.GRID, same, repeats.sites("湖畔花园小区7栋暖气片冰凉", "")) is Place.GRID
    assert repeats.refine(Place.COMMUNITY, frozenset(), old) is Place.COMMUNITY  # one side names none


def test_an_estate_without_a_known_suffix_and_building_numbers_are_no_words_of_the_problem():
    # "咨询低保申请" was flagged as a repeat of a heating case through 福寿 and 号楼.
    words = repeats.place_words("福寿里3号楼顶层住户暖气不热", addresses=["福寿里12号楼2单元"])
    assert {"福寿", "号楼"} <= words or {"福寿里", "号楼"} <= words
