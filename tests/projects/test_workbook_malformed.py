"""Malformed ledger workbooks (projects/workbook.py): each is refused with what to fix — about the
file, or by sheet, row and column — and nothing of it is imported."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from minyi.access.projects import projects_visible_to
from minyi.core.errors import InvalidInput
from minyi.projects import workbook
from minyi.projects.models import Batch, Milestone, ProgressReport, Project, SubItem
from minyi.projects.services import report_file
from minyi.projects.workbook import BATCH_SHEET, LEDGER_SHEET, REPORT_SHEET, export_ledger, import_ledger
from tests.console.helpers import client_for
from tests.web import spreadsheets as sheets

NOV = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def exported(world, ledger) -> bytes:
    """The test ledger with one report, exported and then removed: a workbook that imports."""
    report_file(actor=world.heating_handler, item=ledger.mains, month=NOV, percent=80, done="更换管网")
    data = export_ledger(Batch.objects.all(), projects_visible_to(world.dispatcher))
    Batch.objects.all().delete()
    return data


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Batch, Project, SubItem, Milestone, ProgressReport))


def part_of(data: bytes, title: str) -> str:
    """The zip member holding the sheet `title`."""
    names = load_workbook(io.BytesIO(data), read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(title) + 1}.xml"


def refused(world, data: bytes) -> str:
    try:
        import_ledger(actor=world.dispatcher, data=data)
    except InvalidInput as exc:
        assert counts() == (0, 0, 0, 0, 0)
        return " | ".join([exc.message, *exc.details.get("problems", [])])
    raise AssertionError("the workbook was imported")


def edited(data: bytes, change) -> bytes:
    book = load_workbook(io.BytesIO(data))
    change(book)
    return sheets.book_bytes(book)


def test_the_exported_ledger_imports(world, exported):
    assert import_ledger(actor=world.dispatcher, data=exported).items == 3


@pytest.mark.parametrize(
    "data",
    [b"<html></html>", sheets.a_zip(**{"readme.txt": b"hello"}), b"", sheets.chartsheet_only()],
    ids=["not-a-zip", "zip-not-xlsx", "empty", "chartsheet-only"],
)
def test_a_file_that_is_no_ledger_is_refused(world, ledger, data):
    Batch.objects.all().delete()

    message = refused(world, data)

    assert "not an Excel workbook" in message or "no sheet of this name" in message


def test_a_truncated_ledger_is_refused(world, exported):
    assert "not an Excel workbook" in refused(world, exported[: len(exported) // 2])


@pytest.mark.parametrize("title", [BATCH_SHEET, LEDGER_SHEET, REPORT_SHEET])
def test_a_ledger_with_a_broken_sheet_is_refused(world, exported, title):
    data = sheets.rewrite(exported, part_of(exported, title), lambda text: text[: len(text) // 2])

    assert "not an Excel workbook" in refused(world, data)


def test_a_sheet_claiming_every_row_and_column_imports_as_it_is(world, exported):
    part = part_of(exported, LEDGER_SHEET)
    data = sheets.claim_dimension(exported, "A1:XFD1048576", part)

    assert import_ledger(actor=world.dispatcher, data=data).items == 3


def test_rows_past_the_size_a_sheet_claims_are_read_not_dropped(world, exported):
    # A generator that wrote too small a size: read-only reading would silently drop the rest.
    part = part_of(exported, LEDGER_SHEET)
    data = sheets.claim_dimension(exported, "A1:B2", part)

    assert import_ledger(actor=world.dispatcher, data=data).items == 3


def test_a_formula_without_a_value_is_an_empty_cell_at_its_row_and_column(world, exported):
    def change(book):
        book[LEDGER_SHEET]["B2"] = "=1+1"

    header = [c.value for c in load_workbook(io.BytesIO(exported))[LEDGER_SHEET][1]]

    message = refused(world, edited(exported, change))

    assert f"{LEDGER_SHEET} 第2行「{header[1]}」" in message


@pytest.mark.parametrize("text", ["2026-02-30", "0001-01-01", "9999-99-99", "-2026-12-31", "明年"])
def test_a_deadline_written_as_odd_text_is_refused_at_its_row_and_column(world, exported, text):
    header = [c.value for c in load_workbook(io.BytesIO(exported))[LEDGER_SHEET][1]]
    column = header.index("子项完成时限") + 1

    def change(book):
        book[LEDGER_SHEET].cell(row=2, column=column, value=text)

    try:
        import_ledger(actor=world.dispatcher, data=edited(exported, change))
    except InvalidInput as exc:
        assert "第2行「子项完成时限」" in " ".join(exc.details["problems"])
        assert counts() == (0, 0, 0, 0, 0)
    else:  # year 1 is a date; it is kept as written, and the ledger shows it
        assert text == "0001-01-01" and SubItem.objects.filter(deadline__year=1).exists()


@pytest.mark.parametrize("text", ["0001-01-01 00:00", "9999-12-31 23:59", "2026-02-30 10:00", "昨天"])
def test_an_absurd_report_time_is_refused_at_its_row_and_column(world, exported, text):
    header = [c.value for c in load_workbook(io.BytesIO(exported))[REPORT_SHEET][1]]
    column = header.index("填报时间") + 1

    def change(book):
        book[REPORT_SHEET].cell(row=2, column=column, value=text)

    message = refused(world, edited(exported, change))

    assert f"{REPORT_SHEET} 第2行「填报时间」" in message


def test_merged_header_cells_say_which_columns_are_missing(world, exported):
    def change(book):
        book[LEDGER_SHEET].merge_cells(start_row=1, start_column=2, end_row=1, end_column=4)

    assert "columns missing" in refused(world, edited(exported, change))


def test_more_rows_than_the_limit_are_refused(world, exported, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROWS", 1)

    assert "too many rows" in refused(world, exported)


@pytest.mark.parametrize("kind", ["not-a-zip", "broken-sheet"])
def test_the_import_page_says_what_is_wrong_and_imports_nothing(world, exported, kind):
    data = b"PK\x03\x04 nothing" if kind == "not-a-zip" else sheets.broken_sheet_xml(exported)
    client = client_for(world.dispatcher)

    response = client.post("/console/projects/import/", {"file": SimpleUploadedFile("台账.xlsx", data)})

    assert response.status_code == 400
    assert counts() == (0, 0, 0, 0, 0)
