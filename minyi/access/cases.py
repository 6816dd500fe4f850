"""Who sees which cases, and who may perform which operation on a case.

Every view, API endpoint, export and service obtains cases through this module. Scopes (see
org/roles.py): ALL sees everything; UNIT sees the cases its unit leads or co-handles; UNIT_TREE adds
subordinate units; AREA sees the cases located in the user's area or grid (for a street office, its
street); OWN (integrations) sees the cases its account registered. Invisible cases are reported
as not found, so ids leak nothing.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from minyi.access.principals import Citizen, System
from minyi.cases.models import Attachment, Case
from minyi.cases.numbers import normal_tracking_number, query_code_of
from minyi.cases.workflow import (
    CITIZEN,
    OPERATIONS,
    SYSTEM,
    Operation,
    Relation,
    held_by_master,
    may_be_master,
    operations_from,
)
from minyi.core.errors import NotFound, NotPermitted
from minyi.core.photos import PHOTO_TYPES
from minyi.org.models import Area, Unit, User
from minyi.org.roles import CENTRE_ROLES, Role, Scope

Actor = User | Citizen | System


def role_scopes(actor: Actor) -> dict[str, str]:
    """{role: scope} the actor holds; citizens and the system have their pseudo-role."""
    if isinstance(actor, System):
        return {SYSTEM: Scope.ALL}
    if isinstance(actor, Citizen):
        return {CITIZEN: "own"}
    return actor.role_scopes


def _user_area(user: User) -> Area | None:
    if user.area_id:
        return user.area
    return user.unit.area if user.unit_id and user.unit.area_id else None


def _acting_unit_ids(user: User, scope: str) -> frozenset[int]:
    """The units a user acts for under a (non-ALL) scope: always their own unit; UNIT_TREE adds its
    subordinate units, AREA the units whose area lies within the user's area (a street office acting
    for the community committees of its street). Read once per user object (one request)."""
    cache = user.__dict__.setdefault("_acting_unit_ids", {})
    if scope not in cache:
        q = Q(pk=user.unit_id) if user.unit_id else Q(pk__in=[])
        if scope == Scope.UNIT_TREE and user.unit_id:
            q |= Q(path__startswith=user.unit.path)
        area = _user_area(user) if scope == Scope.AREA else None
        if area is not None:
            q |= Q(area__path__startswith=area.path)
        cache[scope] = frozenset(Unit.objects.filter(q).values_list("pk", flat=True))
    return cache[scope]


def _scope_q(user: User, scope: str) -> Q:
    """The cases a scope reaches, as a filter: those its units lead or co-handle, and for AREA those
    located in the area. `_case_within` is the same rule for one case in memory."""
    if scope == Scope.ALL:
        return Q()
    if scope == Scope.OWN:
        return Q(created_by_id=user.pk)
    units = _acting_unit_ids(user, scope)
    # The co-handled cases as a plain subquery, not EXISTS (… this case …): the database then reads
    # them once, instead of testing every case of the district for a co-unit row.
    co = Case.co_units.through.objects.filter(unit_id__in=units).values("case_id")
    q = Q(lead_unit_id__in=units) | Q(pk__in=co)
    area = _user_area(user) if scope == Scope.AREA else None
    if area is not None:
        q |= Q(area__path__startswith=area.path)
    return q


def _case_within(user: User, case: Case, scope: str) -> bool:
    if scope == Scope.ALL:
        return True
    if scope == Scope.OWN:
        return case.created_by_id == user.pk
    units = _acting_unit_ids(user, scope)
    if case.lead_unit_id in units or any(pk in units for pk in _co_unit_ids(case)):
        return True
    area = _user_area(user) if scope == Scope.AREA else None
    return bool(area and case.area_id and case.area.path.startswith(area.path))


def _unit_within(user: User, unit: Unit | None, scope: str) -> bool:
    """May this user act for `unit` under `scope`?"""
    if unit is None:
        return False
    return scope == Scope.ALL or unit.pk in _acting_unit_ids(user, scope)


def _co_unit_ids(case: Case) -> list[int]:
    return [u.pk for u in case.co_units.all()]


def units_acted_for(user: User, roles: Iterable[str]) -> frozenset[int] | None:
    """The ids of the units the user acts for under the given roles (their unit, and what the roles'
    scopes add); None when one of those roles has scope ALL (every unit). For queues such as "cases
    my unit leads"."""
    ids: set[int] = set()
    for role, scope in user.role_scopes.items():
        if role not in roles:
            continue
        if scope == Scope.ALL:
            return None
        ids |= _acting_unit_ids(user, scope)
    return frozenset(ids)


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    """All cases the actor may see (before any list filters)."""
    if isinstance(actor, System):
        return Case.objects.all()
    if isinstance(actor, Citizen):
        return Case.objects.filter(pk=actor.case_id) if actor.case_id else Case.objects.none()
    filters = [_scope_q(actor, s) for s in set(actor.role_scopes.values())]
    if not filters:
        return Case.objects.none()
    if any(not q for q in filters):  # an empty Q: scope ALL
        return Case.objects.all()
    combined = filters[0]
    for q in filters[1:]:
        combined |= q
    return Case.objects.filter(combined)


def sees_all_cases(actor: Actor) -> bool:
    """Does `cases_visible_to(actor)` hold every case? Then figures kept for the whole district
    (stats/rollups.py) are the actor's figures too."""
    if isinstance(actor, System):
        return True
    if isinstance(actor, Citizen):
        return False
    return Scope.ALL in set(actor.role_scopes.values())


def links_confidential(actor: Actor) -> bool:
    """May the actor see cases linked to one another (same requester, similar text) across a
    confidential report (举报)? Only the centre: outside it a link would tie a reporter to cases whose
    requester the unit may see or reveal."""
    return isinstance(actor, User) and actor.has_role(*CENTRE_ROLES)


def linkable_from(actor: Actor, case: Case, others: QuerySet[Case]) -> QuerySet[Case]:
    """Of `others` (already within the actor's scope), those the actor may see linked to `case`."""
    if links_confidential(actor):
        return others
    if case is not None and case.is_confidential:
        return others.none()
    return others.exclude(is_confidential=True)


def sees_internal_timeline(actor: Actor) -> bool:
    """Staff see every event with names and notes; citizens and integrations (which act for
    citizens) see the public timeline only."""
    if isinstance(actor, System):
        return True
    if isinstance(actor, Citizen):
        return False
    return any(role != Role.INTEGRATION for role in actor.role_scopes)


def attachments_visible_to(actor: Actor, case: Case):
    """The attachments of a case (the actor may see) that the actor may see: staff all of them; the
    requester (a citizen, or an integration acting for citizens) only the photos the handling unit
    sent with its reply for them (`for_requester`), never on a confidential report, and an
    integration also the files its own account added. A unit's working files are not for the
    requester."""
    items = case.attachments.all()
    if sees_internal_timeline(actor):
        return items
    shown = items.none() if case.is_confidential else items.filter(for_requester_q())
    if isinstance(actor, User):
        return items.filter(Q(uploaded_by=actor) | Q(pk__in=shown.values("pk")))
    if isinstance(actor, Citizen):
        return shown
    return items.none()


def for_requester_q() -> Q:
    """The attachments shown to the requester: photos marked for them with an operation that may
    show photos (the reply)."""
    return Q(
        for_requester=True,
        content_type__in=sorted(PHOTO_TYPES),
        event__operation__in=[name for name, op in OPERATIONS.items() if op.photos_for_requester],
    )


def access_attachment_by_id(actor: Actor, attachment_id: int | str):
    """The attachment, if the actor may see it: it belongs to a case the actor sees and is among
    the case's attachments for this actor (`attachments_visible_to`); NotFound otherwise. The one
    rule of every download (console, API)."""
    from_case = Attachment.objects.filter(pk=_pk(attachment_id)).select_related("case").first()
    if from_case is None or not can_see(actor, from_case.case):
        raise NotFound(_("There is no such attachment, or it is outside your scope."))
    if not attachments_visible_to(actor, from_case.case).filter(pk=from_case.pk).exists():
        raise NotFound(_("There is no such attachment, or it is outside your scope."))
    return from_case


def _pk(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def can_see(actor: Actor, case: Case) -> bool:
    if isinstance(actor, System):
        return True
    if isinstance(actor, Citizen):
        return actor.case_id == case.pk
    return any(_case_within(actor, case, scope) for scope in set(actor.role_scopes.values()))


def access_case_by_id(actor: Actor, case_id: int | str) -> Case:
    """The case, if the actor may see it; NotFound otherwise (also for ids that do not exist)."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no case %(id)s.") % {"id": case_id}) from None
    case = cases_visible_to(actor).filter(pk=pk).select_related("lead_unit", "area", "category").first()
    if case is None:
        raise NotFound(_("There is no case %(id)s, or it is outside your scope.") % {"id": case_id})
    return case


def access_case_by_tracking_number(actor: Actor, tracking_number: str) -> Case:
    """The case with this tracking number (however it is typed: cases/numbers.py), if the actor may
    see it; NotFound otherwise."""
    number = normal_tracking_number(tracking_number)
    case = cases_visible_to(actor).filter(tracking_number=number).first()
    if case is None:
        raise NotFound(_("There is no case %(number)s, or it is outside your scope.") % {"number": number})
    return case


def access_case_by_query_code(tracking_number: str, query_code: str) -> Case:
    """For citizens: the case whose tracking number (however it is typed) and query code both match;
    the same NotFound for an unknown number as for a wrong code."""
    case = Case.objects.filter(tracking_number=normal_tracking_number(tracking_number)).first()
    if case is None or not _same_code(case.query_code, query_code):
        raise NotFound(_("No case matches this tracking number and query code: check both and try again."))
    return case


def _same_code(expected: str, given: str) -> bool:
    # Compared as bytes in constant time (hmac refuses str that is not ASCII: a code typed in
    # full-width or Chinese characters must be a wrong code, never an error).
    return hmac.compare_digest(query_code_of(expected).encode(), query_code_of(given).encode())


def permitted(actor: Actor, case: Case | None, op: Operation, *, area: Area | None = None) -> bool:
    """Does the actor hold a role that may perform `op` on this case (status aside)?"""
    scopes = role_scopes(actor)
    for role in op.roles:
        if role not in scopes:
            continue
        if isinstance(actor, System):
            return True
        if isinstance(actor, Citizen):
            if op.name == "create" or (case is not None and actor.case_id == case.pk):
                return True
            continue
        scope = scopes[role]
        if case is None:  # registering a new case: the place must be within the role's scope
            if scope in (Scope.ALL, Scope.OWN) or (
                scope == Scope.AREA
                and area
                and _user_area(actor)
                and area.path.startswith(_user_area(actor).path)
            ):
                return True
            continue
        if op.relation is Relation.LEAD_UNIT:
            if _unit_within(actor, case.lead_unit, scope):
                return True
        elif op.relation is Relation.CO_UNIT:
            if any(_unit_within(actor, unit, scope) for unit in case.co_units.all()):
                return True
        elif _case_within(actor, case, scope):
            return True
    return False


def acts_for_a_unit_of(user: User, case: Case) -> bool:
    """Does the user act for the case's lead unit or one of its co-units (under any of their roles)?"""
    units = [u for u in [case.lead_unit, *case.co_units.all()] if u is not None]
    return any(_unit_within(user, unit, scope) for scope in set(user.role_scopes.values()) for unit in units)


def allowed_operations(actor: Actor, case: Case) -> list[Operation]:
    """The operations the actor may perform on the case now (for buttons and error messages): those
    of its status, but not one its master withholds from a repeat (`workflow.held_by_master`)."""
    return [
        op
        for op in operations_from(case.status)
        if permitted(actor, case, op) and not held_by_master(op.name, case)
    ]


def withheld_operations(actor: Actor, case: Case) -> list[Operation]:
    """The operations the actor could perform in the case's status, but that its master withholds
    from this repeat now (`workflow.held_by_master`): the case page says why."""
    return [
        op
        for op in operations_from(case.status)
        if held_by_master(op.name, case) and permitted(actor, case, op)
    ]


def may_merge_into(actor: Actor, case: Case, master: Case) -> bool:
    """May the actor merge `case` into `master` now (并单)? The merge is allowed on the case (status
    and role), the master is another case the actor sees, and the workflow lets it be a master (not
    withdrawn, rejected, merged or archived: `workflow.may_be_master`). Every offer of "merge into
    this one" asks this, so the button is never shown for a merge the service would refuse."""
    merge = OPERATIONS["merge"]
    return (
        master.pk != case.pk
        and case.status in merge.sources
        and may_be_master(master)
        and permitted(actor, case, merge)
        and can_see(actor, master)
    )


def may_instruct(user: User, case: Case) -> bool:
    """May `user` give an instruction on this case (领导批示)? The one rule of whom the centre may ask
    for one (request_instruction) and of who answers."""
    return isinstance(user, User) and user.is_active and permitted(user, case, OPERATIONS["instruct"])


def leaders_for(case: Case) -> list[User]:
    """The leaders who may be asked for an instruction on this case (`may_instruct`), by name."""
    from minyi.org.models import User as Users

    leaders = Users.objects.filter(is_active=True, grants__role=Role.LEADER).distinct()
    return sorted((u for u in leaders if may_instruct(u, case)), key=lambda u: (u.full_name, u.username))


def instruction_requests_for(user: User):
    """待我批示: the open requests for this leader's instruction, on cases the leader sees, oldest first."""
    from minyi.cases.models import InstructionRequest

    return (
        InstructionRequest.objects.filter(
            leader=user, answered_at__isnull=True, case__in=cases_visible_to(user).values("pk")
        )
        .select_related("case", "case__lead_unit", "requested_by")
        .order_by("requested_at", "pk")
    )


def check_permitted(actor: Actor, case: Case, op: Operation) -> None:
    """Raise NotPermitted unless the actor holds a role that may perform `op` on this case."""
    if not permitted(actor, case, op):
        messages = {
            Relation.CASE: _("You may not “%(op)s” this case: it needs the role %(roles)s."),
            Relation.LEAD_UNIT: _(
                "You may not “%(op)s” this case: it needs the role %(roles)s in the lead unit."
            ),
            Relation.CO_UNIT: _("You may not “%(op)s” this case: it needs the role %(roles)s in a co-unit."),
        }
        raise NotPermitted(
            messages[op.relation]
            % {"op": op.label, "roles": "、".join(sorted(_role_label(r) for r in op.roles))}
        )


def check_create(actor: Actor, *, area: Area | None) -> None:
    if not permitted(actor, None, OPERATIONS["create"], area=area):
        raise NotPermitted(
            _("You may not register a case here: your role or area does not cover this place.")
        )


def _role_label(role: str) -> str:
    if role == CITIZEN:
        return str(Citizen.label)
    if role == SYSTEM:
        return str(System.label)
    return str(Role(role).label)
