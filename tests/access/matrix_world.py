"""The world of the endpoint matrix (test_endpoint_matrix.py): tests/world.py with one object of every
kind a URL names, placed so that each persona has some inside its scope and some outside.

Cases (each requester with a name and phone of its own, to find them in any response):

- heating    — 供热, 东城一网格, led by 热力公司 with 区住建局 as co-unit, needs contact
- insurance  — 医疗保险, 西城一网格, led by 区医保局
- report     — a 举报 (confidential) of 供热, 东城一网格, led by 热力公司 with 区住建局
- repeat     — the reporter's other demand (same phone), 供热, 东城一网格: outside the centre nothing
               links it to the report
- committee  — 西城一网格, led by 东城社区居委会 (a unit of 东城街道; the grid worker is of that unit)
- fresh      — 东城二网格, received, not yet accepted
- wechat     — registered through the WeChat front's API key, 西城一网格, received
- visit      — raised at a door in 东城一网格 during the visit campaign, received

Who sees each case is written out by hand in SEES (from DOMAIN.md and access/cases.py's docstring),
not derived from the access module.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.analysis.models import HotIssue, SurgeAlert
from minyi.api.keys import create_key
from minyi.cases.models import Case
from minyi.core import clock
from minyi.notifications.models import Notification
from minyi.org.models import User
from minyi.org.roles import Role
from minyi.problems import services as problems
from minyi.projects.models import ProgressReport
from minyi.projects.services import case_link, report_file
from minyi.visits.models import Household
from minyi.visits.services import visit_record
from tests import images
from tests.cases.helpers import do, new_case
from tests.projects.conftest import build_ledger
from tests.visits.helpers import build_campaign
from tests.world import World, build_world, person

CENTRE = frozenset({"operator", "dispatcher", "supervisor", "callback_agent", "leader", "admin"})
UNIT_STAFF = frozenset(
    {
        "heating_handler",
        "heating_head",
        "housing_handler",
        "insurance_handler",
        "street_head",
        "committee_handler",
    }
)
STAFF = CENTRE | UNIT_STAFF | {"grid_worker", "visit_secretary"}
# Session personas of the console; "nobody" is a logged-in account without any role.
SESSION = ("anonymous", *sorted(STAFF), "nobody")
# API key personas (Authorization: Bearer …): an integration (own cases), a unit's system, a screen.
KEYS = ("key_wechat", "key_heating", "key_leader")
ALL_CASE_READERS = CENTRE | {"key_leader"}

SEES: dict[str, frozenset[str]] = {
    "heating": ALL_CASE_READERS
    | {"heating_handler", "heating_head", "housing_handler", "street_head", "grid_worker", "visit_secretary"}
    | {"key_heating"},
    "insurance": ALL_CASE_READERS | {"insurance_handler"},
    "report": ALL_CASE_READERS
    | {"heating_handler", "heating_head", "housing_handler", "street_head", "grid_worker", "visit_secretary"}
    | {"key_heating"},
    "repeat": ALL_CASE_READERS
    | {"heating_handler", "heating_head", "housing_handler", "street_head", "grid_worker", "visit_secretary"}
    | {"key_heating"},
    # the committee's own staff and the street's (its units) see the cases it leads, wherever they are
    "committee": ALL_CASE_READERS | {"committee_handler", "street_head", "grid_worker", "visit_secretary"},
    "fresh": ALL_CASE_READERS | {"street_head", "visit_secretary"},
    "wechat": ALL_CASE_READERS | {"key_wechat"},
    "visit": ALL_CASE_READERS | {"street_head", "grid_worker", "visit_secretary"},
}

# The requester of each case: distinct names and phones, so any of them found in a response is known.
REQUESTERS = {
    "heating": ("欧阳暖气", "13911110001"),
    "insurance": ("司马医保", "13911110002"),
    "report": ("诸葛举报", "13911110003"),
    "committee": ("上官社区", "13911110004"),
    "fresh": ("东方新单", "13911110005"),
    "wechat": ("慕容微信", "13911110006"),
}
REPEAT_NAME = "令狐重复"  # the reporter, calling again under another name: known by the phone
VISIT_PHONE = "13911110007"
VISIT_PEOPLE = "户主皇甫大爷"


@dataclass
class MatrixWorld:
    world: World
    nobody: User
    cases: dict[str, Case]
    keys: dict[str, str]  # persona -> raw key
    key_users: dict[str, User]
    ledger: object
    campaign: object
    visit: object
    household: Household
    problems: dict[str, object]
    measure: object
    hot_issue: HotIssue
    alert: SurgeAlert
    notification: Notification
    attachments: dict[str, object]  # "staff": on the heating case by the operator; "key": by key_wechat
    photo: object
    extra: dict = field(default_factory=dict)

    def user(self, persona: str) -> User:
        if persona == "nobody":
            return self.nobody
        if persona in self.key_users:
            return self.key_users[persona]
        return getattr(self.world, persona)

    def tracking_numbers(self) -> dict[str, str]:
        return {name: case.tracking_number for name, case in self.cases.items()}


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, images.jpeg(), content_type="image/jpeg")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    """A valid 1×1 PNG (the ledger's photos are opened as images)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return SimpleUploadedFile(name, data, content_type="image/png")


def _case(actor, key: str, **fields) -> Case:
    name, phone = REQUESTERS[key]
    return new_case(
        actor, requester_name=name, requester_phone=phone, requester_id_number="110101199001011234", **fields
    )


def _assigned(world: World, case: Case, **params) -> Case:
    do(case, "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher, **params)


def build_matrix_world() -> MatrixWorld:
    world = build_world()
    clock.set_now(dt.datetime.fromisoformat("2026-11-25T09:00:00+08:00"))
    nobody = User.objects.create_user(username="nobody", password="minyi-test-pw", unit=world.heating)
    wechat_key, wechat_raw = create_key("wechat-front", channel="wechat")
    heating_key, heating_raw = create_key("heating-system", unit=world.heating)
    leader_key, leader_raw = create_key("centre-screen", roles=["leader"])

    cases = {}
    cases["heating"] = _assigned(
        world,
        _case(
            world.operator,
            "heating",
            category="010101",
            area=world.east_grid,
            needs_contact=True,
            attachments=[jpeg("现场.jpg")],
        ),
    )
    cases["insurance"] = _assigned(
        world,
        _case(world.operator, "insurance", category="0201", area=world.west_grid, title="异地就医报销慢"),
    )
    cases["report"] = _assigned(
        world,
        _case(
            world.operator,
            "report",
            category="010101",
            area=world.east_grid,
            demand_type="report",
            needs_contact=True,
            title="举报热力站收费",
        ),
    )
    cases["repeat"] = _assigned(
        world,
        new_case(
            world.operator,
            category="010101",
            area=world.east_grid,
            title="楼道暖气片漏水",
            requester_name=REPEAT_NAME,
            requester_phone=REQUESTERS["report"][1],
        ),
    )
    cases["committee"] = _assigned(
        world,
        _case(world.operator, "committee", area=world.west_grid, title="社区活动室漏水"),
        lead_unit=world.east_committee.pk,
    )
    cases["fresh"] = _case(world.operator, "fresh", area=world.east_grid2, title="路灯不亮")
    cases["wechat"] = _case(
        wechat_key.user, "wechat", channel="wechat", area=world.west_grid, attachments=[jpeg("群众.jpg")]
    )

    west_secretary = person("visit-west", "韩书记", None, Role.VISIT_SECRETARY, area=world.west)
    setup = build_campaign(world, west_secretary)
    visit = visit_record(
        actor=world.visit_secretary,
        campaign=setup.campaign,
        area=world.east_grid,
        address="幸福小区9号楼1单元101",
        visited_on=dt.date(2026, 11, 20),
        people_met=VISIT_PEOPLE,
        phone=VISIT_PHONE,
        problems=["楼道灯坏了一个月"],
        photos=[jpeg("楼道.jpg")],
    )
    cases["visit"] = visit.problems.get().case
    west_visit = visit_record(
        actor=west_secretary,
        campaign=setup.campaign,
        area=world.west_grid,
        address="和平里7号楼3单元302",
        visited_on=dt.date(2026, 11, 21),
        people_met="住户",
        photos=[jpeg("门口.jpg")],
    )

    ledger = build_ledger(world)
    for key in ("heating", "insurance"):  # the project page lists only the linked cases its reader sees
        case_link(
            actor=world.dispatcher, project=ledger.heating_project, tracking_number=cases[key].tracking_number
        )
    report = report_file(
        actor=world.heating_handler,
        item=ledger.mains,
        month=dt.date(2026, 11, 1),
        percent=80,
        done="完成一次管网更换",
        photos=[png("工地.png")],
    )
    photo = ProgressReport.objects.get(pk=report.pk).photos.get()

    keeper = world.insurance_handler
    settlement = problems.category_create(actor=keeper, name="异地就医结算")
    insurance_problem = problems.problem_create(
        actor=keeper,
        title="异地住院报销到账慢",
        category=settlement,
        source="case",
        tracking_number=cases["insurance"].tracking_number,
        found_on=dt.date(2026, 11, 25),
    )
    measure = problems.measure_create(
        actor=keeper,
        title="推行床旁结算",
        responsible="赵静",
        problem_numbers=[insurance_problem.number],
        due_on=dt.date(2026, 12, 31),
    )
    heating_cat = problems.category_create(actor=world.heating_handler, name="供热温度")
    heating_problem = problems.problem_create(
        actor=world.heating_handler,
        title="顶层住户室温偏低",
        category=heating_cat,
        source="review",
        found_on=dt.date(2026, 11, 24),
    )

    now = clock.now()
    hot_issue = HotIssue.objects.create(
        computed_on=now.date(),
        since=now.date() - dt.timedelta(days=30),
        until=now.date(),
        rank=1,
        title="暖气不热",
        keywords=["暖气"],
        places=[],
        count=len(cases),
        people=len(cases),
        heat=9.0,
        start=now - dt.timedelta(days=3),
        end=now,
        case_ids=[c.pk for c in cases.values()],
    )
    alert = SurgeAlert.objects.create(
        category=world.heating_cat,
        area=world.east,
        key=f"c{world.heating_cat.pk}@a{world.east.pk}",
        window_days=7,
        start=now.date() - dt.timedelta(days=7),
        end=now.date(),
        observed=9,
        expected=2.0,
        p_value=0.001,
        explanation="供热诉求上升",
        unit=world.heating,
        created_at=now,
    )
    notification = Notification.objects.filter(user=world.heating_handler, case=cases["heating"]).first()
    if notification is None:
        notification = Notification.objects.create(
            user=world.heating_handler,
            case=cases["heating"],
            kind="assigned",
            message="新派单",
            created_at=now,
        )
    attachments = {
        "staff": cases["heating"].attachments.get(),
        "key": cases["wechat"].attachments.get(),
    }
    return MatrixWorld(
        world=world,
        nobody=nobody,
        cases={name: Case.objects.get(pk=case.pk) for name, case in cases.items()},
        keys={"key_wechat": wechat_raw, "key_heating": heating_raw, "key_leader": leader_raw},
        key_users={
            "key_wechat": wechat_key.user,
            "key_heating": heating_key.user,
            "key_leader": leader_key.user,
        },
        ledger=ledger,
        campaign=setup.campaign,
        visit=visit,
        household=visit.household,
        problems={"insurance": insurance_problem, "heating": heating_problem},
        measure=measure,
        hot_issue=hot_issue,
        alert=alert,
        notification=notification,
        attachments=attachments,
        photo=photo,
        extra={"west_secretary": west_secretary, "setup": setup, "west_visit": west_visit},
    )
