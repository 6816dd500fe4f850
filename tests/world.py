"""A small, explicit district for tests, with named personas for every role.

    示范区 (district)
    ├── 东城街道 (street) ── 东城社区 (community) ── 东城一网格, 东城二网格 (grids)
    └── 西城街道 (street) ── 西城社区 (community) ── 西城一网格 (grid)

Units: 区社会治理服务中心 (centre), 区住建局, 区医保局 (departments), 热力公司 (enterprise),
东城街道办 (street, area 东城街道) ── 东城社区居委会 (community, area 东城社区).
"""

from __future__ import annotations

from dataclasses import dataclass

from minyi.catalog.models import Category, DeadlineRule, RoutingRule
from minyi.org.models import Area, RoleGrant, Unit, User
from minyi.org.roles import Role


@dataclass
class World:
    district: Area
    east: Area
    west: Area
    east_community: Area
    east_grid: Area
    east_grid2: Area
    west_grid: Area
    centre: Unit
    housing: Unit
    insurance: Unit
    heating: Unit
    east_office: Unit
    east_committee: Unit
    heating_cat: Category
    heating_shortage: Category
    roads: Category
    insurance_cat: Category
    operator: User
    dispatcher: User
    supervisor: User
    callback_agent: User
    leader: User
    admin: User
    heating_handler: User
    heating_head: User
    housing_handler: User
    insurance_handler: User
    street_head: User
    committee_handler: User
    grid_worker: User
    visit_secretary: User
    integration: User  # the account of an API key for the WeChat front (channel integration)


def person(
    username: str, full_name: str, unit: Unit, *roles: str, area: Area | None = None, scope: str | None = None
) -> User:
    user = User.objects.create_user(
        username=username,
        password="minyi-test-pw",
        full_name=full_name,
        unit=unit,
        area=area,
        phone="13800000000",
    )
    for role in roles:
        RoleGrant.objects.create(user=user, role=role, scope=scope or "")
    return user


def build_world() -> World:
    district = Area.objects.create(code="110199", name="示范区", level=Area.Level.DISTRICT, households=90000)
    east = Area.objects.create(code="110199001", name="东城街道", level=Area.Level.STREET, parent=district)
    west = Area.objects.create(code="110199002", name="西城街道", level=Area.Level.STREET, parent=district)
    east_community = Area.objects.create(
        code="110199001001", name="东城社区", level=Area.Level.COMMUNITY, parent=east, households=3200
    )
    west_community = Area.objects.create(
        code="110199002001", name="西城社区", level=Area.Level.COMMUNITY, parent=west, households=2800
    )
    east_grid = Area.objects.create(
        code="11019900100101", name="东城一网格", level=Area.Level.GRID, parent=east_community, households=400
    )
    east_grid2 = Area.objects.create(
        code="11019900100102", name="东城二网格", level=Area.Level.GRID, parent=east_community, households=380
    )
    west_grid = Area.objects.create(
        code="11019900200101", name="西城一网格", level=Area.Level.GRID, parent=west_community, households=350
    )

    centre = Unit.objects.create(code="centre", name="区社会治理服务中心", kind=Unit.Kind.CENTRE)
    housing = Unit.objects.create(code="housing", name="区住建局", kind=Unit.Kind.DEPARTMENT)
    insurance = Unit.objects.create(code="insurance", name="区医保局", kind=Unit.Kind.DEPARTMENT)
    heating = Unit.objects.create(code="heating", name="热力公司", kind=Unit.Kind.ENTERPRISE)
    east_office = Unit.objects.create(code="east", name="东城街道办", kind=Unit.Kind.STREET, area=east)
    east_committee = Unit.objects.create(
        code="east-c",
        name="东城社区居委会",
        kind=Unit.Kind.COMMUNITY,
        area=east_community,
        parent=east_office,
    )

    building = Category.objects.create(code="01", name="城乡建设")
    heating_cat = Category.objects.create(code="0101", name="供热", parent=building)
    heating_shortage = Category.objects.create(code="010101", name="供热不足", parent=heating_cat)
    roads = Category.objects.create(code="0102", name="道路维修", parent=building)
    social = Category.objects.create(code="02", name="劳动和社会保障")
    insurance_cat = Category.objects.create(code="0201", name="医疗保险", parent=social)

    rule = RoutingRule.objects.create(category=heating_cat, lead_unit=heating)
    rule.co_units.set([housing])
    RoutingRule.objects.create(category=roads, lead_unit=housing)
    RoutingRule.objects.create(category=insurance_cat, lead_unit=insurance)
    RoutingRule.objects.create(area=east_community, lead_unit=east_committee)

    DeadlineRule.objects.create(
        sign_limit=1, sign_unit="working_days", handle_limit=5, handle_unit="working_days"
    )
    DeadlineRule.objects.create(
        demand_type="inquiry",
        sign_limit=1,
        sign_unit="working_days",
        handle_limit=3,
        handle_unit="working_days",
    )
    DeadlineRule.objects.create(
        urgency="urgent", sign_limit=2, sign_unit="working_hours", handle_limit=2, handle_unit="working_days"
    )
    DeadlineRule.objects.create(
        urgency="urgent",
        category=heating_cat,
        sign_limit=2,
        sign_unit="hours",
        handle_limit=24,
        handle_unit="hours",
    )

    return World(
        district=district,
        east=east,
        west=west,
        east_community=east_community,
        east_grid=east_grid,
        east_grid2=east_grid2,
        west_grid=west_grid,
        centre=centre,
        housing=housing,
        insurance=insurance,
        heating=heating,
        east_office=east_office,
        east_committee=east_committee,
        heating_cat=heating_cat,
        heating_shortage=heating_shortage,
        roads=roads,
        insurance_cat=insurance_cat,
        operator=person("operator", "王受理", centre, Role.OPERATOR),
        dispatcher=person("dispatcher", "李派单", centre, Role.DISPATCHER),
        supervisor=person("supervisor", "赵督办", centre, Role.SUPERVISOR),
        callback_agent=person("callback", "钱回访", centre, Role.CALLBACK_AGENT),
        leader=person("leader", "孙区长", centre, Role.LEADER),
        admin=person("admin", "周管理", centre, Role.ADMINISTRATOR),
        heating_handler=person("heating", "吴热力", heating, Role.UNIT_HANDLER),
        heating_head=person("heating-head", "郑经理", heating, Role.UNIT_HEAD),
        housing_handler=person("housing", "冯住建", housing, Role.UNIT_HANDLER),
        insurance_handler=person("insurance", "陈医保", insurance, Role.UNIT_HANDLER),
        street_head=person("street-head", "褚主任", east_office, Role.UNIT_HEAD, scope="area"),
        committee_handler=person("committee", "卫社区", east_committee, Role.UNIT_HANDLER),
        grid_worker=person("grid", "蒋网格", east_committee, Role.GRID_WORKER, area=east_grid),
        visit_secretary=person("visit", "沈书记", east_office, Role.VISIT_SECRETARY, area=east),
        integration=person("api-wechat", "微信公众号", None, Role.INTEGRATION),
    )
