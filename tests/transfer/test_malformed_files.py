"""Malformed spreadsheets through the case import (`minyi import cases` and the import page): each
gets a clear error — about the file, or per row and column — and nothing is imported."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from minyi.cases.models import Case, CaseEvent
from minyi.core.errors import InvalidInput
from minyi.transfer import importer
from minyi.transfer.reader import read_table
from tests.transfer.helpers import DEFAULT, H, row
from tests.web import spreadsheets as sheets

FIELDS = list(row())


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def table(*rows: dict) -> list[list]:
    return [[H[f] for f in FIELDS], *[[r.get(f) for f in FIELDS] for r in rows]]


def good_xlsx(*rows: dict) -> bytes:
    return sheets.xlsx(table(*(rows or (row(),))))


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def refused(data: bytes, name: str) -> str:
    """The import of the file is refused; returns what it says. Nothing was written."""
    try:
        report = importer.run(data, name, DEFAULT)
    except InvalidInput as exc:
        message = exc.message
    else:
        assert not report.ok and report.imported == 0, report
        assert all(p.row and p.column for p in report.errors), report.errors
        message = "; ".join(f"row {p.row} {p.column}: {p.message}" for p in report.errors)
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0
    return message


FILES = {
    "not-a-zip": (b"<html>not a workbook</html>", "cases.xlsx", "not an Excel workbook"),
    "zip-not-xlsx": (sheets.a_zip(**{"readme.txt": b"hello"}), "cases.xlsx", "not an Excel workbook"),
    "old-xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "cases.xlsx", "old Excel file"),
    "empty": (b"", "cases.xlsx", "empty"),
    "chartsheet-only": (sheets.chartsheet_only(), "cases.xlsx", "not an Excel workbook"),
    "csv-binary": (b"\x00\x01\x02" * 50, "cases.csv", "binary"),
    "csv-neither-utf8-nor-gbk": (b"\xff\xfe\xfa\xfb" * 20, "cases.csv", "neither UTF-8 nor GBK"),
    "csv-header-only-blank": (b"\n\n,,\n", "cases.csv", "no header row"),
    "wrong-extension": (b"a,b\n1,2\n", "cases.txt", "not a spreadsheet"),
}


@pytest.mark.parametrize("name", FILES)
def test_a_file_that_is_no_table_is_refused_with_what_to_do(world, clock, name):
    data, file_name, says = FILES[name]

    assert says in refused(data, file_name)


def test_a_truncated_workbook_is_refused(world, clock):
    data = good_xlsx()

    assert "not an Excel workbook" in refused(data[: len(data) // 2], "cases.xlsx")


def test_a_workbook_whose_sheet_is_broken_xml_is_refused(world, clock):
    assert "not an Excel workbook" in refused(sheets.broken_sheet_xml(good_xlsx()), "cases.xlsx")


def test_a_sheet_claiming_every_row_and_column_reads_only_its_cells(world, clock):
    data = sheets.huge_dimension(good_xlsx())

    _number, cells = read_table(data, "cases.xlsx").rows[0]
    report = importer.run(data, "cases.xlsx", DEFAULT)

    assert len(cells) == len(FIELDS)  # not padded to the 16,384 columns claimed, row after row
    assert report.ok and report.imported == 1


def test_rows_and_columns_past_the_size_a_sheet_claims_are_read_not_dropped(world, clock):
    data = sheets.claim_dimension(good_xlsx(row(), row(external_id="X-2"), row(external_id="X-3")), "A1:B2")

    report = importer.run(data, "cases.xlsx", DEFAULT)

    assert report.ok and report.imported == 3


def test_a_cell_at_the_far_corner_of_the_sheet_is_one_bad_row(world, clock):
    message = refused(sheets.far_cell(good_xlsx()), "cases.xlsx")

    assert "row 1048576" in message


def test_a_formula_is_refused_at_its_row_and_column(world, clock):
    message = refused(good_xlsx(row(title='=HYPERLINK("http://x","click")')), "cases.xlsx")

    assert f"row 2 {H['title']}: This cell is a formula" in message


@pytest.mark.parametrize(
    "text", ["2025年12月1日", "0001-01-01 00:00:00", "2026-02-30 10:00:00", "-2025-12-01", "1.5", "yesterday"]
)
def test_a_date_written_as_odd_text_is_refused_at_its_row_and_column(world, clock, text):
    message = refused(good_xlsx(row(received_at=text)), "cases.xlsx")

    assert f"row 2 {H['received_at']}" in message


def test_a_far_future_date_is_refused(world, clock):
    message = refused(good_xlsx(row(closed_at="9999-12-31 23:59:59")), "cases.xlsx")

    assert f"row 2 {H['closed_at']}: This time lies in the future" in message


def test_merged_header_cells_leave_columns_unnamed_and_say_which_are_missing(world, clock):
    message = refused(sheets.merged_header(table(row())), "cases.xlsx")

    assert "lacks the columns" in message


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_a_csv_in_gbk_or_with_a_bom_is_read(world, clock, encoding):
    report = importer.run(csv_bytes(table(row()), encoding), "cases.csv", DEFAULT)

    assert report.ok and report.imported == 1
    assert Case.objects.get().title == row()["title"]


def test_a_nul_byte_deep_in_a_csv_is_refused_at_its_row_and_column(world, clock):
    # Past the first 64 KB, where the binary check looks: PostgreSQL refuses NUL in text.
    rows = [row(external_id=f"X-{n}", description="长" * 100) for n in range(300)]
    rows.append(row(external_id="X-NUL", description="before\x00after"))

    message = refused(csv_bytes(table(*rows)), "cases.csv")

    assert f"row 302 {H['description']}" in message


def test_control_characters_in_a_cell_are_refused_at_its_row_and_column(world, clock):
    message = refused(csv_bytes(table(row(title="标题\x07\x1b[31m"))), "cases.csv")

    assert f"row 2 {H['title']}" in message


def test_more_rows_than_the_limit_are_refused_before_any_is_read(world, clock, settings):
    settings.MINYI_IMPORT_MAX_ROWS = 5
    rows = [row(external_id=f"X-{n}") for n in range(6)]

    assert "more than the 5" in refused(csv_bytes(table(*rows)), "cases.csv")
    assert "more than the 5" in refused(good_xlsx(*rows), "cases.xlsx")


@pytest.mark.parametrize("name", ["not-a-zip", "chartsheet-only", "csv-binary"])
def test_the_import_page_says_what_is_wrong_and_keeps_nothing(client, world, clock, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(world.dispatcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data, file_name, says = FILES[name]

    response = client.post(
        "/console/import/",
        {"file": SimpleUploadedFile(file_name, data), "mapping": "default", "action": "import"},
    )

    assert response.status_code == 400
    assert says in response.content.decode()
    assert Case.objects.count() == 0
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_the_import_page_shows_a_broken_sheet_as_a_problem(client, world, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(world.dispatcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    upload = SimpleUploadedFile("cases.xlsx", sheets.broken_sheet_xml(good_xlsx()))

    response = client.post("/console/import/", {"file": upload, "mapping": "default", "action": "validate"})

    assert response.status_code == 400 and "not an Excel workbook" in response.content.decode()
    assert Case.objects.count() == 0
