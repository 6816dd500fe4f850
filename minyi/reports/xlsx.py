"""The monthly report as an Excel workbook: one sheet per part, headers in bold, a chart of the year."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from minyi.reports.monthly import MonthlyReport, change, percent, standing
from minyi.stats import measures

BOLD = Font(bold=True)


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list], *, first: bool = False):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for index, name in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(60, len(str(name)) * 2 + 4))
    return sheet


# A change as the report prints it ("+22.7%", "+3.1 个百分点", "−2.2 分"): digits, nothing to run.
CHANGE = re.compile(r"[+−-]?\d+(\.\d+)?(%| 个百分点| 分)?")


def _safe(value):
    # A text a spreadsheet would run as a formula ("=…", "+…") is kept as text.
    if isinstance(value, str) and value[:1] in "=+-@" and not CHANGE.fullmatch(value):
        return "'" + value
    return value


def workbook(report: MonthlyReport) -> bytes:
    book = Workbook()
    c, p, y = report.compared.current, report.compared.previous, report.compared.last_year
    overview = [
        [
            f.label,
            _cell(f.kind, f.now),
            change(f.mom),
            change(f.yoy),
            _cell(f.kind, f.previous),
            _cell(f.kind, f.last_year),
        ]
        for f in report.figures
    ]
    overview.insert(
        2,
        [
            "平均办理天数",
            round(c.average_handling_days or 0, 1),
            "",
            "",
            round(p.average_handling_days or 0, 1),
            round(y.average_handling_days or 0, 1),
        ],
    )
    # Excel has no hover: the earlier values stand in their own columns beside the changes.
    sheet = _sheet(book, "总览", ["指标", "本月", "环比", "同比", "上月", "去年同月"], overview, first=True)
    sheet.insert_rows(1)
    sheet["A1"] = report.title
    sheet["A1"].font = Font(bold=True, size=14)
    _sheet(
        book,
        "分类",
        ["分类", "受理量", "办结量", "按时办结率", "满意率"],
        [
            [
                g.label,
                g.measures.received,
                g.measures.closed,
                percent(g.measures.on_time_rate),
                percent(g.measures.satisfaction_rate),
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
                standing(u)[1] if u.insufficient else u.score,
                u.sample,
                u.group.measures.received,
                u.group.measures.closed,
                percent(u.group.measures.on_time_rate),
                percent(u.group.measures.satisfaction_rate),
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
                h.heat,
                f"{h.start:%Y-%m-%d}",
                f"{h.end:%Y-%m-%d}",
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
                a.unit.name if a.unit else "",
                f"{a.start:%Y-%m-%d}",
                f"{a.end:%Y-%m-%d}",
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
                o.lead_unit.name if o.lead_unit else "",
                _when(o.handle_due_at),
                _when(o.replied_at),
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


def _cell(kind: str, value):
    """A count or the score as a number, a rate as the per cent the pages show."""
    return percent(value) if kind == measures.RATE else value


def _when(moment) -> str:
    from minyi.core import clock

    return clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
