"""The monthly report (月报): what it gathers, the Excel workbook, the PDF — whose first page is turned
into an image and read back, to see that the Chinese text is there and printed — the command and
the download button."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pymupdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from minyi.cases.models import Case
from minyi.core.sheets import displayed
from minyi.reports import pdf, xlsx
from minyi.reports.monthly import monthly_report, parse_month
from tests.console.test_dashboard import handled  # noqa: F401 — the fixture: one case through the loop
from tests.reports.test_figures_agree import district  # noqa: F401 — the fixture: Novembers to compare
from tests.workbooks import open_checked

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def report(world, handled):  # noqa: F811
    return monthly_report(month=parse_month("2026-11"), cases=Case.objects.all(), district="示范区")


def test_the_report_gathers_the_month(report, world):
    assert report.title == "示范区2026年11月民意诉求月报"
    assert report.compared.current.received == 1 and report.compared.current.closed == 1
    assert [r.label for r in report.rates][:4] == ["按时办结率", "响应率", "解决率", "满意率"]
    heating = report.units[0]
    assert heating.group.label == world.heating.name and heating.score == 100.0
    assert heating.insufficient and heating.rank is None and heating.sample == 1  # one order: not ranked
    assert report.categories[0].label == "城乡建设" and report.overdue_total == 0


def test_the_overdue_list_is_due_minus_on_time(world, clock):
    from tests.conftest import at
    from tests.stats.test_measures import make

    unit = dict(lead_unit=world.heating, category=world.heating_shortage)
    late = make(
        "2026-10-20 10:00",
        replied="2026-11-03 10:00",
        replied_on_time=False,
        handle_due_at=at("2026-10-30 18:00"),
        **unit,
    )
    open_late = make("2026-11-02 10:00", handle_due_at=at("2026-11-10 18:00"), **unit)
    replied_after = make(
        "2026-11-05 10:00",
        replied="2026-12-03 10:00",
        replied_on_time=False,
        handle_due_at=at("2026-11-12 18:00"),
        **unit,
    )
    make("2026-11-20 10:00", handle_due_at=at("2026-11-27 18:00"), **unit)  # not due yet on the 25th
    clock.set("2026-11-25 09:00")
    report = monthly_report(month=parse_month("2026-11"), cases=Case.objects.all())
    # replied late in November, still open past its deadline, replied only after the month:
    # all three are due and not on time; the order due on the 27th is not due yet
    assert {c.pk for c in report.overdue} == {late.pk, open_late.pk, replied_after.pk}
    assert report.overdue_total == report.compared.current.due - report.compared.current.on_time == 3


def test_the_workbook_has_every_part(report):
    book = load_workbook(io.BytesIO(xlsx.workbook(report)))
    assert book.sheetnames == [
        "总览",
        "分类",
        "单位排名",
        "热点问题",
        "上升苗头",
        "超期清单",
        "近12个月",
    ]
    overview = book["总览"]
    assert (
        overview["A1"].value == report.title
        and overview["A3"].value == "受理量"
        and overview["B3"].value == 1
    )
    assert [c.value for c in overview[2]] == ["指标", "本月", "环比", "同比", "上月", "去年同月"]
    ranking = book["单位排名"]
    assert (ranking["A2"].value, ranking["B2"].value, ranking["C2"].value) == (None, "热力公司", "样本不足")
    assert book["近12个月"]._charts


def test_the_workbook_writes_numbers_as_numbers_and_fits_its_columns(world, district):  # noqa: F811
    """Issue 17: apostrophes in cells ("'-4.9", a lone "'"), rates stored as text, columns 10 wide."""
    report = monthly_report(month=parse_month("2026-11"), cases=Case.objects.all(), district="示范区")
    book = open_checked(xlsx.workbook(report), title_rows=1)  # no "'", no number as text, widths fit
    rows = {row[0].value: row for row in book["总览"].iter_rows(min_row=3)}
    received, score, on_time = rows["受理量"], rows["综合评分"], rows[report.rates[0].label]
    assert (received[1].value, received[1].number_format) == (54, "0")
    assert (
        isinstance(received[2].value, float)
        and displayed(received[2].value, received[2].number_format) == "+22.7%"
    )
    assert (score[3].value, displayed(score[3].value, score[3].number_format)) == (-3.3, "−3.3 分")
    assert isinstance(on_time[1].value, float) and on_time[1].number_format == "0.0%"
    assert displayed(on_time[2].value, on_time[2].number_format).endswith(" 个百分点")
    days = rows["平均办理天数"]
    assert days[1].number_format == "0.0" and days[2].value is None and days[3].value is None
    ranking = list(book["单位排名"].iter_rows(min_row=2))
    assert all(r[6].number_format == "0.0%" and isinstance(r[6].value, int | float) for r in ranking)
    assert [r[2].value for r in ranking][-1] == "样本不足" and isinstance(ranking[0][2].value, float)
    overdue = list(book["超期清单"].iter_rows(min_row=2))
    replied = [r[4] for r in overdue if r[4].value is not None]
    assert all(r[3].value is None for r in overdue)  # no deadline: an empty cell, not "'"
    assert replied and all(
        isinstance(c.value, dt.datetime) and c.number_format == "yyyy-mm-dd hh:mm" for c in replied
    )
    assert book["总览"].column_dimensions["A"].width >= 14  # 平均办理天数: six characters, twelve columns


def test_the_pdf_prints_its_chinese_text_with_the_embedded_font(report):
    document = pymupdf.open(stream=pdf.document(report), filetype="pdf")
    page = document[0]
    text = page.get_text()
    assert report.title in text and "按时办结率" in text and "城乡建设" in text
    fonts = {font[3] for font in page.get_fonts()}
    assert any("NotoSansSC" in name for name in fonts), fonts
    # Look at it: the title band is printed in ink, not empty boxes or nothing.
    picture = page.get_pixmap(dpi=100, clip=pymupdf.Rect(40, 40, 400, 80))
    dark = sum(1 for i in range(0, len(picture.samples), picture.n) if picture.samples[i] < 160)
    assert dark > 800, dark
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_pixmap(dpi=80).save(ARTIFACTS / "monthly-report-page1.png")


def test_a_missing_font_is_a_clear_error(settings, tmp_path):
    pdf.register_fonts.cache_clear()
    settings.MINYI_PDF_FONT = str(tmp_path / "none.ttf")
    try:
        with pytest.raises(pdf.FontMissing, match="MINYI_PDF_FONT"):
            pdf.register_fonts()
    finally:
        pdf.register_fonts.cache_clear()


def test_the_command_writes_either_format_and_refuses_a_bad_month(report, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    call_command("report", "monthly", "--month", "2026-11", "--format", "pdf", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF") and "2026年11月" in capsys.readouterr().out
    call_command(
        "report", "monthly", "--month", "2026-11", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx")
    )
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("report", "monthly", "--month", "November")


def test_the_dashboard_downloads_the_report_of_the_users_scope(client, world, report):
    client.force_login(world.leader)
    page = client.get(reverse("console:dashboard")).content.decode()
    assert reverse("console:monthly_report") in page
    response = client.get(reverse("console:monthly_report"), {"month": "2026-11", "format": "xlsx"})
    assert (
        response.status_code == 200
        and 'filename="minyi-monthly-2026-11.xlsx"' in response["Content-Disposition"]
    )
    client.force_login(world.heating_handler)
    assert client.get(reverse("console:monthly_report"), {"month": "2026-11"}).status_code == 403


def test_the_download_mines_the_hot_issues_without_forking_the_web_server(client, world, report, monkeypatch):
    from minyi.analysis import hot

    asked = []
    monkeypatch.setattr(hot, "mine_cases", lambda **kwargs: asked.append(kwargs["workers"]) or [])
    client.force_login(world.leader)
    assert (
        client.get(reverse("console:monthly_report"), {"month": "2026-11", "format": "xlsx"}).status_code
        == 200
    )
    assert asked == [1]
