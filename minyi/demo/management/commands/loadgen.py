"""`minyi loadgen --cases N`: fill the database with years of realistic generated history (压测数据)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from minyi.cases.workflow import OPEN, Status
from minyi.demo.loadgen import BATCH_CASES, DEFAULT_SEED, DEFAULT_YEARS, LoadgenRefused, load


class Command(BaseCommand):
    help = (
        "Generate N cases of realistic history (times with daily and seasonal patterns, every status and "
        "path, events, deadlines, callbacks, keyword index) and write them in bulk: COPY on PostgreSQL, "
        "executemany on SQLite. Loads the demo's places, units and categories first if there are none. "
        "Refuses when generated cases are present already, unless --append."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many cases to generate.")
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Seed of the random choices (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=DEFAULT_YEARS,
            help=f"Years of history before --until (default {DEFAULT_YEARS}).",
        )
        parser.add_argument(
            "--until",
            type=dt.date.fromisoformat,
            default=None,
            help="Last day of the history, YYYY-MM-DD (default today; a past day's end is its now).",
        )
        parser.add_argument(
            "--append", action="store_true", help="Add to the generated cases that are here already."
        )
        parser.add_argument(
            "--batch", type=int, default=BATCH_CASES, help=f"Cases per transaction (default {BATCH_CASES})."
        )

    def handle(self, *args, cases, seed, years, until, append, batch, **options):
        self.stdout.write(
            f"Generating {cases:,} cases into {connection.vendor} (seed {seed}, {years} years)…"
        )
        try:
            summary = load(
                cases=cases,
                seed=seed,
                years=years,
                until=until,
                append=append,
                batch_size=max(batch, 1),
                progress=self.stdout.write,
            )
        except LoadgenRefused as refused:
            raise CommandError(str(refused)) from None
        seconds = max(summary.seconds, 1e-9)
        self.stdout.write(
            f"{summary.cases:,} cases, {summary.events:,} events, {summary.keywords:,} keywords, "
            f"{summary.co_units:,} co-units in {seconds:.1f} s: {summary.cases / seconds:,.0f} cases/s, "
            f"{summary.rows / seconds:,.0f} rows/s ({summary.texts:,} distinct texts keyword-indexed)."
        )
        self.stdout.write(
            f"Received from {summary.first:%Y-%m-%d} to {summary.last:%Y-%m-%d %H:%M} (UTC). By status:"
        )
        for status in Status:
            n = summary.by_status.get(status.value, 0)
            self.stdout.write(f"  {status.value:<20} {n:>9,}{'  (open)' if status in OPEN else ''}")
