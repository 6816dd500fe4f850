"""Who may see and record visit campaigns (民情走访) — the one place for these rules."""

from __future__ import annotations

from minyi.org.roles import Role

# Stub until the visits part is written: who gets the 民情走访 menu entry.
VIEWERS = (Role.VISIT_SECRETARY, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR)


def may_open_visits(user) -> bool:
    return user.is_authenticated and user.has_role(*VIEWERS)
