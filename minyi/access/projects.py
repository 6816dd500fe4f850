"""Who sees which livelihood project (民生实事) and may do what with it — the one place for these rules.

- The centre's dispatchers, supervisors and administrators see every project and keep the ledger
  (import, export, link cases).
- A leader sees the projects they lead (领衔).
- A handling unit sees the projects it leads, co-handles or holds a sub-item of (with the scope of its
  role: a unit head with "own unit and subordinates" also for the units below), and reports progress
  for the sub-items of the units it acts for. The lead unit may also link cases to its project.
Everything else is "not found": a project outside one's scope does not exist for that user.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from minyi.access.cases import units_acted_for
from minyi.core.errors import NotFound, NotPermitted
from minyi.org.roles import Role

KEEPERS = (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR)
UNIT_ROLES = (Role.UNIT_HANDLER, Role.UNIT_HEAD)
VIEWERS = (*KEEPERS, Role.LEADER, *UNIT_ROLES)


def may_open_projects(user) -> bool:
    return user.is_authenticated and user.has_role(*VIEWERS)


def keeps_ledger(user) -> bool:
    return user.is_authenticated and user.has_role(*KEEPERS)


def _unit_ids(user) -> frozenset[int] | None:
    """The units whose projects the user sees as a unit (None: all of them)."""
    if not user.has_role(*UNIT_ROLES):
        return frozenset()
    return units_acted_for(user, UNIT_ROLES)


def projects_visible_to(user) -> QuerySet:
    from minyi.projects.models import Project

    if not may_open_projects(user):
        return Project.objects.none()
    if keeps_ledger(user):
        return Project.objects.all()
    units = _unit_ids(user)
    if units is None:
        return Project.objects.all()
    q = Q(leader=user) if user.has_role(Role.LEADER) else Q(pk__in=[])
    if units:
        q |= Q(lead_unit__in=units) | Q(co_units__in=units) | Q(items__unit__in=units)
    return Project.objects.filter(pk__in=Project.objects.filter(q).values("pk"))


def access_project_by_id(user, project_id) -> object:
    project = projects_visible_to(user).filter(pk=project_id).first() if str(project_id).isdigit() else None
    if project is None:
        raise NotFound(_("There is no such project, or it is outside your scope."))
    return project


def may_report(user, item) -> bool:
    """Whether the user may file the monthly report of this sub-item (for its responsible unit)."""
    units = _unit_ids(user)
    return units is None or item.unit_id in units


def reportable_items(user) -> QuerySet:
    """The sub-items whose monthly reports the user files (月调度填报)."""
    from minyi.projects.models import SubItem

    units = _unit_ids(user)
    if units is None:
        return SubItem.objects.all()
    return SubItem.objects.filter(unit__in=units)


def check_report(user, item) -> None:
    if not may_report(user, item):
        raise NotPermitted(
            _("Only the responsible unit of this sub-item (%(unit)s) reports its progress.")
            % {"unit": item.unit}
        )


def may_link_cases(user, project) -> bool:
    if keeps_ledger(user):
        return True
    units = _unit_ids(user)
    return units is None or project.lead_unit_id in units


def check_link_cases(user, project) -> None:
    if not may_link_cases(user, project):
        raise NotPermitted(_("Only the centre or the project's lead unit links cases to a project."))


def check_keep_ledger(user) -> None:
    if not keeps_ledger(user):
        raise NotPermitted(
            _("Only the centre's dispatchers, supervisors and administrators keep the ledger.")
        )
