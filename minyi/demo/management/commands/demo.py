"""`minyi demo`: load the demo district 民意区 (idempotent) and print the logins."""

from __future__ import annotations

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from minyi.core.management.commands.serve import serve_options, url
from minyi.demo import district
from minyi.demo.load import DEFAULT_CASES, DEFAULT_SEED, demo_loaded, load_demo, logins, status_lines


class Command(BaseCommand):
    help = (
        "Load the demo district 民意区: places, units, staff for every role, categories, routing, deadline "
        "rules, knowledge base and a year of cases driven through the real workflow. Does nothing if "
        "the demo is loaded already."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cases",
            type=int,
            default=DEFAULT_CASES,
            help=f"How many cases (default {DEFAULT_CASES}; at least the ~40 that show every path).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Seed of the random choices, for a reproducible demo (default {DEFAULT_SEED}).",
        )

    def handle(self, *args, cases: int, seed: int, **options):
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        if demo_loaded():
            self.stdout.write(
                f"The demo district {district.DISTRICT_NAME} is loaded already (area code "
                f"{district.DISTRICT_CODE}); nothing was changed."
            )
            self.print_logins()
            return
        started = time.monotonic()
        self.stdout.write(f"Loading the demo district {district.DISTRICT_NAME} ({cases} cases, seed {seed})…")
        summary = load_demo(cases=cases, seed=seed, progress=self.stdout.write)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{summary.cases} cases, {summary.events} events in {elapsed:.1f} s. Cases by status:"
        )
        for line in status_lines(summary):
            self.stdout.write(line)
        lights = ", ".join(f"{light} {n}" for light, n in summary.by_light.items())
        self.stdout.write(f"Deadline lights of open cases now: {lights}")
        self.print_logins()

    def print_logins(self) -> None:
        rows = [("用户名", "姓名", "角色", "单位")] + [
            (r.username, r.name, r.roles, r.unit) for r in logins()
        ]
        widths = [min(max(_width(row[i]) for row in rows), 28) for i in range(3)]
        self.stdout.write("")
        for row in rows:
            cells = [_pad(row[i], widths[i]) for i in range(3)] + [row[3]]
            self.stdout.write("  ".join(cells))
        self.stdout.write(
            self.style.SUCCESS(f"\nEvery demo account has the password “{district.PASSWORD}”; ")
            + "`admin` is also a superuser. After `minyi serve`: staff console "
            + f"{url(*serve_options()[:2], '/console/')}, citizen portal {url(*serve_options()[:2])}."
        )


def _width(text: str) -> int:
    """Columns the text takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)
