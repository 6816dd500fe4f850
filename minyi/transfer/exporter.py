"""Export of cases under a mapping (`minyi export cases`), and the writing of any table (the error
file of an import) as CSV or Excel.

The columns are those of the mapping, in its order, written so that importing the file with the
same mapping gives the cases back (choices as the mapping's words or their Chinese label, places and
categories as full paths, times as local time). The caller passes the cases already scoped
(access.cases_visible_to). Personal data is masked as in the console's export unless the export runs
as the system (the command without --user) or the user may reveal it (access.personal_data
.may_reveal): then each exported case gets one PersonalDataAccess row, written in bulk. Cells
that a spreadsheet would take for a formula are defused with the console export's own rule.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils import translation

from minyi.access.models import PersonalDataAccess
from minyi.access.personal_data import mask_id_number, may_reveal, requester_for, shown_channel, shown_text
from minyi.cases.models import Case
from minyi.catalog.models import Category
from minyi.console.exports import BOM
from minyi.core import clock
from minyi.core.sheets import Formatted, safe_cell, write_sheet
from minyi.org.models import Area, User
from minyi.transfer.mapping import CHOICES, FIELDS, Kind, Mapping

CHUNK = 2000
PERSONAL = ("requester_name", "requester_phone", "requester_id_number", "requester_ref")
XLSX_MOMENT = "yyyy-mm-dd hh:mm:ss"


class CaseWriter:
    """Turns a case into the row of the mapping, for one reader (None: the system)."""

    def __init__(self, mapping: Mapping, user: User | None):
        self.mapping, self.user = mapping, user
        self.fields = list(mapping.columns)
        self.areas = dict(Area.objects.values_list("pk", "name"))
        self.categories = dict(Category.objects.values_list("pk", "name"))
        self.labels = {
            f: {value: str(label) for value, label in Case._meta.get_field(f).flatchoices} for f in CHOICES
        }
        self.personal = any(f in PERSONAL for f in self.fields)
        self.revealed: list[int] = []  # ids of the cases whose personal data went out unmasked

    def headers(self) -> list[str]:
        return [self.mapping.columns[f] for f in self.fields]

    def row(self, case: Case) -> list[object]:
        person = self._person(case) if self.personal else {}
        return [self._value(case, f, person) for f in self.fields]

    def _person(self, case: Case) -> dict[str, str]:
        if self.user is None or may_reveal(self.user, case):
            if self.user is not None:
                self.revealed.append(case.pk)
            return {f: getattr(case, f) for f in PERSONAL}
        shown = requester_for(self.user, case)
        ref = "" if (case.is_confidential and not shown.name and not shown.phone) else case.requester_ref
        return {
            "requester_name": shown.name,
            "requester_phone": shown.phone,
            "requester_id_number": shown.id_number,
            "requester_ref": mask_id_number(ref) if ref else "",
        }

    def _value(self, case: Case, fname: str, person: dict) -> object:
        if fname in PERSONAL:
            return person[fname]
        kind = FIELDS[fname]
        if fname in ("title", "description") and self.user is not None:
            return shown_text(self.user, case, getattr(case, fname))
        if fname == "external_id":
            return case.external_id or case.tracking_number
        if kind is Kind.MOMENT:
            value = getattr(case, fname)
            return clock.local(value).replace(tzinfo=None, microsecond=0) if value else None
        if kind is Kind.BOOL:
            return self.mapping.true_words[0] if getattr(case, fname) else self.mapping.false_words[0]
        if kind is Kind.CHOICE:
            value = (
                shown_channel(self.user, case) if fname == "channel" and self.user else getattr(case, fname)
            )
            if not value:
                return ""
            return self.mapping.values_out.get(fname, {}).get(value) or self.labels[fname].get(value, value)
        if kind is Kind.REF:
            return self._ref(case, fname)
        return getattr(case, fname)

    def _ref(self, case: Case, fname: str) -> str:
        node = getattr(case, fname) if getattr(case, f"{fname}_id") else None
        if node is None:
            return ""
        own = self.mapping.values_out.get(fname, {}).get(node.code)
        if own:
            return own
        if fname == "lead_unit":
            return node.name
        names = self.categories if fname == "category" else self.areas
        return " / ".join(names.get(pk, "?") for pk in node.ancestor_ids())


def export_cases(
    cases: QuerySet[Case],
    target: IO[bytes],
    fmt: str,
    mapping: Mapping,
    *,
    user: User | None,
    purpose: str = "",
) -> int:
    """Write the cases to `target`; returns how many. Audits each reveal (one row per case)."""
    writer = CaseWriter(mapping, user)
    cases = cases.select_related("area", "category", "lead_unit").prefetch_related("co_units")
    cases = cases.order_by("received_at", "pk")
    count = 0

    def rows() -> Iterator[list[object]]:
        nonlocal count
        for case in cases.iterator(chunk_size=CHUNK):
            count += 1
            yield writer.row(case)

    write_table(target, fmt, writer.headers(), rows(), date_format=mapping.date_formats[0])
    if writer.revealed:
        now = clock.now()
        PersonalDataAccess.objects.bulk_create(
            [
                PersonalDataAccess(
                    user=user,
                    case_id=pk,
                    fields="name,phone,id_number",
                    purpose=purpose[:200],
                    created_at=now,
                )
                for pk in writer.revealed
            ],
            batch_size=CHUNK,
        )
    return count


def write_table(
    target: IO[bytes],
    fmt: str,
    headers: list[str],
    rows: Iterable[list[object]],
    *,
    date_format: str = "%Y-%m-%d %H:%M:%S",
) -> None:
    """A header and rows as CSV (UTF-8 with a byte-order mark, for Excel) or as an Excel workbook
    (write-only, so a long list is never held whole); text is made formula-safe."""
    if fmt == "csv":
        _write_csv(target, headers, rows, date_format)
    else:
        _write_xlsx(target, headers, rows)


def _write_csv(target: IO[bytes], headers, rows, date_format: str) -> None:
    class _Bytes:
        def write(self, text: str) -> None:
            target.write(text.encode("utf-8"))

    out = _Bytes()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow(
            [
                v.strftime(date_format) if isinstance(v, dt.datetime) else safe_cell("" if v is None else v)
                for v in row
            ]
        )


def _write_xlsx(target: IO[bytes], headers, rows) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    write_sheet(
        book.create_sheet(translation.gettext("Cases")),
        headers,
        ([Formatted(v, XLSX_MOMENT) if isinstance(v, dt.datetime) else v for v in row] for row in rows),
    )
    book.save(target)
