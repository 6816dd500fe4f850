"""A small register of 区医保局 (陈医保 keeps it) and one of 热力公司, for the register's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from minyi.problems import services
from minyi.problems.models import Measure, Problem, ProblemCategory
from tests.cases.helpers import do, new_case


@dataclass
class Register:
    enrolment: ProblemCategory  # 参保登记
    settlement: ProblemCategory  # 异地就医结算
    window: ProblemCategory  # 窗口服务
    case: object  # a case 区医保局 leads
    from_case: Problem
    queue: Problem
    filing: Problem
    rude: Problem
    measure: Measure
    heating_problem: Problem


def assigned_case(world, unit, title="异地就医报销一直没到账"):
    """A case the dispatcher assigned to `unit` as lead unit."""
    case = new_case(world.operator, title=title, description="去年在外地住院，回来申请报销三个月了还没到账。")
    do(case, "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher, lead_unit=unit.pk)


@pytest.fixture
def register(world, clock) -> Register:
    keeper = world.insurance_handler
    enrolment = services.category_create(actor=keeper, name="参保登记")
    settlement = services.category_create(actor=keeper, name="异地就医结算")
    window = services.category_create(actor=keeper, name="窗口服务")
    clock.set("2026-11-02 09:00")  # the case came in before the problem was found in it
    case = assigned_case(world, world.insurance)
    clock.set("2026-11-25 09:00")
    from_case = services.problem_create(
        actor=keeper,
        title="异地住院报销到账慢",
        category=settlement,
        source="case",
        tracking_number=case.tracking_number,
        found_on=dt.date(2026, 11, 3),
    )
    queue = services.problem_create(
        actor=keeper,
        title="出院结算排队时间长",
        category=settlement,
        source="review",
        found_on=dt.date(2026, 10, 8),
    )
    filing = services.problem_create(
        actor=keeper,
        title="新生儿参保需跑两次",
        category=enrolment,
        source="review",
        found_on=dt.date(2026, 9, 1),
    )
    rude = services.problem_create(
        actor=keeper,
        title="窗口答复生硬",
        description='=HYPERLINK("http://x") 群众反映',
        category=window,
        source="review",
        found_on=dt.date(2026, 11, 20),
    )
    measure = services.measure_create(
        actor=keeper,
        title="推行床旁结算",
        responsible="赵静",
        problem_numbers=[queue.number, from_case.number],
        due_on=dt.date(2026, 12, 31),
    )
    services.problem_set_status(actor=keeper, problem_id=queue.pk, status="rectifying")
    heating_cat = services.category_create(actor=world.heating_handler, name="供热温度")
    heating_problem = services.problem_create(
        actor=world.heating_handler,
        title="顶层住户室温偏低",
        category=heating_cat,
        source="review",
        found_on=dt.date(2026, 11, 10),
    )
    return Register(
        enrolment, settlement, window, case, from_case, queue, filing, rude, measure, heating_problem
    )
