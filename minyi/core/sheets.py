"""Spreadsheets: the one way every export writes a cell and sizes a column.

Every workbook minyi writes — the monthly report, the case export (console and `minyi export cases`),
the projects ledger and its monthly summary, the visit campaign summary, the problem register — and
the CSV files beside them follow these rules:

- A number is a number: counts, scores and days are numeric cells, a rate is its fraction with a
  per-cent format (0.958 shown as 95.8%), a change carries its sign and unit in its number format
  (`signed`). Dates and moments are date cells. Nothing (None, "") is an empty cell.
- Text is text: the control characters an .xlsx may not hold are dropped, and text a spreadsheet
  would run as a formula — it starts with = + - @, a tab or a carriage return and is not a plain
  number such as "-4.9" — is written behind an apostrophe, since titles and notes come from the
  public. Importers of our own files take the apostrophe off again (`unguarded`).
- A column is as wide as its widest cell as shown (a Chinese character counts two), between
  MIN_WIDTH and MAX_WIDTH; a long list is sized by its first SAMPLE_ROWS rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# "-4.9", "+12", "95.8%": what a spreadsheet reads as a number, never as a formula.
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)%?")

WHOLE = "0"
ONE_DECIMAL = "0.0"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
MOMENT = "yyyy-mm-dd hh:mm"
MIN_WIDTH, MAX_WIDTH = 6, 60
PADDING = 2
SAMPLE_ROWS = 1000


@dataclass(frozen=True)
class Formatted:
    """A value written with an explicit number format: a rate as Formatted(0.958, PERCENT)."""

    value: object
    format: str = WHOLE


def rate(value: float | None) -> Formatted:
    """A rate (0–1) shown in per cent with one decimal, as every page shows it."""
    return Formatted(value, PERCENT)


def signed(unit: str = "", *, places: int = 1) -> str:
    """The number format of a change, as the pages print one: "+3.2 个百分点", "−3.2 个百分点" (a
    minus sign), "±0.0 个百分点". `unit` "%": the value is a fraction shown in per cent ("+12.5%")."""
    body = "0" + ("." + "0" * places if places else "") + ("%" if unit == "%" else "")
    tail = f'"{unit}"' if unit and unit != "%" else ""
    return f'"+"{body}{tail};"−"{body}{tail};"±"{body}{tail}'


# --- text ----------------------------------------------------------------------------------------


def safe_cell(value: object) -> object:
    """A value a spreadsheet shows as written: text without control characters that never starts a
    formula; an empty text is no value (an empty cell)."""
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    if not value:
        return None
    return "'" + value if _needs_guard(value) else value


def unguarded(text: str) -> str:
    """The text `safe_cell` was given: its guard removed (for the importers of our own exports)."""
    return text[1:] if text.startswith("'") and _needs_guard(text[1:]) else text


def _needs_guard(value: str) -> bool:
    # Behind any apostrophes too: text that starts with "'=" must keep its apostrophe through export
    # and import, so it is guarded like "=" itself.
    bare = value.lstrip("'")
    return bare.startswith(FORMULA_START) and PLAIN_NUMBER.fullmatch(bare) is None


# --- cells ---------------------------------------------------------------------------------------


def cell(ws, value: object, *, font=None) -> object:
    """What to append for `value` in the sheet `ws` (of a normal or a write-only workbook): a plain
    value where no style is needed, else a cell with its number format (dates, moments, `Formatted`)
    and font. An aware moment is written in local (Beijing) time."""
    fmt = None
    if isinstance(value, Formatted):
        value, fmt = _plain(value.value), value.format
    elif isinstance(value, dt.datetime):
        value, fmt = _plain(value), MOMENT
    elif isinstance(value, dt.date):
        fmt = DATE
    else:
        value = safe_cell(value)
    if value is None:
        fmt = None
    if fmt is None and font is None:
        return value
    from openpyxl.cell import WriteOnlyCell

    written = WriteOnlyCell(ws, value=value)
    if fmt is not None:
        written.number_format = fmt
    if font is not None:
        written.font = font
    return written


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from minyi.core import clock

        return clock.local(value).replace(tzinfo=None)
    if isinstance(value, str):
        return safe_cell(value)
    return value


def write_sheet(
    ws,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    sample: int = SAMPLE_ROWS,
) -> None:
    """Write an optional title line (large, bold), a bold header and the rows into `ws`, freeze the
    header and size every column to the header and the first `sample` rows (a write-only sheet
    fixes its widths before its first row, so a long export is sized by its beginning)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    rows = iter(rows)
    first = list(itertools.islice(rows, sample))
    for index, width in enumerate(fitted_widths(header, first), 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3" if title else "A2"
    if title:
        ws.append([cell(ws, title, font=Font(bold=True, size=14))])
    bold = Font(bold=True)
    heads = [cell(ws, str(name), font=bold) for name in header]
    for index, head in enumerate(heads):
        if _numeric_column([row[index] for row in first if index < len(row)]):
            head.alignment = Alignment(horizontal="right")  # over the numbers, as they stand
    ws.append(heads)
    for row in itertools.chain(first, rows):
        ws.append([cell(ws, value) for value in row])


def _numeric_column(values: list[object]) -> bool:
    """Whether a column holds numbers (dates are numbers to a spreadsheet): some, and no text."""
    present = [v.value if isinstance(v, Formatted) else v for v in values]
    present = [v for v in present if v is not None and v != ""]
    numbers = int | float | Decimal | dt.date
    return bool(present) and all(isinstance(v, numbers) and not isinstance(v, bool) for v in present)


# --- widths --------------------------------------------------------------------------------------


def fitted_widths(header: Sequence[object], rows: Iterable[Sequence[object]]) -> list[float]:
    """The width of each column (in Excel's characters) that shows its header and its widest cell."""
    widths = [text_width(str(name)) for name in header]
    for row in rows:
        for index, value in enumerate(row):
            if index == len(widths):
                widths.append(0)
            widths[index] = max(widths[index], text_width(shown(value)))
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + PADDING)) for w in widths]


def text_width(text: str) -> int:
    """Columns a text takes: a wide (CJK) or full-width character two, any other one; the widest line."""
    return max(
        (
            sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
            for line in text.splitlines()
        ),
        default=0,
    )


def shown(value: object) -> str:
    """`value` (as given to `cell`) as a spreadsheet shows it."""
    if isinstance(value, Formatted):
        return displayed(_plain(value.value), value.format)
    if isinstance(value, dt.datetime):
        return displayed(_plain(value), MOMENT)
    if isinstance(value, dt.date):
        return displayed(value, DATE)
    value = safe_cell(value)
    return displayed(value, "General")


def displayed(value: object, number_format: str = "General") -> str:
    """The text a spreadsheet shows for a stored value under `number_format` — for the formats minyi
    writes: General, "0", "0.0", "0.0%", dates, moments, and sections with quoted text ("+"0.0"分")."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and number_format != DATE:  # read back, a date is a datetime too
        return value.strftime("%Y-%m-%d %H:%M:%S" if "ss" in number_format else "%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if not isinstance(value, int | float | Decimal):
        return str(value)
    if number_format in ("", "General"):
        return str(value) if isinstance(value, int) else f"{value:.10g}"
    sections = _sections(number_format)
    if value < 0 and len(sections) > 1:
        return _render(sections[1], -value)
    if value == 0 and len(sections) > 2:
        return _render(sections[2], value)
    text = _render(sections[0], abs(value))
    return "-" + text if value < 0 else text


_TOKENS = re.compile(r'"([^"]*)"|\\(.)|([0#]+(?:\.[0#]+)?)|(%)|(.)')


def _sections(number_format: str) -> list[str]:
    parts, current, quoted = [], "", False
    for char in number_format:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _render(section: str, value) -> str:
    scale = 100 if any(m.group(4) for m in _TOKENS.finditer(section)) else 1
    out = []
    for quoted, escaped, digits, percent, other in _TOKENS.findall(section):
        if digits:
            places = len(digits.split(".")[1]) if "." in digits else 0
            out.append(f"{float(value) * scale:.{places}f}")
        else:
            out.append(quoted or escaped or percent or other)
    return "".join(out)
