"""Reading a spreadsheet (.xlsx or .csv) into a header and rows, or saying clearly why it cannot be.

People upload what they have: a PNG renamed to .xlsx, an old .xls, a CSV saved by Excel in GBK, an
empty file. Each gets a message that says what to do, before any row is looked at. Row numbers are
those a spreadsheet program shows (the header is row 1 of a CSV), so an error report can be
followed in the file itself.

A formula cell of a workbook is kept as a `Formula`, not as its text: the importer refuses it
(values, not formulas, are imported), so a formula planted in a file never becomes case data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from minyi.core.errors import InvalidInput

FORMATS = ("csv", "xlsx")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc)


class FileProblem(InvalidInput):
    """The file cannot be read as a table at all; nothing is imported."""


@dataclass(frozen=True)
class Formula:
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    format: str  # "csv" or "xlsx"
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as the spreadsheet shows it, cells)
    header_row: int = 1


def file_format(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise FileProblem(
            _("%(name)s is not a spreadsheet minyi reads: import an Excel workbook (.xlsx) or a CSV file.")
            % {"name": Path(name).name},
            field="file",
        )
    return suffix


def read_table(data: bytes, name: str, *, sheet: str = "", max_rows: int | None = None) -> Table:
    """The header and the non-empty rows of the file (`name` tells the format by its extension)."""
    fmt = file_format(name)
    if not data:
        raise FileProblem(_("The file %(name)s is empty.") % {"name": Path(name).name}, field="file")
    limit = max_rows or settings.MINYI_IMPORT_MAX_ROWS
    table = _read_xlsx(data, name, sheet) if fmt == "xlsx" else _read_csv(data, name)
    if not table.headers or not any(h for h in table.headers):
        raise FileProblem(
            _("%(name)s has no header row: the first row must name the columns.") % {"name": Path(name).name},
            field="file",
        )
    if len(table.rows) > limit:
        raise FileProblem(
            _("%(name)s holds %(count)d rows, more than the %(limit)d one import may hold: split the file.")
            % {"name": Path(name).name, "count": len(table.rows), "limit": limit},
            field="file",
        )
    return table


def _not_workbook(name: str) -> FileProblem:
    return FileProblem(
        _("%(name)s is not an Excel workbook (.xlsx): open it in Excel or WPS and save it as .xlsx or CSV.")
        % {"name": Path(name).name},
        field="file",
    )


def _read_xlsx(data: bytes, name: str, sheet: str) -> Table:
    from openpyxl import load_workbook

    if data.startswith(OLE_MAGIC):
        raise FileProblem(
            _("%(name)s is an old Excel file (.xls): save it as .xlsx (Excel workbook) and import again.")
            % {"name": Path(name).name},
            field="file",
        )
    if not data.startswith(ZIP_MAGIC):
        raise _not_workbook(name)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise _not_workbook(name) from exc
    except Exception as exc:  # openpyxl raises its own errors for broken parts of a workbook
        raise _not_workbook(name) from exc
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise FileProblem(
                    _("The workbook has no sheet “%(sheet)s”; its sheets: %(sheets)s.")
                    % {"sheet": sheet, "sheets": ", ".join(book.sheetnames)},
                    field="file",
                )
            ws = book[sheet]
        else:
            ws = book.worksheets[0] if book.worksheets else None
        if ws is None or not hasattr(ws, "iter_rows"):  # none, or a chart sheet
            raise _not_workbook(name)
        # The sheet's own claim of its size is not trusted: read-only openpyxl would drop the rows
        # past a claimed size too small, and pad every row to a claimed 16,384 columns.
        ws.reset_dimensions()
        headers: list[str] = []
        header_row = 0
        rows: list[tuple[int, list[object]]] = []
        try:
            for number, cells in enumerate(ws.iter_rows(), start=1):
                values = [_xlsx_value(c) for c in cells]
                if not any(v not in (None, "") for v in values):
                    continue
                if not header_row:
                    header_row = number
                    headers = [str(v).strip() if v is not None else "" for v in values]
                    continue
                rows.append((number, values))
        except (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise _not_workbook(name) from exc  # a sheet's XML is broken (SyntaxError: XML parse errors)
    finally:
        book.close()
    return Table("xlsx", headers, rows, header_row or 1)


def _xlsx_value(cell) -> object:
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(value))
    if isinstance(value, dt.datetime):  # stored as a fraction of a day: round off the float noise
        return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    if isinstance(value, str):
        return value
    return value


def _read_csv(data: bytes, name: str) -> Table:
    if b"\x00" in data[:65536]:
        raise FileProblem(
            _("%(name)s is not a CSV text file (it holds binary data): export the table as CSV or .xlsx.")
            % {"name": Path(name).name},
            field="file",
        )
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK unless told UTF-8
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem(
            _("%(name)s is neither UTF-8 nor GBK text: save it as “CSV UTF-8”.") % {"name": Path(name).name},
            field="file",
        )
    # The delimiter is the one the header line uses most (a comma unless it is a ; or tab file):
    # sniffing the whole text would be misled by the commas inside quoted Chinese text.
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line.count(",") == 0 else ","
    headers: list[str] = []
    rows: list[tuple[int, list[object]]] = []
    try:
        for number, values in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            if not any(v.strip() for v in values):
                continue
            if not headers:
                headers = [v.strip() for v in values]
                continue
            rows.append((number, list(values)))
    except csv.Error as exc:
        raise FileProblem(
            _("%(name)s is not a valid CSV file: %(error)s.") % {"name": Path(name).name, "error": exc},
            field="file",
        ) from None
    return Table("csv", headers, rows)
