"""Import of historic cases from a spreadsheet: validate everything first, then write or refuse.

The order matters. The whole file is read and every row checked (rows.py) before anything is
written, so the default mode can promise all or nothing: one bad row, nothing imported, and the
report lists every problem at once. With `skip_invalid` the good rows are written (each batch its
own transaction) and the bad ones go to an error file with the same columns plus "error".

Re-running a file does not duplicate: a row whose (channel, external id) is already in minyi is
counted as already present, not imported again and not an error. Writing goes through
cases/history.py, the writer of historic cases.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from minyi.cases import history
from minyi.cases.models import Case
from minyi.core import clock
from minyi.stats import rollups
from minyi.transfer import exporter
from minyi.transfer.mapping import Mapping
from minyi.transfer.reader import Formula, Table, read_table
from minyi.transfer.rows import Problem, Row, RowReader

CHECK_CHUNK = 500


@dataclass
class Report:
    source: str
    rows_read: int = 0
    imported: int = 0
    already_present: int = 0
    invalid: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    written: bool = False
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    table: Table | None = None
    bad_rows: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.invalid == 0

    @property
    def valid(self) -> int:
        return self.rows_read - self.invalid


def run(
    data: bytes,
    name: str,
    mapping: Mapping,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    source: str | None = None,
) -> Report:
    """Validate the file and, unless dry_run or (without skip_invalid) any row is bad, import it.
    Raises FileProblem / MappingError when the file or mapping cannot be used at all."""
    started = time.monotonic()
    report = Report(source=source or Path(name).name, dry_run=dry_run)
    table = read_table(data, name, sheet=mapping.sheet)
    report.table = table
    reader = RowReader(mapping, table.headers, now=clock.now())
    if reader.absent:
        report.warnings.append(
            Problem(
                table.header_row,
                "、".join(reader.absent),
                "",
                _("These columns of the mapping are not in the file: their fields stay empty."),
            )
        )
    good: list[history.HistoricCase] = []
    for number, cells in table.rows:
        row = reader.convert(number, cells)
        report.rows_read += 1
        report.warnings += row.warnings
        if row.errors:
            report.invalid += 1
            report.errors += row.errors
            report.bad_rows.append(row)
        else:
            good.append(row.item)
    new = _not_present(good)
    report.already_present = len(good) - len(new)
    if dry_run or (report.invalid and not skip_invalid) or not new:
        report.seconds = time.monotonic() - started
        return report
    written = history.create_historic_cases(new, source=report.source, all_or_nothing=not skip_invalid)
    if written.created:  # the stored figures of those months no longer hold every case
        rollups.forget(since=clock.local(min(item.received_at for item in new)).date())
    report.imported = written.created
    report.already_present += written.already_present  # written meanwhile by someone else
    report.written = written.created > 0
    report.seconds = time.monotonic() - started
    return report


def _not_present(items: list[history.HistoricCase]) -> list[history.HistoricCase]:
    """The items whose (channel, external id) minyi does not hold yet."""
    by_channel: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_channel[item.channel].append(item.external_id)
    present: set[tuple[str, str]] = set()
    for channel, ids in by_channel.items():
        for start in range(0, len(ids), CHECK_CHUNK):
            chunk = ids[start : start + CHECK_CHUNK]
            present |= {
                (channel, ext)
                for ext in Case.objects.filter(channel=channel, external_id__in=chunk).values_list(
                    "external_id", flat=True
                )
            }
    return [i for i in items if (i.channel, i.external_id) not in present]


def error_file_name(input_name: str, fmt: str) -> str:
    """NAME.errors.csv / NAME.errors.xlsx next to the input."""
    path = Path(input_name)
    return str(path.with_name(f"{path.stem}.errors.{fmt}"))


def write_errors(report: Report, target: IO[bytes], fmt: str) -> None:
    """The bad rows with their original cells and an "error" column (every problem of the row)."""
    table = report.table
    headers = [*(table.headers if table else []), "error"]
    width = len(headers) - 1

    def rows():
        for row in report.bad_rows:
            cells = [str(c) if isinstance(c, Formula) else c for c in row.cells][:width]
            cells += [None] * (width - len(cells))
            yield [*cells, "; ".join(f"{p.column}: {p.message}" for p in row.errors)]

    exporter.write_table(target, fmt, headers, rows())
