"""Export of a case list to CSV or Excel (导出).

The caller passes the cases already scoped (access.cases_visible_to) and filtered
(console/filters.py); this module only writes them. The requester's name and phone are always
masked, and left out entirely where the reader may not even see them masked (a confidential case
outside the centre): an export never reveals personal data. Text that a spreadsheet would take for a
formula (=, +, -, @ …) is written with a leading apostrophe, since titles come from the public.

CSV is streamed row by row (UTF-8 with a byte-order mark, so Excel reads the Chinese correctly);
Excel is written with openpyxl in write-only mode to a temporary file, so neither holds the whole
list in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.access.personal_data import requester_for
from minyi.cases import deadlines
from minyi.cases.models import Case
from minyi.catalog.models import Category
from minyi.core import clock
from minyi.org.models import Area, User

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
MOMENT_FORMAT = "%Y-%m-%d %H:%M"
CHUNK = 2000


@dataclass(frozen=True)
class Column:
    header: str
    width: int  # in Excel characters
    value: Callable[[Sheet, Case], object]


class Sheet:
    """What the columns need to turn a case into a row: the reader, the moment, the names of places
    and categories (read once: the trees hold hundreds of nodes)."""

    def __init__(self, user: User, now: dt.datetime):
        self.user, self.now = user, now
        self.areas = dict(Area.objects.values_list("pk", "name"))
        self.categories = dict(Category.objects.values_list("pk", "name"))
        self.yes_no = {True: _("Yes"), False: _("No"), None: ""}

    def moment(self, value: dt.datetime | None) -> dt.datetime | None:
        """Local (Beijing) time without a zone: what a spreadsheet shows."""
        return clock.local(value).replace(tzinfo=None) if value else None

    def place(self, case: Case, level: int) -> str:
        """The name of the case's area at `level` (2 street, 3 community, 4 grid), if it lies that deep."""
        ids = case.area.ancestor_ids() if case.area_id else []
        return self.areas.get(ids[level - 1], "") if len(ids) >= level else ""

    def category(self, case: Case) -> str:
        if not case.category_id:
            return ""
        return " / ".join(self.categories.get(pk, "?") for pk in case.category.ancestor_ids())

    def light(self, case: Case) -> str:
        light = deadlines.light(case, self.now)
        return str(light.label) if light else ""

    def requester(self, case: Case):
        return requester_for(self.user, case)

    def row(self, case: Case) -> list:
        return [column.value(self, case) for column in COLUMNS]


COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Tracking number"), 15, lambda s, c: c.tracking_number),
    Column(gettext_lazy("Received at"), 17, lambda s, c: s.moment(c.received_at)),
    Column(gettext_lazy("Channel"), 10, lambda s, c: c.get_channel_display()),
    Column(gettext_lazy("Type"), 10, lambda s, c: c.get_demand_type_display()),
    Column(gettext_lazy("Title"), 32, lambda s, c: c.title),
    Column(gettext_lazy("Category"), 26, lambda s, c: s.category(c)),
    Column(gettext_lazy("Street"), 12, lambda s, c: s.place(c, 2)),
    Column(gettext_lazy("Community"), 12, lambda s, c: s.place(c, 3)),
    Column(gettext_lazy("Grid"), 12, lambda s, c: s.place(c, 4)),
    Column(gettext_lazy("Address"), 26, lambda s, c: c.address),
    Column(gettext_lazy("Lead unit"), 16, lambda s, c: c.lead_unit.name if c.lead_unit_id else ""),
    Column(gettext_lazy("Status"), 10, lambda s, c: c.get_status_display()),
    Column(gettext_lazy("Deadline light"), 8, lambda s, c: s.light(c)),
    Column(gettext_lazy("Handling deadline"), 17, lambda s, c: s.moment(c.handle_due_at)),
    Column(gettext_lazy("Replied at"), 17, lambda s, c: s.moment(c.replied_at)),
    Column(gettext_lazy("Replied on time"), 8, lambda s, c: s.yes_no[c.replied_on_time]),
    Column(gettext_lazy("Satisfaction"), 10, lambda s, c: c.get_satisfaction_display()),
    Column(gettext_lazy("Requester"), 8, lambda s, c: s.requester(c).name),
    Column(gettext_lazy("Requester phone"), 14, lambda s, c: s.requester(c).phone),
)


def headers() -> list[str]:
    return [str(column.header) for column in COLUMNS]


def _cell(value: object) -> object:
    """A value a spreadsheet shows as written: text without control characters (which Excel files
    may not hold) that never starts a formula."""
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def _rows(cases: QuerySet[Case], sheet: Sheet) -> Iterator[list]:
    cases = cases.select_related("area", "category", "lead_unit")
    for case in cases.iterator(chunk_size=CHUNK):
        yield [_cell(value) for value in sheet.row(case)]


def filename(fmt: str, now: dt.datetime) -> str:
    return f"minyi-cases-{clock.local(now):%Y%m%d}.{fmt}"


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(cases: QuerySet[Case], sheet: Sheet, language: str) -> Iterable[str]:
    writer = csv.writer(_Echo())
    with translation.override(language):  # the stream runs after the view has returned
        yield BOM + writer.writerow(headers())
        for row in _rows(cases, sheet):
            yield writer.writerow(
                [v.strftime(MOMENT_FORMAT) if isinstance(v, dt.datetime) else v for v in row]
            )


def csv_response(cases: QuerySet[Case], user: User, now: dt.datetime) -> StreamingHttpResponse:
    lines = _csv_lines(cases, Sheet(user, now), translation.get_language())
    response = StreamingHttpResponse(lines, content_type=FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename("csv", now)}"'
    return response


def xlsx_response(cases: QuerySet[Case], user: User, now: dt.datetime) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet(_("Cases"))
    ws.freeze_panes = "A2"
    for number, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(number)].width = column.width
    ws.append([_xlsx_cell(ws, h, font=Font(bold=True)) for h in headers()])
    for row in _rows(cases, Sheet(user, now)):
        ws.append([_xlsx_cell(ws, v) for v in row])
    target = tempfile.TemporaryFile()
    book.save(target)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=filename("xlsx", now), content_type=FORMATS["xlsx"]
    )


def _xlsx_cell(ws, value, font=None):
    """A plain value, or a styled cell for headings and moments."""
    if font is None and not isinstance(value, dt.datetime):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    return cell
