"""`minyi export cases FILE --mapping MAPPING [filters]`: cases to an Excel workbook or a CSV file.

Runs as the system (every case, personal data in full) unless --user names whose view to export:
then only the cases that user may see, personal data masked unless they may reveal it (each revealed
case audited). The file imports back with the same mapping. See docs/import.md.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils.translation import gettext as _

from minyi.access.cases import cases_visible_to
from minyi.access.principals import SYSTEM_ACTOR
from minyi.console.filters import CaseFilterForm, filter_cases
from minyi.core import clock
from minyi.core.errors import MinyiError
from minyi.org.models import Area, Unit, User
from minyi.transfer import exporter, mapping
from minyi.transfer.reader import file_format


class Command(BaseCommand):
    help = "Export cases to a .xlsx or .csv file under a mapping (see docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["cases"], help="What to export: cases.")
        parser.add_argument("file", help="The .xlsx or .csv file to write.")
        parser.add_argument("--mapping", default="default", help="A mapping name or the path of a TOML file.")
        parser.add_argument("--user", default="", help="Export what this user may see (default: everything).")
        parser.add_argument("--status", action="append", default=[], help="Only this status (repeatable).")
        parser.add_argument("--channel", default="", help="Only this channel.")
        parser.add_argument("--demand-type", default="", help="Only this demand type.")
        parser.add_argument(
            "--category", default="", help="Only this category (code), with its sub-categories."
        )
        parser.add_argument("--unit", default="", help="Only cases led by this unit (code).")
        parser.add_argument(
            "--area", default="", help="Only cases in this area (code), with the areas below."
        )
        parser.add_argument(
            "--received-from", default="", help="Received on or after this date (YYYY-MM-DD)."
        )
        parser.add_argument("--received-to", default="", help="Received on or before this date (YYYY-MM-DD).")
        parser.add_argument("--search", default="", help="A tracking number or words of the text.")

    def handle(self, *args, what: str, file: str, **options):
        path = Path(file)
        try:
            chosen = mapping.load(options["mapping"])
            fmt = file_format(path.name)
        except MinyiError as exc:
            raise CommandError(exc.message) from None
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("There is no active user %(name)s.") % {"name": options["user"]})
        cases = filter_cases(
            cases_visible_to(user or SYSTEM_ACTOR),
            self._criteria(options),
            clock.now(),
            reader=user or SYSTEM_ACTOR,
        )
        with open(path, "wb") as target:
            count = exporter.export_cases(
                cases, target, fmt, chosen, user=user, purpose=_("export to %(file)s") % {"file": path.name}
            )
        self.stdout.write(_("%(n)d cases written to %(path)s.") % {"n": count, "path": path})

    def _criteria(self, options) -> dict:
        data = QueryDict(mutable=True)
        data.setlist("status", options["status"])
        for key in ("channel", "demand_type", "category", "received_from", "received_to"):
            if options[key]:
                data[key] = options[key]
        if options["search"]:
            data["q"] = options["search"]
        for key, model in (("unit", Unit), ("area", Area)):
            if options[key]:
                pk = model.objects.filter(code=options[key]).values_list("pk", flat=True).first()
                if pk is None:
                    raise CommandError(
                        _("There is no %(what)s with the code %(code)s.")
                        % {"what": key, "code": options[key]}
                    )
                data[key] = str(pk)
        form = CaseFilterForm(data)
        if not form.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
            raise CommandError(_("Some filters are not valid: %(problems)s") % {"problems": problems})
        return form.cleaned_data
