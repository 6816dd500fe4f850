"""The monthly report as PDF (ReportLab): A4, Noto Sans SC embedded (subset) so that every Chinese
character prints on any viewer, tables of the measures and rankings, and charts of the year and of the
categories drawn as vector graphics.

The font is a TrueType file brought at set-up time from the npm registry (tools/vendor_assets.py into
minyi/reports/fonts/), or MINYI_PDF_FONT / MINYI_PDF_FONT_BOLD when set (e.g. a font of the system).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from django.conf import settings
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from minyi.core.errors import MinyiError
from minyi.reports.monthly import MonthlyReport, change, percent, standing

FONT_DIR = Path(__file__).with_name("fonts")
REGULAR, BOLD = "NotoSansSC", "NotoSansSC-Bold"
BLUE = colors.HexColor("#1f4e8c")
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]


class FontMissing(MinyiError):
    code = "font_missing"
    http_status = 503


@functools.cache
def register_fonts() -> None:
    regular = Path(settings.MINYI_PDF_FONT or FONT_DIR / "NotoSansSC_400Regular.ttf")
    bold = Path(settings.MINYI_PDF_FONT_BOLD or FONT_DIR / "NotoSansSC_700Bold.ttf")
    if not regular.is_file():
        raise FontMissing(
            f"The Chinese font for PDF reports is missing ({regular}): run `make` (tools/vendor_assets.py "
            "brings it) or set MINYI_PDF_FONT to a TrueType font with Chinese characters."
        )
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold if bold.is_file() else regular)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)


def paragraph_styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=18, leading=26, textColor=BLUE),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=12.5, leading=20, spaceBefore=8),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.grey),
    }


def table(header: list[str], rows: list[list], widths: list[float], styles) -> Table:
    data = [[Paragraph(f"<b>{h}</b>", styles["cell"]) for h in header]]
    data += [[Paragraph(escape(v), styles["cell"]) for v in row] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c4d6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8fb")]),
            ]
        )
    )
    return table


def escape(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _trend_chart(report: MonthlyReport) -> Drawing:
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 150 * mm, 44 * mm
    chart.data = [[m.received for m in report.trend], [m.closed for m in report.trend]]
    chart.categoryAxis.categoryNames = [f"{m.month:%y-%m}" for m in report.trend]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor, chart.bars[1].fillColor = (
        colors.HexColor(PALETTE[0]),
        colors.HexColor(PALETTE[1]),
    )
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 110 * mm, 60 * mm, REGULAR, 8
    legend.alignment, legend.columnMaximum = "right", 1  # swatch, then its name; side by side
    legend.colorNamePairs = [(chart.bars[0].fillColor, "受理量"), (chart.bars[1].fillColor, "办结量")]
    drawing.add(legend)
    return drawing


def _category_chart(report: MonthlyReport) -> Drawing:
    drawing = Drawing(170 * mm, 60 * mm)
    groups = [g for g in report.categories if g.measures.received]
    if not groups:
        drawing.add(String(10 * mm, 30 * mm, "本月没有受理工单", fontName=REGULAR, fontSize=10))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 10 * mm, 5 * mm, 50 * mm, 50 * mm
    pie.data = [g.measures.received for g in groups]
    pie.labels = None
    for i in range(len(groups)):
        pie.slices[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 75 * mm, 52 * mm, REGULAR, 8.5
    legend.alignment, legend.columnMaximum = "right", len(groups)  # one column: swatch, name, count
    legend.colorNamePairs = [
        (colors.HexColor(PALETTE[i % len(PALETTE)]), f"{g.label}  {g.measures.received}件")
        for i, g in enumerate(groups)
    ]
    drawing.add(legend)
    return drawing


def document(report: MonthlyReport) -> bytes:
    register_fonts()
    s = paragraph_styles()
    c = report.compared.current
    received = report.figure("received")
    story = [
        Paragraph(escape(report.title), s["title"]),
        Paragraph(
            f"统计周期：{report.period.first_day:%Y-%m-%d} 至 {report.period.last_day:%Y-%m-%d}", s["small"]
        ),
        Spacer(1, 4 * mm),
        Paragraph("一、总体情况", s["h2"]),
        Paragraph(
            f"本月受理群众诉求 {c.received} 件（环比 {change(received.mom)}，同比 {change(received.yoy)}），"
            f"办结 {c.closed} 件，平均办理 {(c.average_handling_days or 0):.1f} 天；"
            f"{report.score_label} {report.score.now_shown}（环比 {change(report.score.mom)}）。",
            s["body"],
        ),
        Spacer(1, 2 * mm),
        # Paper has no hover: the earlier values stand in their own columns beside the changes.
        table(
            ["指标", "本月", "环比", "同比", "上月", "去年同月"],
            [
                [f.label, f.now_shown, change(f.mom), change(f.yoy), f.mom.then_shown, f.yoy.then_shown]
                for f in report.figures
            ],
            [34, 24, 30, 30, 24, 26],
            s,
        ),
        Paragraph("二、近12个月趋势", s["h2"]),
        _trend_chart(report),
        Paragraph("三、诉求分类", s["h2"]),
        _category_chart(report),
        Paragraph("四、热点问题", s["h2"]),
        table(
            ["排名", "问题", "地点", "人数", "件数", "热度"],
            [
                [i, h.title, "、".join(h.places[:3]), h.people, h.count, h.heat]
                for i, h in enumerate(report.hot_issues, 1)
            ]
            or [["", "本月没有发现热点问题", "", "", "", ""]],
            [12, 78, 36, 14, 14, 14],
            s,
        ),
        Paragraph("五、上升苗头", s["h2"]),
        table(
            ["预警", "责任单位", "状态"],
            [[a.explanation, a.unit.name if a.unit else "", a.get_status_display()] for a in report.alerts]
            or [["本月没有上升苗头预警", "", ""]],
            [110, 40, 18],
            s,
        ),
        Paragraph("六、承办单位排名", s["h2"]),
        table(
            ["排名", "承办单位", report.score_label, "样本", "受理", "办结", "按时办结率", "满意率"],
            [
                [
                    *standing(u)[:1],
                    u.group.label,
                    standing(u)[1],
                    u.sample,
                    u.group.measures.received,
                    u.group.measures.closed,
                    percent(u.group.measures.on_time_rate),
                    percent(u.group.measures.satisfaction_rate),
                ]
                for u in report.units[:20]
            ],
            [12, 46, 20, 14, 14, 14, 24, 24],
            s,
        ),
        Paragraph(f"样本（应办结）少于 {report.min_cases} 件的单位标为“样本不足”，不参与排名。", s["small"]),
        Paragraph(f"七、超期清单（共 {report.overdue_total} 件）", s["h2"]),
        table(
            ["工单编号", "标题", "承办单位", "办理时限"],
            [
                [o.tracking_number, o.title, o.lead_unit.name if o.lead_unit else "", _when(o.handle_due_at)]
                for o in report.overdue[:40]
            ]
            or [["", "本月没有超期工单", "", ""]],
            [30, 78, 36, 24],
            s,
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=report.title,
        author="民意 minyi",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    ).build(story)
    return buffer.getvalue()


def _when(moment) -> str:
    from minyi.core import clock

    return clock.local(moment).strftime("%Y-%m-%d") if moment else ""
