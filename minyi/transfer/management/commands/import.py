"""`minyi import cases FILE --mapping MAPPING`: historic cases from an Excel workbook or a CSV file.

Validates every row first. By default nothing is imported when a row is bad (exit code 1, the
problems printed per row and column); --skip-invalid imports the good rows and writes the bad ones
to an error file; --dry-run only validates. Re-running a file imports only the rows not yet present.
See docs/import.md.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from minyi.core.errors import MinyiError
from minyi.transfer import importer, mapping
from minyi.transfer.reader import file_format

SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = "Import historic cases from a .xlsx or .csv file under a mapping (see docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["cases"], help="What to import: cases.")
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument(
            "--mapping",
            default="default",
            help=f"A mapping name from minyi/transfer/mappings/ ({', '.join(mapping.available())}) "
            "or the path of a TOML file.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and write the invalid ones to the error file.",
        )
        parser.add_argument(
            "--errors", default="", help="The error file (default: next to the input, NAME.errors.csv/.xlsx)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args, what: str, file: str, **options):
        path = Path(file)
        try:
            chosen = mapping.load(options["mapping"])
            fmt = file_format(path.name)
            if not path.is_file():
                raise CommandError(_("There is no file %(path)s.") % {"path": path})
            report = importer.run(
                path.read_bytes(),
                path.name,
                chosen,
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except MinyiError as exc:
            raise CommandError(exc.message) from None
        self._problems(report)
        error_file = ""
        if report.invalid and options["skip_invalid"] and not options["dry_run"]:
            error_file = options["errors"] or importer.error_file_name(str(path), fmt)
            error_fmt = "xlsx" if error_file.lower().endswith(".xlsx") else "csv"
            with open(error_file, "wb") as target:
                importer.write_errors(report, target, error_fmt)
        self._summary(report, error_file)
        if report.invalid and not options["skip_invalid"]:
            raise CommandError(
                _(
                    "%(n)d rows are invalid: nothing was imported. "
                    "Correct them, or import with --skip-invalid."
                )
                % {"n": report.invalid}
            )

    def _problems(self, report: importer.Report) -> None:
        for problem in report.errors[:SHOWN_ERRORS]:
            self.stderr.write(
                _("row %(row)d, column “%(column)s”, value “%(value)s”: %(message)s")
                % {
                    "row": problem.row,
                    "column": problem.column,
                    "value": problem.value[:60],
                    "message": problem.message,
                }
            )
        if len(report.errors) > SHOWN_ERRORS:
            self.stderr.write(_("… and %(n)d more problems.") % {"n": len(report.errors) - SHOWN_ERRORS})
        for problem in report.warnings[:SHOWN_ERRORS]:
            self.stdout.write(
                _("warning: row %(row)d, column “%(column)s”: %(message)s")
                % {"row": problem.row, "column": problem.column, "message": problem.message}
            )
        if len(report.warnings) > SHOWN_ERRORS:
            self.stdout.write(_("… and %(n)d more warnings.") % {"n": len(report.warnings) - SHOWN_ERRORS})

    def _summary(self, report: importer.Report, error_file: str) -> None:
        if report.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        self.stdout.write(
            _(
                "Rows read: %(read)d; imported: %(imported)d; already present: %(present)d; "
                "invalid: %(invalid)d; %(seconds).1f s."
            )
            % {
                "read": report.rows_read,
                "imported": report.imported,
                "present": report.already_present,
                "invalid": report.invalid,
                "seconds": report.seconds,
            }
        )
        if error_file:
            self.stdout.write(_("The invalid rows are in %(path)s.") % {"path": error_file})
