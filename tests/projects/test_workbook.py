"""The ledger in Excel (projects/workbook.py): exported and imported again it is the same ledger; a
workbook with problems is reported by sheet, row and column, and nothing of it is imported."""

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from minyi.access.projects import projects_visible_to
from minyi.core.errors import InvalidInput, NotPermitted
from minyi.org.models import Unit
from minyi.projects.models import Batch, Milestone, ProgressReport, Project, SubItem
from minyi.projects.services import report_file
from minyi.projects.workbook import LedgerInvalid, export_ledger, import_ledger
from tests.workbooks import open_checked

NOV = dt.date(2026, 11, 1)


def values(data: bytes) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def everything(user):
    return export_ledger(Batch.objects.all(), projects_visible_to(user))


def test_an_exported_ledger_imports_back_to_the_same_ledger(world, ledger):
    report_file(
        actor=world.heating_handler,
        item=ledger.mains,
        month=NOV,
        percent=80,
        done="更换管网",
        problems="=1+1",
    )
    report_file(
        actor=world.insurance_handler,
        item=ledger.stations,
        month=NOV,
        percent=40,
        done="暂停",
        completion="suspended",
    )
    first = everything(world.dispatcher)
    open_checked(
        first, text_columns={"项目台账": {"项目编号", "子项编号"}, "月调度": {"项目编号", "子项编号"}}
    )
    Batch.objects.all().delete()
    result = import_ledger(actor=world.dispatcher, data=first)
    assert (result.batches, result.projects, result.items, result.milestones, result.reports) == (
        1,
        2,
        3,
        12,
        2,
    )
    assert values(everything(world.dispatcher)) == values(first)
    project = Project.objects.get(number="1")
    assert set(project.co_units.all()) == {world.housing} and project.leader == world.leader
    assert ProgressReport.objects.get(item__name="一次管网更换").problems == "=1+1"  # kept, never a formula
    assert SubItem.objects.get(name="街道医保服务站全覆盖").status == "done"


def test_the_export_guards_against_formulas_and_holds_the_plan(world, ledger):
    ledger.mains.name = '=HYPERLINK("http://x")'
    ledger.mains.save()
    sheets = values(everything(world.dispatcher))
    header = sheets["项目台账"][0]
    assert header[:3] == ["批次", "项目编号", "项目名称"] and header[-4:] == [
        "计划2026-06",
        "计划2026-08",
        "计划2026-10",
        "计划2026-11",
    ]
    mains = sheets["项目台账"][1]
    assert mains[9] == '\'=HYPERLINK("http://x")'
    assert mains[-4:] == [10, "40：完成招标", 70, 90]


def test_a_leader_exports_only_the_projects_they_lead(world, ledger):
    rows = values(everything(world.leader))["项目台账"][1:]
    assert {r[1] for r in rows} == {"1"}


def workbook(ledger_rows, batch_rows=None, reports=None) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "批次"
    ws.append(["批次名称", "年度", "月调度起始月份", "每月填报截止日"])
    for row in batch_rows or [["2027年第一批", 2027, "2027-01", 25]]:
        ws.append(row)
    ws = book.create_sheet("项目台账")
    ws.append(
        [
            "批次",
            "项目编号",
            "项目名称",
            "领衔领导",
            "牵头单位",
            "配合单位",
            "目标任务",
            "项目完成时限",
            "子项编号",
            "子项内容",
            "子项责任单位",
            "子项完成时限",
            "计划2027-03",
            "计划2027-06",
        ]
    )
    for row in ledger_rows:
        ws.append(row)
    if reports is not None:
        ws = book.create_sheet("月调度")
        ws.append(
            [
                "批次",
                "项目编号",
                "子项编号",
                "月份",
                "完成进度(%)",
                "本月完成情况",
                "存在问题",
                "下步计划",
                "办结类型",
                "填报时间",
                "是否按时",
            ]
        )
        for row in reports:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    "2027年第一批",
    "1",
    "口袋公园建设",
    "孙区长",
    "区住建局",
    "热力公司、东城街道办",
    "新建口袋公园12个",
    "2027-12-31",
    "1",
    "东城口袋公园",
    "东城街道办",
    dt.date(2027, 10, 31),
    30,
    "60：主体完工",
]


def test_merged_cells_continue_the_project_of_the_row_above(world):
    second = [None] * 8 + ["2", "西城口袋公园", "区住建局", "2027/11/30", "20%", None]
    result = import_ledger(actor=world.dispatcher, data=workbook([GOOD, second]))
    assert (result.projects, result.items) == (1, 2)
    item = SubItem.objects.get(number="2")
    assert (item.unit, item.deadline, item.project.name) == (
        world.housing,
        dt.date(2027, 11, 30),
        "口袋公园建设",
    )
    assert list(Milestone.objects.filter(item=item).values_list("month", "planned")) == [
        (dt.date(2027, 3, 1), 20)
    ]
    assert Milestone.objects.get(item__number="1", month=dt.date(2027, 6, 1)).description == "主体完工"
    assert set(item.project.co_units.all()) == {world.heating, world.east_office}


@pytest.mark.parametrize(
    ("index", "value", "where"),
    [
        (3, "王某某", "项目台账 第2行「领衔领导」"),
        (4, "不存在的局", "项目台账 第2行「牵头单位」"),
        (7, "明年底", "项目台账 第2行「项目完成时限」"),
        (12, "120", "项目台账 第2行「计划2027-03」"),
        (9, "", "项目台账 第2行「子项内容」"),
    ],
)
def test_a_bad_cell_is_reported_where_it_is_and_nothing_is_imported(world, index, value, where):
    bad = list(GOOD)
    bad[index] = value
    second = list(GOOD)
    second[8] = "2"
    with pytest.raises(LedgerInvalid) as refused:
        import_ledger(actor=world.dispatcher, data=workbook([second, bad]))
    assert any(p.startswith(where.replace("第2行", "第3行")) for p in refused.value.details["problems"])
    assert not Batch.objects.exists() and not Project.objects.exists()


def test_a_report_of_an_unknown_sub_item_or_month_is_refused(world):
    reports = [
        ["2027年第一批", "1", "9", "2027-03", 30, "开工", None, None, None, None, None],
        ["2027年第一批", "1", "1", "三月", 30, "开工", None, None, "完成了", None, None],
    ]
    with pytest.raises(LedgerInvalid) as refused:
        import_ledger(actor=world.dispatcher, data=workbook([GOOD], reports=reports))
    problems = refused.value.details["problems"]
    assert any("月调度 第2行「子项编号」" in p for p in problems)
    assert any("月调度 第3行「月份」" in p for p in problems)
    assert any("月调度 第3行「办结类型」" in p for p in problems)
    assert not Batch.objects.exists()


def test_a_batch_that_exists_is_not_imported_again(world, ledger):
    row = ["2026年第一批民生实事", *GOOD[1:]]
    data = workbook([row], batch_rows=[["2026年第一批民生实事", 2026, "2026-06", 25]])
    with pytest.raises(LedgerInvalid) as refused:
        import_ledger(actor=world.dispatcher, data=data)
    assert refused.value.details["problems"] == [
        "批次 第2行「批次名称」: this batch exists already: rename it or delete the old one"
    ]
    assert Batch.objects.count() == 1 and Project.objects.count() == 2


def test_not_a_workbook_missing_sheets_and_columns_are_clear_errors(world):
    with pytest.raises(InvalidInput, match=r"\.xlsx"):
        import_ledger(actor=world.dispatcher, data=b"PK\x03\x04 not really a zip")
    book = Workbook()
    book.active.title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(LedgerInvalid) as refused:
        import_ledger(actor=world.dispatcher, data=out.getvalue())
    assert refused.value.details["problems"] == [
        "批次: the workbook has no sheet of this name",
        "项目台账: the workbook has no sheet of this name",
    ]


def test_only_the_centre_imports(world):
    with pytest.raises(NotPermitted):
        import_ledger(actor=world.leader, data=workbook([GOOD]))
    assert not Batch.objects.exists()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


REPORT_ROW = ["2027年第一批", "1", "1", "2027-03", 30, "开工", None, None, None, None, None]


def report_row(**changes):
    columns = [
        "batch",
        "project",
        "item",
        "month",
        "percent",
        "done",
        "problems",
        "next",
        "completion",
        "at",
        "on_time",
    ]
    row = dict(zip(columns, REPORT_ROW, strict=True)) | changes
    return list(row.values())


@pytest.mark.parametrize(
    ("row", "where"),
    [
        (report_row(percent=100), "「办结类型」"),  # 100 % without a kind of completion
        (report_row(percent=40, completion="实质性办结"), "「完成进度(%)」"),
        (report_row(month="2099-05"), "「月份」"),  # the future
        (report_row(month="2026-05"), "「月份」"),  # before the batch's first month
        (report_row(percent=80.5), "「完成进度(%)」"),
        (report_row(percent="1e999"), "「完成进度(%)」"),
    ],
)
def test_report_rows_follow_the_rules_of_filing(world, clock, row, where):
    clock.set("2027-06-10 09:00")
    with pytest.raises(LedgerInvalid) as refused:
        import_ledger(actor=world.dispatcher, data=workbook([GOOD], reports=[row]))
    assert any(p.startswith("月调度 第2行" + where) for p in refused.value.details["problems"]), (
        refused.value.details
    )
    assert not Batch.objects.exists()


def test_nothing_is_reported_after_a_completion(world, clock):
    clock.set("2027-06-10 09:00")
    rows = [report_row(month="2027-04"), report_row(month="2027-03", percent=100, completion="实质性办结")]
    with pytest.raises(LedgerInvalid) as refused:
        import_ledger(actor=world.dispatcher, data=workbook([GOOD], reports=rows))
    assert any(
        p.startswith("月调度 第2行「月份」") and "2027-03" in p for p in refused.value.details["problems"]
    )


def test_percent_cells_are_read_as_they_are_shown(world, clock):
    clock.set("2027-06-10 09:00")
    data = workbook([GOOD], reports=[report_row(percent=0.8)])
    book = load_workbook(io.BytesIO(data))
    book["月调度"]["E2"].number_format = "0%"
    book["项目台账"]["M2"].value = 0.3
    book["项目台账"]["M2"].number_format = "0%"
    out = io.BytesIO()
    book.save(out)
    import_ledger(actor=world.dispatcher, data=out.getvalue())
    assert ProgressReport.objects.get().percent == 80
    assert Milestone.objects.get(month=dt.date(2027, 3, 1)).planned == 30


def test_numbers_too_long_are_refused_not_cut(world):
    first, second = list(GOOD), list(GOOD)
    first[1], second[1] = "2027-民生-城建-00001A", "2027-民生-城建-00001B"
    with pytest.raises(LedgerInvalid) as refused:
        import_ledger(actor=world.dispatcher, data=workbook([first, second]))
    assert sum("「项目编号」" in p for p in refused.value.details["problems"]) == 2


def test_a_numeric_project_number_repeated_on_merged_rows_continues_its_project(world):
    first = list(GOOD)
    first[1] = 7
    second = [
        None,
        7,
        None,
        None,
        None,
        None,
        None,
        None,
        "2",
        "西城口袋公园",
        "区住建局",
        "2027-11-30",
        None,
        None,
    ]
    result = import_ledger(actor=world.dispatcher, data=workbook([first, second]))
    assert (result.projects, result.items) == (1, 2)


def test_two_plan_columns_of_one_month_are_reported(world):
    data = workbook([GOOD])
    book = load_workbook(io.BytesIO(data))
    book["项目台账"]["N1"].value = "计划2027-3"  # the same month as 计划2027-03
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(LedgerInvalid) as refused:
        import_ledger(actor=world.dispatcher, data=out.getvalue())
    assert refused.value.details["problems"] == [
        "项目台账 第1行「计划2027-3」: two plan columns name the same month"
    ]


def test_units_of_the_same_name_are_exported_by_code_and_round_trip(world, ledger):
    Unit.objects.create(code="heating2", name=world.heating.name, kind=Unit.Kind.ENTERPRISE)
    first = everything(world.dispatcher)
    assert values(first)["项目台账"][1][4] == "heating"  # 牵头单位 by code: the name is not unique
    Batch.objects.all().delete()
    import_ledger(actor=world.dispatcher, data=first)
    assert Project.objects.get(number="1").lead_unit == world.heating
    assert values(everything(world.dispatcher)) == values(first)
