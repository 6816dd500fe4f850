"""Materialised paths of the area, unit and category trees."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from minyi.catalog.models import Category
from minyi.org.models import Area


def test_paths_and_depths(world):
    assert world.east_grid.depth == 4
    assert (
        world.east_grid.path
        == f"/{world.district.pk}/{world.east.pk}/{world.east_community.pk}/{world.east_grid.pk}/"
    )
    assert set(world.east.subtree()) == {world.east, world.east_community, world.east_grid, world.east_grid2}
    assert world.east_grid.is_within(world.east) and not world.west_grid.is_within(world.east)


def test_moving_a_node_moves_its_subtree(world):
    community = world.east_community
    community.parent = world.west
    community.save()
    grid = Area.objects.get(pk=world.east_grid.pk)
    assert grid.path.startswith(world.west.path)
    assert grid.depth == 4
    assert not Area.objects.filter(path__startswith=world.east.path).exclude(pk=world.east.pk).exists()


def test_a_node_cannot_move_under_its_own_descendant(world):
    world.east.parent = world.east_grid
    with pytest.raises(ValidationError):
        world.east.full_clean()


def test_categories_have_at_most_three_levels(world):
    too_deep = Category(code="01010101", name="第四级", parent=world.heating_shortage)
    with pytest.raises(ValidationError, match="3"):
        too_deep.full_clean()


def test_an_area_must_sit_one_level_below_its_parent(world):
    with pytest.raises(ValidationError):
        Area(code="x1", name="错层", level=Area.Level.STREET, parent=world.east).full_clean()
