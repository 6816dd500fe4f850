"""The register's filters and its counts by category × status."""

from __future__ import annotations

import datetime as dt

from minyi.access import problems as access
from minyi.problems import selectors, services
from minyi.problems.models import Problem


def numbers(problems) -> set[str]:
    return set(problems.values_list("number", flat=True))


def test_filters_narrow_the_register(world, register):
    own = Problem.objects.filter(unit=world.insurance)
    assert numbers(selectors.filter_problems(own, {})) == {"2026-001", "2026-002", "2026-003", "2026-004"}
    assert numbers(selectors.filter_problems(own, {"category": register.settlement.pk})) == {
        "2026-001",
        "2026-002",
    }
    assert numbers(selectors.filter_problems(own, {"status": "rectifying"})) == {"2026-002"}
    assert numbers(selectors.filter_problems(own, {"source": "case"})) == {"2026-001"}
    assert numbers(selectors.filter_problems(own, {"q": "排队"})) == {"2026-002"}
    assert numbers(selectors.filter_problems(own, {"q": register.case.tracking_number})) == {"2026-001"}
    assert numbers(selectors.filter_problems(own, {"q": "2026-004"})) == {"2026-004"}
    both = {"category": register.settlement.pk, "status": "open"}
    assert numbers(selectors.filter_problems(own, both)) == {"2026-001"}


def test_counts_by_category_and_status(world, register):
    services.problem_set_status(
        actor=world.insurance_handler, problem_id=register.rude.pk, status="closed", note="误解"
    )
    services.category_create(actor=world.insurance_handler, name="生育保险")  # in use, still empty
    counts = selectors.register_counts(world.insurance.pk, dt.date(2026, 11, 25))
    table = {row.category.name: (row.by_status, row.total, row.measures) for row in counts.rows}
    assert table == {
        "参保登记": ({"open": 1}, 1, 0),
        "异地就医结算": ({"open": 1, "rectifying": 1}, 2, 1),
        "窗口服务": ({"closed": 1}, 1, 0),
        "生育保险": ({}, 0, 0),
    }
    assert counts.totals.by_status == {"open": 2, "rectifying": 1, "closed": 1}
    assert counts.totals.total == 4
    assert [n for _s, n in counts.totals.cells()] == [2, 1, 0, 1]
    assert (counts.measures, counts.measures_done, counts.measures_overdue) == (1, 0, 0)
    later = selectors.register_counts(world.insurance.pk, dt.date(2027, 1, 5))
    assert later.measures_overdue == 1


def test_a_category_out_of_use_is_counted_while_it_holds_problems(world, register):
    keeper = world.insurance_handler
    services.category_update(actor=keeper, category_id=register.window.pk, name="窗口服务", is_active=False)
    services.category_update(actor=keeper, category_id=register.enrolment.pk, name="参保登记", is_active=True)
    empty = services.category_create(actor=keeper, name="旧分类")
    services.category_update(actor=keeper, category_id=empty.pk, name="旧分类", is_active=False)
    names = [
        row.category.name for row in selectors.register_counts(world.insurance.pk, dt.date(2026, 11, 25)).rows
    ]
    assert "窗口服务" in names and "旧分类" not in names


def test_unit_summaries_for_readers_of_several_registers(world, register):
    reader = world.supervisor
    summaries = selectors.unit_summaries(
        access.problems_visible_to(reader), access.measures_visible_to(reader)
    )
    assert [(s.name, s.total, s.measures) for s in summaries] == [("区医保局", 4, 1), ("热力公司", 1, 0)]
    keeper = world.heating_handler
    own = selectors.unit_summaries(access.problems_visible_to(keeper), access.measures_visible_to(keeper))
    assert [s.name for s in own] == ["热力公司"]


def test_the_totals_row_counts_the_measures_on_problems_once(world, register):
    keeper = world.insurance_handler
    services.measure_create(actor=keeper, title="尚未关联问题的措施", responsible="刘敏")
    services.measure_create(  # on problems of two categories: in both rows, once in the total
        actor=keeper, title="结算与参保", responsible="刘敏", problem_numbers=["2026-002", "2026-003"]
    )
    counts = selectors.register_counts(world.insurance.pk, dt.date(2026, 11, 25))
    by_name = {row.category.name: row.measures for row in counts.rows}
    assert by_name == {"参保登记": 1, "异地就医结算": 2, "窗口服务": 0}
    assert counts.totals.measures == 2  # 推行床旁结算 and 结算与参保, each once
    assert counts.measures == 3  # every measure of the unit, for "done / all"
