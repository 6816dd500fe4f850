"""Choices for console forms: the trees of units and categories as "parent / child" labels (places
have their own picker: web.forms.PlaceField).

Read per form (the trees hold hundreds of nodes and change rarely), ordered by path so that
children follow their parent.
"""

from __future__ import annotations

from minyi.catalog.models import Category
from minyi.org.models import Unit


def _paths(nodes) -> list[tuple[int, str]]:
    names: dict[int, str] = {}
    out = []
    for node in nodes:
        label = node.name if not node.parent_id else f"{names.get(node.parent_id, '')} / {node.name}"
        names[node.pk] = label
        out.append((node.pk, label))
    return out


def unit_choices() -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in Unit.objects.filter(is_active=True).order_by("path")]


def category_choices(*, public_only: bool = False) -> list[tuple[str, str]]:
    nodes = Category.objects.filter(is_active=True).order_by("path")
    if public_only:
        nodes = nodes.filter(is_public=True)
    by_pk = dict(_paths(nodes))
    return [(node.code, by_pk[node.pk]) for node in nodes]
