"""Who sees which livelihood project (民生实事) and may do what with it — the one place for these rules."""

from __future__ import annotations

from minyi.org.roles import Role

VIEWERS = (
    Role.UNIT_HANDLER,
    Role.UNIT_HEAD,
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.ADMINISTRATOR,
)


def may_open_projects(user) -> bool:
    return user.is_authenticated and user.has_role(*VIEWERS)
