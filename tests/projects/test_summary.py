"""月汇总 and 挂图作战 (projects/summary.py) and their Excel and PDF (projects/exports.py)."""

import datetime as dt

import pytest

from minyi.access.projects import projects_visible_to
from minyi.core.sheets import displayed
from minyi.projects import progress
from minyi.projects.exports import summary_pdf, summary_xlsx
from minyi.projects.models import Project, SubItem
from minyi.projects.services import refresh_all, report_file
from minyi.projects.summary import monthly_summary, wall_chart
from tests.workbooks import open_checked

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


@pytest.fixture
def reported(world, ledger, clock):
    """October: mains 70 %, risers 40 % (lagging), stations 75 %. November: mains done, risers 85 %;
    read on 26 November, the day after November's reports were due."""
    report_file(actor=world.heating_handler, item=ledger.mains, month=OCT, percent=70, done="更换管网")
    report_file(
        actor=world.housing_handler,
        item=ledger.risers,
        month=OCT,
        percent=40,
        done="更新立管",
        problems="入户难",
    )
    report_file(actor=world.insurance_handler, item=ledger.stations, month=OCT, percent=75, done="建站")
    report_file(
        actor=world.heating_handler,
        item=ledger.mains,
        month=NOV,
        percent=100,
        done="完工",
        completion="substantive",
    )
    report_file(actor=world.housing_handler, item=ledger.risers, month=NOV, percent=85, done="更新立管")
    clock.set("2026-11-26 09:00")
    return ledger


def test_the_summary_counts_the_month_and_what_changed(world, reported):
    s = monthly_summary(reported.batch, NOV, projects_visible_to(world.dispatcher))
    assert s.item_counts == {"done": 1, "on_track": 1, "lagging": 1, "not_started": 0}
    assert (s.done, s.total, round(s.rate * 100)) == (1, 3, 33)
    assert s.done_before == 0
    # stations reported 75 % in October and nothing in November: 90 % planned → lagging, not reported
    assert [(i.item, i.reported) for i in s.lagging] == [(reported.stations, False)]
    changes = {(i.item, i.before, i.status) for i in s.changes}
    assert changes == {
        (reported.mains, progress.ON_TRACK, progress.DONE),
        (reported.risers, progress.LAGGING, progress.ON_TRACK),
        (reported.stations, progress.ON_TRACK, progress.LAGGING),
    }
    assert s.project_counts == {"done": 0, "on_track": 1, "lagging": 1, "not_started": 0}


def test_a_leader_summary_holds_only_the_projects_they_lead(world, reported):
    s = monthly_summary(reported.batch, NOV, projects_visible_to(world.leader))
    assert [p.project for p in s.projects] == [reported.heating_project]
    assert (s.done, s.total) == (1, 2)


def test_the_wall_chart_shows_plan_and_actual_per_month(world, reported):
    chart = wall_chart(reported.batch, projects_visible_to(world.dispatcher), current=dt.date(2026, 11, 25))
    assert chart.months[0] == dt.date(2026, 6, 1) and chart.months[-1] == dt.date(2026, 12, 1)
    rows = {r.label: r for r in chart.rows}
    risers = rows["1-2 楼内立管更新"]
    by_month = {c.month: c for c in risers.cells}
    assert (by_month[OCT].planned, by_month[OCT].actual, by_month[OCT].status) == (70, 40, progress.LAGGING)
    assert (by_month[NOV].planned, by_month[NOV].actual, by_month[NOV].status) == (90, 85, progress.ON_TRACK)
    assert by_month[dt.date(2026, 12, 1)].actual is None  # the future has no actual yet
    assert by_month[dt.date(2026, 8, 1)].milestone == "完成招标"
    project = rows["1. 老旧小区供热管网改造"]
    assert project.leader == "孙区长" and project.item is None
    assert {c.month: c.actual for c in project.cells}[NOV] == 92  # mean of 100 and 85, rounded


def test_the_excel_summary_has_the_offices_sheets(world, reported):
    s = monthly_summary(reported.batch, NOV, projects_visible_to(world.dispatcher))
    # numbers as numbers (percentages in a per-cent format), dates as dates, columns as wide as they show
    book = open_checked(summary_xlsx(s), title_rows=1, text_columns={"项目进度": {"编号"}})
    assert book.sheetnames == ["汇总", "项目进度", "滞后子项", "本月变化"]
    overview = [[c.value for c in row] for row in book["汇总"].iter_rows()]
    assert overview[0] == ["2026年第一批民生实事 2026年11月推进情况汇总", None, None]
    assert ["已完成", 0, 1] in overview and ["滞后", 1, 1] in overview
    shown = {
        row[0].value: displayed(row[2].value, row[2].number_format)
        for row in book["汇总"].iter_rows(min_row=3)
    }
    assert shown["完成率"] == "33%" and shown["较上月"] == "+33个百分点"
    lagging = [
        [displayed(c.value, c.number_format) for c in row] for row in book["滞后子项"].iter_rows(min_row=2)
    ]
    assert lagging == [
        ["2-1", "街道医保服务站全覆盖", "区医保局", "钱副区长", "90%", "75%", "2026-12-31", "本月未报"]
    ]
    assert isinstance(book["滞后子项"]["E2"].value, float) and isinstance(
        book["滞后子项"]["G2"].value, dt.datetime
    )


def test_the_pdf_summary_is_a_document(world, reported):
    s = monthly_summary(reported.batch, NOV, projects_visible_to(world.dispatcher))
    data = summary_pdf(s)
    assert data.startswith(b"%PDF") and len(data) > 2000


def file_october(world, ledger, percent: int) -> None:
    for actor, item in (
        (world.heating_handler, ledger.mains),
        (world.housing_handler, ledger.risers),
        (world.insurance_handler, ledger.stations),
    ):
        report_file(actor=actor, item=item, month=OCT, percent=percent, done="推进中")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # November's reports (90 % planned) are due on the 25th: before, October's 70 % is the plan
        ("2026-11-10 09:00", progress.ON_TRACK),
        ("2026-11-25 09:00", progress.ON_TRACK),
        ("2026-11-26 09:00", progress.LAGGING),  # due and not filed: November's plan
    ],
)
def test_the_ledger_and_the_summary_give_a_project_one_status(world, ledger, clock, day, expected):
    file_october(world, ledger, 75)
    clock.set(day)
    refresh_all()  # the daily job keeps the ledger's statuses

    summary = monthly_summary(ledger.batch, NOV, projects_visible_to(world.dispatcher))

    kept = dict(Project.objects.values_list("number", "status"))
    assert {p.project.number: p.status for p in summary.projects} == kept == {"1": expected, "2": expected}
    kept_items = dict(SubItem.objects.values_list("pk", "status"))
    assert {i.item.pk: i.status for i in summary.items} == kept_items
    chart = wall_chart(
        ledger.batch, projects_visible_to(world.dispatcher), current=dt.date.fromisoformat(day[:10])
    )
    current = {r.label: r.cells[chart.months.index(NOV)].status for r in chart.rows if r.item is None}
    assert current == {"1. 老旧小区供热管网改造": expected, "2. 医保服务就近办": expected}


def test_before_the_report_day_an_unreported_item_is_held_to_the_plan_of_the_month_before(
    world, ledger, clock
):
    file_october(world, ledger, 75)
    clock.set("2026-11-10 09:00")
    report_file(actor=world.heating_handler, item=ledger.mains, month=NOV, percent=78, done="推进中")

    summary = monthly_summary(ledger.batch, NOV, projects_visible_to(world.dispatcher))

    rows = {i.item: i for i in summary.items}
    # mains reported on November: held to November's 90 % already, and 78 % lags
    assert (rows[ledger.mains].planned, rows[ledger.mains].status) == (90, progress.LAGGING)
    assert rows[ledger.mains].reported
    # the risers have until the 25th: October's 70 % holds, and they are still to report
    assert (rows[ledger.risers].planned, rows[ledger.risers].percent) == (70, 75)
    assert rows[ledger.risers].status == progress.ON_TRACK and not rows[ledger.risers].reported
