"""Places in the order people read them, and the choices of the place picker.

The database keeps areas in `path` order: "/1/12/" comes before "/1/3/", so the grids of a community
came out in the order of their ids as text. That is the shape of the tree, not an order anyone
reads. Here the tree is read in one query (a district has a few hundred places) and each place's
siblings are ordered by their names (`names.natural_key`: 第二网格 before 第十网格, words by pinyin),
parents before their children. Every list of places shown to people is put in this order through
`in_order` (forms, the visit campaign's rows, the portal's street → community → grid selects).

The picker (`picker_choices`) groups the places street → community, the groups in the same order,
and gives each place its search words: its name and those of the places above it (below the
district), with their pinyin initials, so that typing 湖畔 or hp finds 湖畔社区 and its grids.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import TypeVar

from minyi.core.trees import path_ids
from minyi.org.models import Area
from minyi.org.names import initials, natural_key

T = TypeVar("T")
GROUP_SEPARATOR = " · "
# The levels that name a group of the picker: a street's group holds the street, a community's
# group the community and its grids.
GROUP_LEVELS = (Area.Level.STREET, Area.Level.COMMUNITY)


@dataclass(frozen=True)
class Place:
    pk: int
    name: str
    level: int
    parent_id: int | None
    path: str
    is_active: bool


class PlaceTree:
    """Every area of the district, read once, with the reading order of the places."""

    def __init__(self, places: Iterable[Place]):
        self.by_pk = {place.pk: place for place in places}
        self._keys: dict[int, tuple] = {}

    def lineage(self, pk: int) -> list[Place]:
        """The place and the places above it, the district first."""
        place = self.by_pk.get(pk)
        if place is None:
            return []
        return [self.by_pk[i] for i in path_ids(place.path) if i in self.by_pk]

    def order_key(self, pk: int) -> tuple:
        """Sorts a place after its parent and among its siblings by name (then by id, for two
        places of the same name). A place the tree does not know goes last."""
        key = self._keys.get(pk)
        if key is None:
            lineage = self.lineage(pk)
            key = tuple((natural_key(p.name), p.pk) for p in lineage) if lineage else ((("~",), pk),)
            self._keys[pk] = key
        return key

    def in_order(self, items: Iterable[T], pk: Callable[[T], int] = attrgetter("pk")) -> list[T]:
        return sorted(items, key=lambda item: self.order_key(pk(item)))

    def group_label(self, pk: int) -> str:
        """The picker's group of a place: its street and community ("东湖街道 · 湖畔社区"), its
        street alone for a street; none for the district."""
        return GROUP_SEPARATOR.join(p.name for p in self.lineage(pk) if p.level in GROUP_LEVELS)

    def option_label(self, pk: int) -> str:
        """What the closed picker shows: the name, and for a grid whose name does not say its
        community, the community too ("东城社区 / 一网格")."""
        place = self.by_pk[pk]
        parent = self.by_pk.get(place.parent_id) if place.parent_id else None
        if place.level == Area.Level.GRID and parent is not None and not place.name.startswith(parent.name):
            return f"{parent.name} / {place.name}"
        return place.name

    def search_words(self, pk: int) -> str:
        """The place's name and the names above it (below the district), then their pinyin
        initials, lower case and space-separated: what the picker's filter looks in."""
        lineage = self.lineage(pk)
        names = [p.name for p in lineage if p.level != Area.Level.DISTRICT or p.pk == pk]
        return " ".join([*names, *(initials(name) for name in names)]).lower()


def place_tree() -> PlaceTree:
    rows = Area.objects.values_list("pk", "name", "level", "parent_id", "path", "is_active")
    return PlaceTree(Place(*row) for row in rows)


def in_order(items: Iterable[T], pk: Callable[[T], int] = attrgetter("pk")) -> list[T]:
    """`items` (areas, or anything `pk` finds an area id in) in the reading order of places."""
    return place_tree().in_order(items, pk)


@dataclass(frozen=True)
class PickerChoices:
    choices: list  # Django's grouped choices: ungrouped (pk, label) pairs and (group, [(pk, label)…])
    words: dict[str, str]  # the option's value → its search words


def picker_choices(*, only: Collection[int] | None = None, active_only: bool = True) -> PickerChoices:
    """The picker's options in reading order, grouped street → community. `only`: the ids of the
    places to offer (others still name the groups); `active_only`: leave out places no longer in
    use (a search over past cases offers them too)."""
    tree = place_tree()
    offered = [
        p for p in tree.by_pk.values() if (only is None or p.pk in only) and (p.is_active or not active_only)
    ]
    choices: list = []
    group_of: str | None = None
    for place in tree.in_order(offered):
        option = (place.pk, tree.option_label(place.pk))
        label = tree.group_label(place.pk)
        if not label:
            choices.append(option)
            group_of = None
        elif label == group_of:
            choices[-1][1].append(option)
        else:
            choices.append((label, [option]))
            group_of = label
    return PickerChoices(choices, {str(p.pk): tree.search_words(p.pk) for p in offered})
