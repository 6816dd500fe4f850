"""The demo district 民意区 as data: places, units and staff. An invented place; `build.py` loads it.

    民意区 (district, code 990100)
    ├── 东湖街道 ── 湖畔社区, 文昌社区, 东湖花园社区
    ├── 柳园街道 ── 柳园社区, 新华社区, 长乐社区
    ├── 滨河街道 ── 滨河社区, 锦绣社区, 幸福里社区
    └── 青山镇   ── 青山村, 石桥村, 桃源村
    each community or village split into grids (网格) named 第一网格, 第二网格, …

Street offices lead cases of their street for some categories (see catalogue.AREA_ROUTING), community
committees under them for property matters of their community.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from minyi.org.models import Unit
from minyi.org.roles import Role

DISTRICT_CODE = "990100"  # no province has the prefix 99: the marker that the demo is loaded
DISTRICT_NAME = "民意区"
PASSWORD = "minyi-demo"


@dataclass(frozen=True)
class Community:
    key: str  # also the code of its committee unit, if it has one
    name: str
    households: int
    grids: int
    compounds: tuple[str, ...]  # 小区 or, in villages, 村民小组 (names ending in 组)
    roads: tuple[str, ...]
    latitude: float
    longitude: float
    committee: str = ""  # name of the community/village committee unit (居委会/村委会), if it has one
    committee_staff: str = ""  # full name of its handler


@dataclass(frozen=True)
class Street:
    key: str  # code of the street office unit and base of its staff usernames
    name: str
    office: str
    head: str  # full names of the office's head, handler and visit secretary
    handler: str
    visit_secretary: str
    communities: tuple[Community, ...] = field(default_factory=tuple)


STREETS: tuple[Street, ...] = (
    Street(
        "donghu",
        "东湖街道",
        "东湖街道办事处",
        head="褚建明",
        handler="卫小燕",
        visit_secretary="沈玉兰",
        communities=(
            Community(
                "hupan",
                "湖畔社区",
                3600,
                4,
                ("湖畔花园", "碧水苑", "东湖小区"),
                ("东湖路", "湖滨大道"),
                34.8012,
                113.6523,
                committee="湖畔社区居委会",
                committee_staff="蒋丽萍",
            ),
            Community(
                "wenchang",
                "文昌社区",
                4100,
                4,
                ("文昌里", "书香名邸", "教师新村"),
                ("文昌街", "学府路"),
                34.8066,
                113.6608,
                committee="文昌社区居委会",
                committee_staff="韩雪梅",
            ),
            Community(
                "dhhy",
                "东湖花园社区",
                2900,
                4,
                ("东湖花园一期", "东湖花园二期", "翠湖湾"),
                ("翠湖路", "东湖路"),
                34.7958,
                113.6687,
            ),
        ),
    ),
    Street(
        "liuyuan",
        "柳园街道",
        "柳园街道办事处",
        head="杨志刚",
        handler="朱晓琳",
        visit_secretary="秦桂芳",
        communities=(
            Community(
                "liuyuan-c",
                "柳园社区",
                3300,
                4,
                ("柳园小区", "柳荫里", "纺织厂宿舍"),
                ("柳园路", "纺织路"),
                34.7821,
                113.6302,
                committee="柳园社区居委会",
                committee_staff="尤佳慧",
            ),
            Community(
                "xinhua",
                "新华社区",
                3800,
                4,
                ("新华苑", "邮电大院", "华府天地"),
                ("新华大街", "建设路"),
                34.7875,
                113.6219,
            ),
            Community(
                "changle",
                "长乐社区",
                2700,
                4,
                ("长乐家园", "福寿里", "长乐新居"),
                ("长乐街", "和平路"),
                34.7768,
                113.6384,
                committee="长乐社区居委会",
                committee_staff="许春燕",
            ),
        ),
    ),
    Street(
        "binhe",
        "滨河街道",
        "滨河街道办事处",
        head="何振华",
        handler="吕晓梅",
        visit_secretary="施红霞",
        communities=(
            Community(
                "binhe-c",
                "滨河社区",
                4200,
                4,
                ("滨河湾", "水岸名苑", "河畔人家"),
                ("滨河北路", "滨河南路"),
                34.7703,
                113.6655,
                committee="滨河社区居委会",
                committee_staff="张美玲",
            ),
            Community(
                "jinxiu",
                "锦绣社区",
                3500,
                4,
                ("锦绣华庭", "金色家园", "锦绣豪庭"),
                ("锦绣大道", "金桥路"),
                34.7649,
                113.6561,
            ),
            Community(
                "xingfuli",
                "幸福里社区",
                3100,
                4,
                ("幸福里小区", "阳光新城", "和谐家园"),
                ("幸福路", "光明街"),
                34.7611,
                113.6733,
            ),
        ),
    ),
    Street(
        "qingshan",
        "青山镇",
        "青山镇人民政府",
        head="孔德胜",
        handler="曹丽华",
        visit_secretary="严秀英",
        communities=(
            Community(
                "qingshan-v",
                "青山村",
                860,
                3,
                ("青山新村", "青山村一组", "青山村三组"),
                ("青山大道", "青石路"),
                34.7402,
                113.7011,
                committee="青山村村委会",
                committee_staff="华建国",
            ),
            Community(
                "shiqiao",
                "石桥村",
                740,
                3,
                ("石桥安置小区", "石桥村二组", "石桥村五组"),
                ("石桥路", "青山大道"),
                34.7335,
                113.7126,
            ),
            Community(
                "taoyuan",
                "桃源村",
                650,
                3,
                ("桃源新居", "桃源村四组", "桃源村六组"),
                ("桃源路", "桃林路"),
                34.7268,
                113.6954,
            ),
        ),
    ),
)

GRID_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    phone: str = ""


# Units other than the street offices and community committees (those come from STREETS).
UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("centre", "区社会治理服务中心", Unit.Kind.CENTRE, "12345"),
    UnitSpec("gov", "民意区人民政府", Unit.Kind.GOVERNMENT, "0371-6601 0001"),
    UnitSpec("housing", "区住房和城乡建设局", Unit.Kind.DEPARTMENT, "0371-6601 2101"),
    UnitSpec("urban", "区城市管理局", Unit.Kind.DEPARTMENT, "0371-6601 2201"),
    UnitSpec("env", "区生态环境分局", Unit.Kind.DEPARTMENT, "0371-6601 2301"),
    UnitSpec("market", "区市场监督管理局", Unit.Kind.DEPARTMENT, "0371-6601 2401"),
    UnitSpec("hrss", "区人力资源和社会保障局", Unit.Kind.DEPARTMENT, "0371-6601 2501"),
    UnitSpec("medins", "区医疗保障局", Unit.Kind.DEPARTMENT, "0371-6601 2601"),
    UnitSpec("edu", "区教育局", Unit.Kind.DEPARTMENT, "0371-6601 2701"),
    UnitSpec("health", "区卫生健康委员会", Unit.Kind.DEPARTMENT, "0371-6601 2801"),
    UnitSpec("transport", "区交通运输局", Unit.Kind.DEPARTMENT, "0371-6601 2901"),
    UnitSpec("police", "民意公安分局", Unit.Kind.DEPARTMENT, "0371-6601 3001"),
    UnitSpec("civil", "区民政局", Unit.Kind.DEPARTMENT, "0371-6601 3101"),
    UnitSpec("fire", "区消防救援大队", Unit.Kind.DEPARTMENT, "0371-6601 3201"),
    UnitSpec("emergency", "区应急管理局", Unit.Kind.DEPARTMENT, "0371-6601 3301"),
    UnitSpec("heating", "民意热力有限公司", Unit.Kind.ENTERPRISE, "0371-6688 9600"),
    UnitSpec("water", "民意自来水有限公司", Unit.Kind.ENTERPRISE, "0371-6688 9700"),
    UnitSpec("power", "国网民意供电公司", Unit.Kind.ENTERPRISE, "95598"),
    UnitSpec("gas", "民意燃气有限公司", Unit.Kind.ENTERPRISE, "0371-6688 9800"),
)


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    unit: str  # unit code
    roles: tuple[str, ...]
    title: str = ""  # 职务, shown in the logins table
    superuser: bool = False


# Staff of the centre, the leaders and the departments/enterprises. Street staff, committee staff,
# grid workers (one per grid) and visit secretaries (one per street) are derived from STREETS.
PEOPLE: tuple[Person, ...] = (
    Person("operator", "王晓丽", "centre", (Role.OPERATOR,), "热线话务员"),
    Person("operator2", "刘佳怡", "centre", (Role.OPERATOR,), "窗口受理员"),
    Person("dispatcher", "李建国", "centre", (Role.DISPATCHER,), "派单科科长"),
    Person("dispatcher2", "陈静", "centre", (Role.DISPATCHER,), "派单员"),
    Person("supervisor", "赵明远", "centre", (Role.SUPERVISOR,), "督办科科长"),
    Person("callback", "孙丽娟", "centre", (Role.CALLBACK_AGENT,), "回访员"),
    Person("callback2", "周婷", "centre", (Role.CALLBACK_AGENT,), "回访员"),
    Person("admin", "吴海涛", "centre", (Role.ADMINISTRATOR,), "系统管理员", superuser=True),
    Person("leader", "郑国华", "gov", (Role.LEADER,), "区长"),
    Person("leader2", "冯志强", "gov", (Role.LEADER,), "副区长"),
    Person("housing", "冯建军", "housing", (Role.UNIT_HANDLER,), "承办人"),
    Person("housing-head", "钱立新", "housing", (Role.UNIT_HEAD,), "副局长"),
    Person("urban", "马卫东", "urban", (Role.UNIT_HANDLER,), "承办人"),
    Person("urban-head", "邓世杰", "urban", (Role.UNIT_HEAD,), "副局长"),
    Person("env", "林晓峰", "env", (Role.UNIT_HANDLER,), "承办人"),
    Person("market", "高雅琴", "market", (Role.UNIT_HANDLER,), "承办人"),
    Person("market-head", "罗永平", "market", (Role.UNIT_HEAD,), "副局长"),
    Person("hrss", "梁晓红", "hrss", (Role.UNIT_HANDLER,), "劳动监察员"),
    Person("medins", "宋佳", "medins", (Role.UNIT_HANDLER,), "承办人"),
    Person("edu", "唐文博", "edu", (Role.UNIT_HANDLER,), "承办人"),
    Person("health", "董丽", "health", (Role.UNIT_HANDLER,), "承办人"),
    Person("transport", "袁国庆", "transport", (Role.UNIT_HANDLER,), "承办人"),
    Person("police", "潘志勇", "police", (Role.UNIT_HANDLER,), "警务联络员"),
    Person("civil", "蔡文静", "civil", (Role.UNIT_HANDLER,), "承办人"),
    Person("fire", "田振宇", "fire", (Role.UNIT_HANDLER,), "防火监督员"),
    Person("emergency", "胡卫国", "emergency", (Role.UNIT_HANDLER,), "承办人"),
    Person("heating", "吴志刚", "heating", (Role.UNIT_HANDLER,), "客服专员"),
    Person("heating-head", "郑海波", "heating", (Role.UNIT_HEAD,), "客服部经理"),
    Person("water", "彭立华", "water", (Role.UNIT_HANDLER,), "客服专员"),
    Person("power", "程思远", "power", (Role.UNIT_HANDLER,), "客服专员"),
    Person("gas", "谢宏伟", "gas", (Role.UNIT_HANDLER,), "客服专员"),
)

# 角色的中文名, for the logins table.
ROLE_TITLES: dict[str, str] = {
    Role.OPERATOR: "话务员",
    Role.DISPATCHER: "派单员",
    Role.UNIT_HANDLER: "承办人",
    Role.UNIT_HEAD: "单位负责人",
    Role.GRID_WORKER: "网格员",
    Role.VISIT_SECRETARY: "民情书记",
    Role.SUPERVISOR: "督办员",
    Role.CALLBACK_AGENT: "回访员",
    Role.LEADER: "区领导",
    Role.ADMINISTRATOR: "管理员",
}


def street_code(index: int) -> str:
    return f"{DISTRICT_CODE}{index:03d}"


def community_code(street_index: int, index: int) -> str:
    return f"{street_code(street_index)}{index:03d}"


def grid_code(street_index: int, community_index: int, index: int) -> str:
    return f"{community_code(street_index, community_index)}{index:02d}"


def grid_name(community: Community, index: int) -> str:
    return f"{community.name}第{GRID_ORDINALS[index - 1]}网格"


def grid_households(community: Community, index: int) -> int:
    """Split the community's households over its grids, unevenly as real grids are."""
    share = community.households // community.grids
    wobble = (-41, 23, 57, -18, 9, -35)[(index + len(community.name)) % 6]
    if index == community.grids:
        return community.households - sum(grid_households(community, i) for i in range(1, index))
    return share + wobble
