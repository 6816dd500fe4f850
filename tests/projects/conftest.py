"""A small ledger in the test world: one batch, two projects, three sub-items.

2026年第一批民生实事 (reports from 2026-06, due on the 25th)
├── 1. 老旧小区供热管网改造 — led by 孙区长 (world.leader), 热力公司, co-unit 区住建局
│   ├── 1 一次管网更换 (热力公司)      plan 06:10 08:40 10:70 11:90, deadline 2026-12-31
│   └── 2 楼内立管更新 (区住建局)      same plan
└── 2. 医保服务就近办 — led by 钱副区长 (leader2), 区医保局
    └── 1 街道医保服务站全覆盖 (区医保局) same plan
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from minyi.org.roles import Role
from minyi.projects.models import Batch, Milestone, Project, SubItem
from minyi.projects.services import refresh_project
from tests.world import person

PLAN = {dt.date(2026, 6, 1): 10, dt.date(2026, 8, 1): 40, dt.date(2026, 10, 1): 70, dt.date(2026, 11, 1): 90}


@dataclass
class Ledger:
    batch: Batch
    heating_project: Project
    insurance_project: Project
    mains: SubItem
    risers: SubItem
    stations: SubItem
    leader2: object


def sub_item(project, number, name, unit, plan=PLAN, deadline=dt.date(2026, 12, 31)) -> SubItem:
    item = SubItem.objects.create(project=project, number=number, name=name, unit=unit, deadline=deadline)
    Milestone.objects.bulk_create(
        [
            Milestone(item=item, month=m, planned=p, description="完成招标" if p == 40 else "")
            for m, p in plan.items()
        ]
    )
    return item


@pytest.fixture
def ledger(world, clock) -> Ledger:
    return build_ledger(world)


def build_ledger(world) -> Ledger:
    leader2 = person("leader2", "钱副区长", world.centre, Role.LEADER)
    batch = Batch.objects.create(
        name="2026年第一批民生实事", year=2026, first_month=dt.date(2026, 6, 1), report_day=25
    )
    heating = Project.objects.create(
        batch=batch,
        number="1",
        name="老旧小区供热管网改造",
        leader=world.leader,
        lead_unit=world.heating,
        target="改造供热管网28公里",
        deadline=dt.date(2026, 12, 31),
    )
    heating.co_units.set([world.housing])
    insurance = Project.objects.create(
        batch=batch,
        number="2",
        name="医保服务就近办",
        leader=leader2,
        lead_unit=world.insurance,
        deadline=dt.date(2026, 12, 31),
    )
    ledger = Ledger(
        batch=batch,
        heating_project=heating,
        insurance_project=insurance,
        mains=sub_item(heating, "1", "一次管网更换", world.heating),
        risers=sub_item(heating, "2", "楼内立管更新", world.housing),
        stations=sub_item(insurance, "1", "街道医保服务站全覆盖", world.insurance),
        leader2=leader2,
    )
    for project in (heating, insurance):
        refresh_project(project)  # as an import or the admin leaves it: the kept figures are current
    return ledger
