"""What every workbook minyi writes must look like when opened (the rules of minyi/core/sheets.py),
read back with openpyxl: numbers are numeric cells, not text; no apostrophe guard except before text
that a spreadsheet would run as a formula; no empty texts; every column at least as wide as what it
shows (a Chinese character counts two), up to the cap."""

from __future__ import annotations

import io
import re
import unicodedata

from openpyxl import load_workbook

from minyi.core.sheets import MAX_WIDTH, displayed

NUMBER_AS_TEXT = re.compile(r"[+−±-]?\d+(\.\d+)?( ?%| 个百分点| 分)?")
FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")


def width_of(text: str) -> int:
    return max(
        (
            sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
            for line in text.splitlines()
        ),
        default=0,
    )


def open_checked(data: bytes, *, text_columns: dict[str, set[str]] | None = None, title_rows: int = 0):
    """The workbook in `data`, after checking every sheet. `text_columns`: {sheet: headers} of columns
    whose digits are codes written as text on purpose (a project's number). `title_rows`: lines above
    the header of the first sheet that span the columns (a report's title)."""
    book = load_workbook(io.BytesIO(data))
    for index, ws in enumerate(book.worksheets):
        skip = title_rows if index == 0 else 0
        rows = list(ws.iter_rows(min_row=skip + 1))
        if not rows:
            continue
        header = [str(c.value) if c.value is not None else "" for c in rows[0]]
        allowed = (text_columns or {}).get(ws.title, set())
        widest = [width_of(h) for h in header]
        for row in rows:
            for c in row:
                value = c.value
                where = f"{ws.title}!{c.coordinate}"
                if isinstance(value, str):
                    assert value != "", f"{where}: an empty text instead of an empty cell"
                    if value.startswith("'"):
                        bare = value.lstrip("'")
                        assert bare.startswith(FORMULA_SIGNS) and not NUMBER_AS_TEXT.fullmatch(bare), (
                            f"{where}: an apostrophe before {value!r}"
                        )
                    if c.row > rows[0][0].row and header[c.column - 1] not in allowed:
                        assert not NUMBER_AS_TEXT.fullmatch(value), (
                            f"{where}: the number {value!r} stored as text"
                        )
                shown = displayed(value, c.number_format)
                if c.column <= len(widest):
                    widest[c.column - 1] = max(widest[c.column - 1], width_of(shown))
        for number, need in enumerate(widest, 1):
            letter = rows[0][number - 1].column_letter
            width = ws.column_dimensions[letter].width
            assert width >= min(need, MAX_WIDTH), f"{ws.title}!{letter}: {width} wide for {need} characters"
            assert width <= MAX_WIDTH + 2, f"{ws.title}!{letter}: {width} wide"
    return book
