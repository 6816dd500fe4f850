"""Who may keep and read a unit's problem register (问题台账) — the one place for these rules.

- A unit's handlers and heads (承办人, 单位负责人) keep their own unit's register: they read it and
  enter problems, measures and categories in it.
- They also read the registers of the units their role's data scope reaches: a unit head with scope
  "own unit and subordinates" reads the subordinate units' registers, a street office head with scope
  "area" those of the community committees in the street (the same units it acts for on cases,
  access/cases.py) — read-only.
- Supervisors, leaders and administrators read every unit's register, read-only: the register is
  the unit's own account of its work, not the centre's.
- Nobody else sees a register. What a user may not see is reported as not found, so ids leak nothing.

A problem made from a case names the case by its tracking number, resolved only through
`access.cases`: a unit cannot attach (or learn of) a case outside its scope.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from minyi.access import cases as case_access
from minyi.cases.models import Case
from minyi.core.errors import NotFound, NotPermitted
from minyi.org.models import Unit, User
from minyi.org.roles import Role

KEEPERS = (Role.UNIT_HANDLER, Role.UNIT_HEAD)
READERS_OF_ALL = (Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR)


def _is_staff(user) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_active


def kept_unit(user) -> Unit | None:
    """The unit whose register the user keeps (enters into), if any: their own unit."""
    if _is_staff(user) and user.unit_id and user.has_role(*KEEPERS):
        return user.unit
    return None


def readable_unit_ids(user) -> frozenset[int] | None:
    """The ids of the units whose registers the user reads; None for every unit."""
    if not _is_staff(user):
        return frozenset()
    if user.has_role(*READERS_OF_ALL):
        return None
    if not user.has_role(*KEEPERS):
        return frozenset()
    return case_access.units_acted_for(user, KEEPERS)


def may_open_register(user) -> bool:
    """Does the user get the 问题台账 menu entry?"""
    ids = readable_unit_ids(user)
    return ids is None or bool(ids)


def readable_units(user) -> QuerySet[Unit]:
    ids = readable_unit_ids(user)
    units = Unit.objects.all() if ids is None else Unit.objects.filter(pk__in=ids)
    return units.order_by("path")


def access_register_by_unit_id(user, unit_id: int | str) -> Unit:
    """The unit, if the user may read its register; NotFound otherwise."""
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no unit %(id)s.") % {"id": unit_id}) from None
    unit = readable_units(user).filter(pk=pk).first()
    if unit is None:
        raise NotFound(_("There is no unit %(id)s, or its register is outside your scope.") % {"id": unit_id})
    return unit


def may_keep(user, unit: Unit) -> bool:
    kept = kept_unit(user)
    return kept is not None and kept.pk == unit.pk


def check_keeps(user, unit: Unit) -> None:
    """Raise NotPermitted unless the user keeps this unit's register."""
    if not may_keep(user, unit):
        raise NotPermitted(
            _("Only the handlers and heads of %(unit)s may change its problem register.")
            % {"unit": unit.name}
        )


def keeping_unit(user) -> Unit:
    """The unit whose register the user writes in; NotPermitted for anyone who keeps none."""
    unit = kept_unit(user)
    if unit is None:
        raise NotPermitted(
            _("Only a unit's handlers and heads keep its problem register: your account keeps none.")
        )
    return unit


def problems_visible_to(user):
    from minyi.problems.models import Problem

    ids = readable_unit_ids(user)
    if ids is None:
        return Problem.objects.all()
    return Problem.objects.filter(unit_id__in=ids)


def measures_visible_to(user):
    from minyi.problems.models import Measure

    ids = readable_unit_ids(user)
    if ids is None:
        return Measure.objects.all()
    return Measure.objects.filter(unit_id__in=ids)


def _pk(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def access_problem_by_id(user, problem_id: int | str):
    """The problem, if the user may read its unit's register; NotFound otherwise."""
    pk = _pk(problem_id)
    problem = None
    if pk is not None:
        problem = problems_visible_to(user).filter(pk=pk).select_related("unit", "category", "case").first()
    if problem is None:
        raise NotFound(_("There is no problem %(id)s, or it is outside your scope.") % {"id": problem_id})
    return problem


def access_measure_by_id(user, measure_id: int | str):
    """The measure, if the user may read its unit's register; NotFound otherwise."""
    pk = _pk(measure_id)
    measure = None
    if pk is not None:
        measure = measures_visible_to(user).filter(pk=pk).select_related("unit").first()
    if measure is None:
        raise NotFound(_("There is no measure %(id)s, or it is outside your scope.") % {"id": measure_id})
    return measure


def case_for_problem(user, tracking_number: str) -> Case:
    """The case a problem is made from, named by its tracking number: only one the user may see."""
    return case_access.access_case_by_tracking_number(user, tracking_number)


def may_see_case_of(user, problem) -> bool:
    """May the reader of a problem open the case it came from? (Readers of a register do not see every
    case of the unit: a supervisor does, a subordinate unit's head may not.)"""
    return problem.case_id is not None and case_access.can_see(user, problem.case)


def problems_of_case(user, case: Case):
    """The register entries made from this case that the user may read."""
    return problems_visible_to(user).filter(case=case)
