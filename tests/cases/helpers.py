"""Short ways to drive a case through the services in tests."""

from __future__ import annotations

from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create


def new_case(actor, **overrides) -> Case:
    fields = dict(
        channel="hotline",
        demand_type="complaint",
        title="小区暖气不热",
        description="幸福小区3号楼暖气温度只有十四度，老人孩子受不了，请尽快处理。",
        requester_name="张三",
        requester_phone="13812341234",
    )
    fields.update(overrides)
    return case_create(actor=actor, **fields)


def do(case: Case, operation: str, actor, **params) -> Case:
    return case_apply(case_id=case.pk, operation=operation, actor=actor, **params)


def ops(case: Case) -> list[str]:
    return list(case.events.values_list("operation", flat=True))
