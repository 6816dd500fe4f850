"""Who may keep and read a unit's problem register (问题台账) — the one place for these rules."""

from __future__ import annotations

from minyi.org.roles import Role

# Stub until the register is written: who gets the 问题台账 menu entry.
VIEWERS = (Role.UNIT_HANDLER, Role.UNIT_HEAD, Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR)


def may_open_register(user) -> bool:
    return user.is_authenticated and user.has_role(*VIEWERS)
