"""The monthly report as an Excel workbook: one sheet per part, headers in bold, a chart of the year.

Cells follow core/sheets.py: counts, scores and days are numbers, rates are fractions shown in per
cent, a change (环比, 同比) is a number whose format prints it as the pages do ("+12.5%", "−3.2 个百分
点", "+2.1 分"), dates are dates, a missing value is an empty cell, and columns fit their content."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from minyi.core import clock
from minyi.core.sheets import ONE_DECIMAL, WHOLE, Formatted, rate, signed, write_sheet
from minyi.reports.monthly import INSUFFICIENT, UNITS, MonthlyReport
from minyi.stats import measures


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list], *, heading: str | None = None):
    sheet = book.create_sheet(title)
    write_sheet(sheet, header, rows, title=heading)
    return sheet


def workbook(report: MonthlyReport) -> bytes:
    book = Workbook()
    book.remove(book.active)
    c, p, y = report.compared.current, report.compared.previous, report.compared.last_year
    overview = [
        [
            f.label,
            _value(f.kind, f.now),
            _change(f.mom),
            _change(f.yoy),
            _value(f.kind, f.previous),
            _value(f.kind, f.last_year),
        ]
        for f in report.figures
    ]
    overview.insert(
        2,
        [
            "平均办理天数",
            _days(c.average_handling_days),
            None,
            None,
            _days(p.average_handling_days),
            _days(y.average_handling_days),
        ],
    )
    # Excel has no hover: the earlier values stand in their own columns beside the changes.
    _sheet(book, "总览", ["指标", "本月", "环比", "同比", "上月", "去年同月"], overview, heading=report.title)
    _sheet(
        book,
        "分类",
        ["分类", "受理量", "办结量", "按时办结率", "满意率"],
        [
            [
                g.label,
                g.measures.received,
                g.measures.closed,
                rate(g.measures.on_time_rate),
                rate(g.measures.satisfaction_rate),
            ]
            for g in report.categories
        ],
    )
    _sheet(
        book,
        "单位排名",
        ["排名", "承办单位", report.score_label, "样本", "受理量", "办结量", "按时办结率", "满意率"],
        [
            [
                u.rank,
                u.group.label,
                INSUFFICIENT if u.insufficient else Formatted(u.score, ONE_DECIMAL),
                u.sample,
                u.group.measures.received,
                u.group.measures.closed,
                rate(u.group.measures.on_time_rate),
                rate(u.group.measures.satisfaction_rate),
            ]
            for u in report.units
        ],
    )
    _sheet(
        book,
        "热点问题",
        ["排名", "问题", "地点", "关键词", "人数", "件数", "热度", "起", "止"],
        [
            [
                i,
                h.title,
                "、".join(h.places),
                "、".join(h.keywords),
                h.people,
                h.count,
                Formatted(h.heat, ONE_DECIMAL),
                _day(h.start),
                _day(h.end),
            ]
            for i, h in enumerate(report.hot_issues, 1)
        ],
    )
    _sheet(
        book,
        "上升苗头",
        ["说明", "责任单位", "起", "止", "状态"],
        [
            [
                a.explanation,
                a.unit.name if a.unit else None,
                _day(a.start),
                _day(a.end),
                a.get_status_display(),
            ]
            for a in report.alerts
        ],
    )
    _sheet(
        book,
        "超期清单",
        ["工单编号", "标题", "承办单位", "办理时限", "答复时间"],
        [
            [
                o.tracking_number,
                o.title,
                o.lead_unit.name if o.lead_unit else None,
                o.handle_due_at,
                o.replied_at,
            ]
            for o in report.overdue
        ],
    )
    trend = _sheet(
        book,
        "近12个月",
        ["月份", "受理量", "办结量"],
        [[f"{m.month:%Y-%m}", m.received, m.closed] for m in report.trend],
    )
    chart = BarChart()
    chart.title = "近12个月受理量与办结量"
    chart.add_data(
        Reference(trend, min_col=2, max_col=3, min_row=1, max_row=len(report.trend) + 1),
        titles_from_data=True,
    )
    chart.set_categories(Reference(trend, min_col=1, min_row=2, max_row=len(report.trend) + 1))
    trend.add_chart(chart, "E2")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _value(kind: str, value) -> Formatted:
    """A count whole, the score with one decimal, a rate as the per cent the pages show."""
    if kind == measures.RATE:
        return rate(value)
    return Formatted(value, WHOLE if kind == measures.COUNT else ONE_DECIMAL)


def _change(moved: measures.Change) -> Formatted:
    """环比 or 同比 as a number printed like the pages: a count's change is a share (+12.5%), a rate's
    in percentage points, the score's in points; empty without a comparison."""
    if moved.value is None:
        return Formatted(None)
    if moved.kind == measures.COUNT:
        return Formatted(moved.value / 100, signed("%"))
    return Formatted(moved.value, signed(UNITS[moved.kind]))


def _days(value: float | None) -> Formatted:
    return Formatted(None if value is None else round(value, 1), ONE_DECIMAL)


def _day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return clock.local(value).date() if value.tzinfo else value.date()
    return value
