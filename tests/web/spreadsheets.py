"""Malformed spreadsheets for the importer tests: each is bytes made here, never a file of the world."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl


def xlsx(rows: list[list], *, title: str = "Sheet") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def book_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite(data: bytes, part: str, change) -> bytes:
    """The workbook with one of its XML parts changed by `change(text) -> text`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def a_zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in members.items():
            target.writestr(name, content)
    return out.getvalue()


def chartsheet_only() -> bytes:
    book = openpyxl.Workbook()
    book.create_chartsheet("图表")
    book.remove(book.active)
    return book_bytes(book)


def claim_dimension(data: bytes, ref: str, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The sheet claims to span `ref` (its <dimension>), whatever cells it holds."""

    def change(text: str) -> str:
        if "<dimension" in text:
            return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', text)
        return text.replace("<sheetData", f'<dimension ref="{ref}"/><sheetData', 1)

    return rewrite(data, part, change)


def huge_dimension(data: bytes) -> bytes:
    """The sheet claims to span every row and column Excel has."""
    return claim_dimension(data, "A1:XFD1048576")


def far_cell(data: bytes) -> bytes:
    """A last row with one cell at the far corner of the sheet (XFD1048576)."""

    def change(text: str) -> str:
        return text.replace(
            "</sheetData>",
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        )

    return rewrite(data, "xl/worksheets/sheet1.xml", change)


def broken_sheet_xml(data: bytes) -> bytes:
    return rewrite(data, "xl/worksheets/sheet1.xml", lambda text: text[: len(text) // 2])


def merged_header(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    sheet.merge_cells(start_row=1, start_column=5, end_row=1, end_column=6)
    return book_bytes(book)
