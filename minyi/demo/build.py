"""Load the demo's reference data (district.py, catalogue.py) into the database.

Everything here is configuration an administrator would otherwise enter in the admin site: places,
units, staff and their roles, the category tree, routing catalogue, deadline rules and knowledge base.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from minyi.catalog.models import Category, DeadlineRule, RoutingRule
from minyi.demo import catalogue, district, texts
from minyi.knowledge.models import KnowledgeEntry
from minyi.org.models import Area, RoleGrant, Unit, User
from minyi.org.roles import Role


@dataclass
class Place:
    """A grid (or community) of the demo with what the texts need to describe it."""

    area: Area
    community: district.Community
    street: district.Street


@dataclass
class Reference:
    """The loaded reference data, looked up by the demo's own keys."""

    district: Area
    streets: dict[str, Area] = field(default_factory=dict)
    communities: dict[str, Area] = field(default_factory=dict)
    grids: list[Place] = field(default_factory=list)
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    knowledge: dict[str, list[KnowledgeEntry]] = field(default_factory=dict)
    # unit code → staff who act for it (handlers first, then heads)
    unit_staff: dict[str, list[User]] = field(default_factory=dict)
    grid_workers: dict[int, User] = field(default_factory=dict)  # grid area id → its grid worker
    visit_secretaries: dict[str, User] = field(default_factory=dict)  # street key → secretary

    def role_holders(self, role: str) -> list[User]:
        return [u for u in self.users.values() if role in u.role_scopes]


def build_reference() -> Reference:
    ref = _areas()
    _units(ref)
    _people(ref)
    _catalogue(ref)
    _knowledge(ref)
    return ref


def _areas() -> Reference:
    total = sum(c.households for s in district.STREETS for c in s.communities)
    ref = Reference(
        district=Area.objects.create(
            code=district.DISTRICT_CODE,
            name=district.DISTRICT_NAME,
            level=Area.Level.DISTRICT,
            households=total,
        )
    )
    for si, street in enumerate(district.STREETS, start=1):
        street_area = Area.objects.create(
            code=district.street_code(si),
            name=street.name,
            level=Area.Level.STREET,
            parent=ref.district,
            households=sum(c.households for c in street.communities),
        )
        ref.streets[street.key] = street_area
        for ci, community in enumerate(street.communities, start=1):
            community_area = Area.objects.create(
                code=district.community_code(si, ci),
                name=community.name,
                level=Area.Level.COMMUNITY,
                parent=street_area,
                households=community.households,
            )
            ref.communities[community.key] = community_area
            for gi in range(1, community.grids + 1):
                grid = Area.objects.create(
                    code=district.grid_code(si, ci, gi),
                    name=district.grid_name(community, gi),
                    level=Area.Level.GRID,
                    parent=community_area,
                    households=district.grid_households(community, gi),
                )
                ref.grids.append(Place(grid, community, street))
    return ref


def _units(ref: Reference) -> None:
    for spec in district.UNITS:
        ref.units[spec.code] = Unit.objects.create(
            code=spec.code, name=spec.name, kind=spec.kind, phone=spec.phone
        )
    for si, street in enumerate(district.STREETS, start=1):
        office = Unit.objects.create(
            code=street.key,
            name=street.office,
            kind=Unit.Kind.STREET,
            area=ref.streets[street.key],
            phone=f"0371-6602 {si}001",
        )
        ref.units[street.key] = office
        for community in street.communities:
            if community.committee:
                ref.units[community.key] = Unit.objects.create(
                    code=community.key,
                    name=community.committee,
                    kind=Unit.Kind.COMMUNITY,
                    area=ref.communities[community.key],
                    parent=office,
                )


def _people(ref: Reference) -> None:
    # One hash for everyone: hashing is deliberately slow (PBKDF2), and all demo users share a password.
    password = make_password(district.PASSWORD)
    names = random.Random("minyi-demo-staff")  # staff names do not change with --seed
    phones = random.Random("minyi-demo-phones")

    def person(username, full_name, unit, roles, *, area=None, superuser=False) -> User:
        user = User.objects.create(
            username=username,
            password=password,
            full_name=full_name,
            unit=unit,
            area=area,
            phone=random_phone(phones),
            is_staff=superuser,
            is_superuser=superuser,
        )
        for role in roles:
            RoleGrant.objects.create(user=user, role=role)  # save() fills in the role's default scope
        ref.users[username] = user
        if unit is not None and (Role.UNIT_HANDLER in roles or Role.UNIT_HEAD in roles):
            ref.unit_staff.setdefault(unit.code, []).append(user)
        return user

    for p in district.PEOPLE:
        person(p.username, p.full_name, ref.units[p.unit], p.roles, superuser=p.superuser)
    community_index = 0
    for si, street in enumerate(district.STREETS, start=1):
        office = ref.units[street.key]
        person(street.key, street.handler, office, (Role.UNIT_HANDLER,))
        person(f"{street.key}-head", street.head, office, (Role.UNIT_HEAD,))
        ref.visit_secretaries[street.key] = person(
            f"visit{si}",
            street.visit_secretary,
            office,
            (Role.VISIT_SECRETARY,),
            area=ref.streets[street.key],
        )
        for community in street.communities:
            community_index += 1
            unit = ref.units.get(community.key, office)
            if community.committee:
                person(community.key, community.committee_staff, unit, (Role.UNIT_HANDLER,))
            for place in (p for p in ref.grids if p.community is community):
                gi = int(place.area.code[-2:])
                ref.grid_workers[place.area.pk] = person(
                    f"grid{community_index:02d}{gi:02d}",
                    random_name(names),
                    unit,
                    (Role.GRID_WORKER,),
                    area=place.area,
                )
    # Staff handlers go first so that most work is done by the handler, some by the head.
    for staff in ref.unit_staff.values():
        staff.sort(key=lambda u: Role.UNIT_HEAD in u.role_scopes)


def _catalogue(ref: Reference) -> None:
    for order1, (code1, name1, seconds) in enumerate(catalogue.CATEGORIES, start=1):
        top = Category.objects.create(code=code1, name=name1, sort_order=order1)
        ref.categories[code1] = top
        for order2, (code2, name2, thirds) in enumerate(seconds, start=1):
            second = Category.objects.create(code=code2, name=name2, parent=top, sort_order=order2)
            ref.categories[code2] = second
            for order3, name3 in enumerate(thirds, start=1):
                code3 = f"{code2}{order3:02d}"
                ref.categories[code3] = Category.objects.create(
                    code=code3, name=name3, parent=second, sort_order=order3
                )

    def rule(category: str, lead: str, co: tuple[str, ...], area: Area | None = None, note: str = ""):
        r = RoutingRule.objects.create(
            category=ref.categories[category], area=area, lead_unit=ref.units[lead], note=note
        )
        if co:
            r.co_units.set([ref.units[c] for c in co])

    for code, (lead, co) in catalogue.ROUTING.items():
        rule(code, lead, co)
    for code, co in catalogue.STREET_ROUTING:
        for street in district.STREETS:
            rule(code, street.key, co, ref.streets[street.key], note=f"{street.name}辖区由街道（镇）主办")
    for code, street_key, co in catalogue.TOWN_ROUTING:
        rule(code, street_key, co, ref.streets[street_key], note="镇环卫所负责")
    for code, co in catalogue.COMMITTEE_ROUTING:
        for street in district.STREETS:
            for community in street.communities:
                if community.committee:
                    rule(code, community.key, co, ref.communities[community.key], note="社区居委会牵头协调")

    DeadlineRule.objects.bulk_create(
        [
            DeadlineRule(
                demand_type=demand_type,
                urgency=urgency,
                category=ref.categories[category] if category else None,
                sign_limit=sign,
                sign_unit=sign_unit,
                handle_limit=handle,
                handle_unit=handle_unit,
                note=note,
            )
            for demand_type, urgency, category, sign, sign_unit, handle, handle_unit, note in (
                catalogue.DEADLINE_RULES
            )
        ]
    )


def _knowledge(ref: Reference) -> None:
    for code, question, answer, tags in catalogue.KNOWLEDGE:
        entry = KnowledgeEntry.objects.create(
            question=question, answer=answer, tags=tags, category=ref.categories[code]
        )
        ref.knowledge.setdefault(code, []).append(entry)


def random_name(rng: random.Random) -> str:
    surname = rng.choice(texts.SURNAMES)
    pool = texts.GIVEN_MALE if rng.random() < 0.5 else texts.GIVEN_FEMALE
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return surname + given


def random_phone(rng: random.Random) -> str:
    return "1" + rng.choice(texts.MOBILE_SECOND_DIGITS) + f"{rng.randrange(10**9):09d}"
