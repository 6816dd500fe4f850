"""月汇总 as the district office files it: an Excel workbook and an A4 PDF with the same parts —
the batch's figures for the month (done / on track / lagging / not started, completion rate and its
change), the projects, the lagging sub-items with their units and leaders, and what changed. The
workbook's cells follow core/sheets.py (percentages are numbers in a per-cent format, deadlines dates);
the PDF prints the same values as text.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from minyi.core.sheets import Formatted, signed, write_sheet
from minyi.projects import progress
from minyi.projects.summary import STATUSES, MonthlySummary
from minyi.reports.pdf import escape, paragraph_styles, register_fonts, table

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
STATUS_WORDS = {
    progress.DONE: "已完成",
    progress.ON_TRACK: "按序推进",
    progress.LAGGING: "滞后",
    progress.NOT_STARTED: "未启动",
}
COMPLETION_WORDS = {
    progress.SUBSTANTIVE: "实质性办结",
    progress.PROCEDURAL: "程序性终结",
    progress.SUSPENDED: "问题中止",
}
WHOLE_PERCENT = "0%"


def title(s: MonthlySummary) -> str:
    return f"{s.batch.name} {s.month:%Y年%m月}推进情况汇总"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _progress(percent: int, sheet: bool):
    """A planned or reported progress (a whole percent): a number in a per-cent format in the workbook."""
    return Formatted(percent / 100, WHOLE_PERCENT) if sheet else f"{percent}%"


def overview(s: MonthlySummary, *, sheet: bool = False) -> list[list]:
    items, projects = s.item_counts, s.project_counts
    rate_before = progress.rate(s.done_before, s.total)
    change = None if s.rate is None or rate_before is None else round((s.rate - rate_before) * 100)
    rows = [[STATUS_WORDS[k], projects[k], items[k]] for k in STATUSES]
    rows.append(["合计", len(s.projects), s.total])
    if sheet:  # the counts stand in the rows above
        rows.append(["完成率", None, Formatted(s.rate, WHOLE_PERCENT)])
        rows.append(["较上月", None, Formatted(change, signed("个百分点", places=0))])
    else:
        rows.append(["完成率", "", f"{_percent(s.rate)}（{s.done}/{s.total}）"])
        rows.append(
            [
                "较上月",
                "",
                f"{'+' if (change or 0) >= 0 else ''}{change if change is not None else '—'}个百分点",
            ]
        )
    for kind, n in s.completions.items():
        rows.append([f"其中{COMPLETION_WORDS[kind]}", None if sheet else "", n])
    return rows


def project_rows(s: MonthlySummary, *, sheet: bool = False) -> list[list]:
    return [
        [
            p.project.number,
            p.project.name,
            p.project.leader.full_name or p.project.leader.username,
            p.project.lead_unit.name,
            f"{sum(1 for i in p.items if i.status == progress.DONE)}/{len(p.items)}",
            _progress(p.planned, sheet),
            _progress(p.percent, sheet),
            STATUS_WORDS[p.status],
        ]
        for p in s.projects
    ]


def lagging_rows(s: MonthlySummary, *, sheet: bool = False) -> list[list]:
    return [
        [
            f"{i.item.project.number}-{i.item.number}",
            i.item.name,
            i.item.unit.name,
            i.item.project.leader.full_name or i.item.project.leader.username,
            _progress(i.planned, sheet),
            _progress(i.percent, sheet),
            i.item.deadline if sheet else f"{i.item.deadline:%Y-%m-%d}",
            None if i.reported else "本月未报",
        ]
        for i in s.lagging
    ]


def change_rows(s: MonthlySummary) -> list[list]:
    return [
        [
            f"{i.item.project.number}-{i.item.number}",
            i.item.name,
            i.item.unit.name,
            STATUS_WORDS[i.before],
            STATUS_WORDS[i.status],
        ]
        for i in s.changes
    ]


PROJECT_HEADER = ["编号", "项目名称", "领衔领导", "牵头单位", "完成子项", "计划进度", "实际进度", "状态"]
LAGGING_HEADER = ["子项", "内容", "责任单位", "领衔领导", "计划进度", "实际进度", "完成时限", "备注"]
CHANGE_HEADER = ["子项", "内容", "责任单位", "上月状态", "本月状态"]


def summary_xlsx(s: MonthlySummary) -> bytes:
    book = Workbook()
    book.remove(book.active)
    sheets = [
        ("汇总", ["项目", "项目数", "子项数"], overview(s, sheet=True)),
        ("项目进度", PROJECT_HEADER, project_rows(s, sheet=True)),
        ("滞后子项", LAGGING_HEADER, lagging_rows(s, sheet=True)),
        ("本月变化", CHANGE_HEADER, change_rows(s)),
    ]
    for index, (name, header, rows) in enumerate(sheets):
        write_sheet(book.create_sheet(name), header, rows, title=title(s) if index == 0 else None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def summary_pdf(s: MonthlySummary) -> bytes:
    register_fonts()
    st = paragraph_styles()
    story = [
        Paragraph(escape(title(s)), st["title"]),
        Paragraph(
            escape(
                f"共{len(s.projects)}个项目、{s.total}个子项，已完成{s.done}个，完成率{_percent(s.rate)}；"
                f"滞后{s.item_counts[progress.LAGGING]}个，未启动{s.item_counts[progress.NOT_STARTED]}个。"
            ),
            st["body"],
        ),
        Spacer(1, 4 * mm),
        Paragraph("一、总体情况", st["h2"]),
        table(["项目", "项目数", "子项数"], overview(s), [60, 40, 60], st),
        Paragraph("二、各项目推进情况", st["h2"]),
        table(PROJECT_HEADER, project_rows(s), [14, 80, 24, 40, 20, 20, 20, 20], st),
        Paragraph("三、滞后子项", st["h2"]),
        table(LAGGING_HEADER, lagging_rows(s), [16, 80, 40, 24, 20, 20, 24, 18], st)
        if s.lagging
        else Paragraph("本月没有滞后子项。", st["body"]),
        Paragraph("四、本月变化", st["h2"]),
        table(CHANGE_HEADER, change_rows(s), [18, 110, 50, 30, 30], st)
        if s.changes
        else Paragraph("本月各子项状态没有变化。", st["body"]),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title(s),
    )
    doc.build(story)
    return out.getvalue()
