"""What this part shows on a case page (console/related.py gathers it)."""

from __future__ import annotations


def case_links(user, case) -> list:
    """The `console.related.Related` items of `case` that `user` may see."""
    return []
