"""`minyi report monthly --month YYYY-MM --format xlsx|pdf [--out FILE]`: the monthly report (月报) of
all cases (the console's download button gives the same for the user's scope)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minyi.cases.models import Case
from minyi.core.errors import MinyiError
from minyi.reports import render
from minyi.reports.monthly import monthly_report, parse_month


class Command(BaseCommand):
    help = "Write the monthly report (月报) as Excel or PDF."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["monthly"])
        parser.add_argument("--month", required=True, help="The month, YYYY-MM.")
        parser.add_argument("--format", choices=sorted(render.FORMATS), default="pdf")
        parser.add_argument("--out", help="The file to write (default: minyi-monthly-YYYY-MM.FORMAT here).")

    def handle(self, *args, kind: str, month: str, format: str, out: str | None, **options):
        try:
            first = parse_month(month)
            report = monthly_report(
                month=first, cases=Case.objects.all(), whole=True, district=render.district_name()
            )
            content = render.FORMATS[format](report)
        except MinyiError as exc:
            raise CommandError(exc.message) from None
        target = Path(out or f"minyi-monthly-{first:%Y-%m}.{format}")
        target.write_bytes(content)
        self.stdout.write(f"{target}: {report.title}, {len(content) // 1024} KB")
