"""`minyi similar reindex`: (re)build the keyword index that similar-case search reads, for cases
written before it existed or after the keyword rules changed. Cases are taken in id order in
batches, each batch its own short transaction, so it can run beside live work and be restarted."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from minyi.analysis.keyword_index import index_cases
from minyi.cases.models import Case


class Command(BaseCommand):
    help = "Rebuild the keyword index of similar-case search."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["reindex"])
        parser.add_argument("--batch", type=int, default=2000, help="Cases per transaction.")
        parser.add_argument("--from-id", type=int, default=0, help="Start at this case id (to resume).")

    def handle(self, *args, action: str, batch: int, from_id: int, **options):
        last, cases, rows = from_id - 1, 0, 0
        while True:
            chunk = list(
                Case.objects.filter(pk__gt=last)
                .order_by("pk")
                .only("pk", "title", "description", "received_at")[:batch]
            )
            if not chunk:
                break
            with transaction.atomic():
                rows += index_cases(chunk)
            cases += len(chunk)
            last = chunk[-1].pk
            if options["verbosity"] > 1:
                self.stdout.write(f"… up to case {last}")
        self.stdout.write(f"indexed {cases} cases ({rows} keywords)")
