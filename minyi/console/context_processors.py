"""What the console header needs on every page: the user's desks and unread notifications."""

from __future__ import annotations

from minyi.access.analysis import VIEWERS as ANALYSIS_VIEWERS
from minyi.access.problems import may_open_register
from minyi.access.projects import may_open_projects
from minyi.access.visits import may_open_visits
from minyi.console.desks import desks_for
from minyi.notifications.services import unread_count
from minyi.org.roles import Role
from minyi.transfer.views import IMPORT_ROLES


def console(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/console/"):
        return {}
    return {
        "nav_desks": desks_for(user),
        "nav_leader": user.has_role(Role.LEADER),
        "nav_analysis": user.has_role(*ANALYSIS_VIEWERS),
        "nav_projects": may_open_projects(user),
        "nav_visits": may_open_visits(user),
        "nav_register": may_open_register(user),
        "nav_admin": user.is_administrator,
        "nav_import": user.has_role(*IMPORT_ROLES),
        "unread": unread_count(user),
    }
