"""Places for the tests of the place picker and of the order of places."""

from __future__ import annotations

from minyi.org.models import Area

ORDINALS = "一二三四五六七八九十"


def grid_name(community: str, n: int) -> str:
    return f"{community}第{ORDINALS[n - 1] if n <= 10 else '十' + ORDINALS[n - 11]}网格"


def build_lakeside(world) -> tuple[Area, list[Area], Area]:
    """湖畔社区 under 东城街道 with eleven grids (returned in the order of their numbers), made in
    another order, and 湖畔花园社区 beside it."""
    community = Area.objects.create(
        code="110199001002", name="湖畔社区", level=Area.Level.COMMUNITY, parent=world.east
    )
    grids = {
        n: Area.objects.create(
            code=f"110199001002{n:02d}",
            name=grid_name("湖畔社区", n),
            level=Area.Level.GRID,
            parent=community,
        )
        for n in (3, 11, 1, 10, 2, 5, 4, 9, 6, 8, 7)
    }
    garden = Area.objects.create(
        code="110199001003", name="湖畔花园社区", level=Area.Level.COMMUNITY, parent=world.east
    )
    return community, [grids[n] for n in sorted(grids)], garden
