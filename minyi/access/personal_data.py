"""A requester's personal data (个人信息): masked by default, revealed only with a right, always audited.

Handling units see the name and phone masked (张* / 138****1234) unless the case needs contact; the
identity of someone who reports wrongdoing (举报), or asked for confidentiality, is never shown to
units. Centre staff may reveal. Every reveal writes a `PersonalDataAccess` row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from minyi.access.cases import acts_for_a_unit_of, can_see
from minyi.access.models import PersonalDataAccess
from minyi.cases.models import Case
from minyi.core import clock
from minyi.core.errors import NotFound, NotPermitted
from minyi.org.models import User
from minyi.org.roles import CENTRE_ROLES


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 6:
        return f"{digits[:2]}{'*' * (len(digits) - 4)}{digits[-2:]}"
    return "*" * len(digits)


def mask_id_number(number: str) -> str:
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    if len(number) < 15:  # a passport or permit: 6 + 4 shown would be all of it (or overlap)
        return f"{number[:2]}{'*' * (len(number) - 4)}{number[-2:]}"
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"  # the 15/18-character resident ID


@dataclass(frozen=True)
class Requester:
    name: str
    phone: str
    id_number: str
    masked: bool
    anonymous: bool


def may_reveal(user: User, case: Case) -> bool:
    """May this user see the requester's personal data in full (each time audited)?

    Centre staff may. Outside the centre only the units handling the case (lead or co-unit), only
    when the case needs contact, and never for a confidential case (every 举报 is confidential)."""
    if not isinstance(user, User) or not can_see(user, case):
        return False
    if user.has_role(*CENTRE_ROLES):
        return True
    return case.needs_contact and not case.is_confidential and acts_for_a_unit_of(user, case)


def requester_masked(case: Case) -> Requester:
    """Masked for display (张* / 138****1234); for people who may at least see the case."""
    return Requester(
        name=mask_name(case.requester_name),
        phone=mask_phone(case.requester_phone),
        id_number=mask_id_number(case.requester_id_number),
        masked=True,
        anonymous=case.is_anonymous,
    )


def requester_for(user: User, case: Case) -> Requester:
    """What a user sees of the requester without revealing: masked, and for a confidential case
    nothing at all outside the centre (even a masked name can identify a reporter to the unit)."""
    if case.is_confidential and not (isinstance(user, User) and user.has_role(*CENTRE_ROLES)):
        return Requester(name="", phone="", id_number="", masked=True, anonymous=case.is_anonymous)
    return requester_masked(case)


def requester_reveal(user: User, case: Case, *, purpose: str = "") -> Requester:
    """The requester's data in full, with an audit row; NotPermitted for those without the right."""
    if not can_see(user, case):
        raise NotFound(_("There is no such case, or it is outside your scope."))
    if not may_reveal(user, case):
        raise NotPermitted(_("You may not see this requester's personal data."))
    PersonalDataAccess.objects.create(
        user=user,
        case=case,
        fields="name,phone,id_number",
        purpose=purpose[:200],
        created_at=clock.now(),
    )
    return Requester(
        name=case.requester_name,
        phone=case.requester_phone,
        id_number=case.requester_id_number,
        masked=False,
        anonymous=case.is_anonymous,
    )
