"""Places in reading order and the place picker's choices (org/places.py)."""

from __future__ import annotations

import pytest

from minyi.org.models import Area
from minyi.org.places import in_order, picker_choices
from tests.org.helpers import build_lakeside


@pytest.fixture
def lakeside(world):
    return build_lakeside(world)


def test_grids_come_in_the_order_of_their_numbers(lakeside):
    community, grids, _garden = lakeside
    assert in_order(Area.objects.filter(parent=community)) == grids
    assert [g.name for g in grids[:3]] == ["湖畔社区第一网格", "湖畔社区第二网格", "湖畔社区第三网格"]
    assert grids[-2:] == in_order(Area.objects.filter(name__in=["湖畔社区第十一网格", "湖畔社区第十网格"]))


def test_a_place_follows_its_parent_and_siblings_sort_by_name(world, lakeside):
    community, grids, garden = lakeside
    places = in_order(Area.objects.filter(path__startswith=world.east.path))
    # 东城社区 (dong) before 湖畔花园社区 (hu pan hua) before 湖畔社区 (hu pan she): the pinyin
    assert places == [
        world.east,
        world.east_community,
        world.east_grid,
        world.east_grid2,
        garden,
        community,
        *grids,
    ]


def test_the_picker_groups_street_and_community_and_carries_the_words_to_find_a_place(world, lakeside):
    community, grids, _garden = lakeside
    found = picker_choices()
    groups = dict(c for c in found.choices if isinstance(c[1], list))
    assert found.choices[0] == (world.district.pk, "示范区")  # the district stands alone
    assert groups["东城街道"] == [(world.east.pk, "东城街道")]
    # a grid whose name does not say its community is labelled with it
    assert groups["东城街道 · 东城社区"] == [
        (world.east_community.pk, "东城社区"),
        (world.east_grid.pk, "东城社区 / 东城一网格"),
        (world.east_grid2.pk, "东城社区 / 东城二网格"),
    ]
    assert [pk for pk, _label in groups["东城街道 · 湖畔社区"]] == [community.pk, *(g.pk for g in grids)]
    assert groups["东城街道 · 湖畔社区"][2] == (grids[1].pk, "湖畔社区第二网格")
    labels = [label for label, options in found.choices if isinstance(options, list)]
    assert labels.index("东城街道 · 湖畔社区") < labels.index("西城街道")
    words = found.words[str(grids[1].pk)]
    assert words == "东城街道 湖畔社区 湖畔社区第二网格 dcjd hpsq hpsqdewg"
    assert "示范区" not in words  # every place is in the district: its name would find them all


def test_the_picker_offers_only_the_places_asked_for_and_the_active_ones(world, lakeside):
    world.west_grid.is_active = False
    world.west_grid.save()
    offered = picker_choices(only={world.east_grid.pk, world.east_grid2.pk, world.west_grid.pk})
    assert offered.choices == [
        (
            "东城街道 · 东城社区",
            [(world.east_grid.pk, "东城社区 / 东城一网格"), (world.east_grid2.pk, "东城社区 / 东城二网格")],
        )
    ]
    assert set(offered.words) == {str(world.east_grid.pk), str(world.east_grid2.pk)}
    everything = picker_choices(active_only=False)
    assert str(world.west_grid.pk) in everything.words
