"""What every wall screen (大屏) shows besides its own figures: how often it refreshes itself
(MINYI_WALL_REFRESH_SECONDS; web/static/minyi/app.js swaps the new figures in) and when its figures
were read. The frame is web/templates/web/wall.html, the layout web/static/minyi/wall.css."""

from __future__ import annotations

from django.conf import settings

from minyi.core import clock


def wall_context() -> dict:
    return {"refresh_seconds": settings.MINYI_WALL_REFRESH_SECONDS, "now": clock.now()}
