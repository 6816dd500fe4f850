"""Export of a case list to CSV or Excel (导出).

The caller passes the cases already scoped (access.cases_visible_to) and filtered
(console/filters.py); this module only writes them. The requester's name and phone are always
masked, and left out entirely where the reader may not even see them masked (a confidential case
outside the centre): an export never reveals personal data. Cells are written by the rules of
core/sheets.py: text that a spreadsheet would take for a formula (=, +, -, @ … and not a number) gets
a leading apostrophe, since titles come from the public; moments are date cells; columns are as wide
as their content.

CSV is streamed row by row (UTF-8 with a byte-order mark, so Excel reads the Chinese correctly);
Excel is written with openpyxl in write-only mode to a temporary file, so neither holds the whole
list in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.access.personal_data import requester_for, shown_channel
from minyi.cases import deadlines
from minyi.cases.models import Case
from minyi.catalog.models import Category
from minyi.core import clock
from minyi.core.sheets import safe_cell, write_sheet
from minyi.org.models import Area, User

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"
MOMENT_FORMAT = "%Y-%m-%d %H:%M"
CHUNK = 2000
CHOICE_FIELDS = ("channel", "demand_type", "status", "satisfaction")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Sheet, Case], object]


class Sheet:
    """What the columns need to turn a case into a row: the reader, the moment, the names of places
    and categories (read once: the trees hold hundreds of nodes)."""

    def __init__(self, user: User, now: dt.datetime):
        self.user, self.now = user, now
        self.areas = dict(Area.objects.values_list("pk", "name"))
        self.categories = dict(Category.objects.values_list("pk", "name"))
        self.yes_no = {True: _("Yes"), False: _("No"), None: ""}
        # Choice labels translated once (get_FOO_display would rebuild its lookup for every row).
        self.labels = {
            field: {value: str(label) for value, label in Case._meta.get_field(field).flatchoices}
            for field in CHOICE_FIELDS
        }

    def label(self, case: Case, field: str) -> str:
        value = getattr(case, field)
        return self.labels[field].get(value, value)

    def moment(self, value: dt.datetime | None) -> dt.datetime | None:
        """Local (Beijing) time without a zone: what a spreadsheet shows."""
        return clock.local(value).replace(tzinfo=None) if value else None

    def place(self, case: Case, level: int) -> str:
        """The name of the case's area at `level` (street, community, grid), if it lies that deep."""
        ids = case.area.ancestor_ids() if case.area_id else []
        return self.areas.get(ids[level - 1], "") if len(ids) >= level else ""

    def category(self, case: Case) -> str:
        if not case.category_id:
            return ""
        return " / ".join(self.categories.get(pk, "?") for pk in case.category.ancestor_ids())

    def light(self, case: Case) -> str:
        light = deadlines.light(case, self.now)
        return str(light.label) if light else ""

    def channel(self, case: Case) -> str:
        channel = shown_channel(self.user, case)
        return self.labels["channel"].get(channel, channel)

    def requester(self, case: Case):
        return requester_for(self.user, case)

    def row(self, case: Case) -> list:
        return [column.value(self, case) for column in COLUMNS]


def _verbose(field: str):
    """A column named as the case's field is (its translated verbose name)."""
    return Case._meta.get_field(field).verbose_name


COLUMNS: tuple[Column, ...] = (
    Column(_verbose("tracking_number"), lambda s, c: c.tracking_number),
    Column(_verbose("received_at"), lambda s, c: s.moment(c.received_at)),
    Column(_verbose("channel"), lambda s, c: s.channel(c)),
    Column(_verbose("demand_type"), lambda s, c: s.label(c, "demand_type")),
    Column(_verbose("title"), lambda s, c: c.title),
    Column(_verbose("category"), lambda s, c: s.category(c)),
    Column(Area.Level.STREET.label, lambda s, c: s.place(c, Area.Level.STREET)),
    Column(Area.Level.COMMUNITY.label, lambda s, c: s.place(c, Area.Level.COMMUNITY)),
    Column(Area.Level.GRID.label, lambda s, c: s.place(c, Area.Level.GRID)),
    Column(_verbose("address"), lambda s, c: c.address),
    Column(_verbose("lead_unit"), lambda s, c: c.lead_unit.name if c.lead_unit_id else ""),
    Column(_verbose("status"), lambda s, c: s.label(c, "status")),
    Column(gettext_lazy("Deadline light"), lambda s, c: s.light(c)),
    Column(_verbose("handle_due_at"), lambda s, c: s.moment(c.handle_due_at)),
    Column(_verbose("replied_at"), lambda s, c: s.moment(c.replied_at)),
    Column(_verbose("replied_on_time"), lambda s, c: s.yes_no[c.replied_on_time]),
    Column(_verbose("satisfaction"), lambda s, c: s.label(c, "satisfaction")),
    Column(_verbose("requester_name"), lambda s, c: s.requester(c).name),
    Column(_verbose("requester_phone"), lambda s, c: s.requester(c).phone),
)


def headers() -> list[str]:
    return [capfirst(str(column.header)) for column in COLUMNS]


def _rows(cases: QuerySet[Case], sheet: Sheet) -> Iterator[list]:
    cases = cases.select_related("area", "category", "lead_unit").defer("description", "reply_text")
    for case in cases.iterator(chunk_size=CHUNK):
        yield sheet.row(case)


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
                [v.strftime(MOMENT_FORMAT) if isinstance(v, dt.datetime) else safe_cell(v) for v in row]
            )


def csv_response(cases: QuerySet[Case], user: User, now: dt.datetime) -> StreamingHttpResponse:
    lines = _csv_lines(cases, Sheet(user, now), translation.get_language())
    response = StreamingHttpResponse(lines, content_type=FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename("csv", now)}"'
    return response


def xlsx_response(cases: QuerySet[Case], user: User, now: dt.datetime) -> FileResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    write_sheet(book.create_sheet(_("Case list")), headers(), _rows(cases, Sheet(user, now)))
    target = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    book.save(target)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=filename("xlsx", now), content_type=FORMATS["xlsx"]
    )
