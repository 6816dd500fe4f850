"""Reads of a problem register: the list's filters and the counts by category × status.

Callers pass problems already scoped by `access/problems.py` (one unit's register, or the units the
reader may see); this module only narrows and counts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from minyi.cases.numbers import normal_tracking_number
from minyi.problems.models import Measure, Problem, ProblemCategory, ProblemStatus


def filter_problems(problems: QuerySet[Problem], params: dict) -> QuerySet[Problem]:
    """Narrow by category (id), status, source and text (number, title, description or the case's
    tracking number); every parameter is optional."""
    if params.get("category"):
        problems = problems.filter(category_id=params["category"])
    if params.get("status"):
        problems = problems.filter(status=params["status"])
    if params.get("source"):
        problems = problems.filter(source=params["source"])
    text = (params.get("q") or "").strip()
    if text:
        problems = problems.filter(
            Q(number__icontains=text)
            | Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(case__tracking_number=normal_tracking_number(text))
        )
    return problems


@dataclass
class CountRow:
    category: ProblemCategory | None  # None: the totals row
    by_status: dict[str, int] = field(default_factory=dict)
    # The measures addressing at least one of the row's problems. A measure addressing problems of
    # two categories counts in both rows and once in the totals row, so rows may add up to more.
    measures: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def cells(self) -> list[tuple[str, int]]:
        return [(status, self.by_status.get(status, 0)) for status in ProblemStatus.values]


@dataclass
class Counts:
    rows: list[CountRow]
    totals: CountRow
    measures: int  # all the unit's measures, those addressing no problem (yet) included
    measures_done: int
    measures_overdue: int


def register_counts(unit_id: int, today: dt.date) -> Counts:
    """The register of one unit counted by category × status (every category in use, and those out
    of use that still hold problems), with the measures on each category's problems (and, in the
    totals row, on any of the unit's problems)."""
    grid = (
        Problem.objects.filter(unit_id=unit_id)
        .values_list("category_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells: dict[int, dict[str, int]] = {}
    for category_id, status, n in grid:
        cells.setdefault(category_id, {})[status] = n
    measures_by_category = dict(
        Problem.objects.filter(unit_id=unit_id)
        .values_list("category_id")
        .annotate(n=Count("measures", distinct=True))
        .order_by()
    )
    categories = ProblemCategory.objects.filter(unit_id=unit_id).filter(
        Q(is_active=True) | Q(pk__in=list(cells))
    )
    rows = [CountRow(c, cells.get(c.pk, {}), measures_by_category.get(c.pk, 0)) for c in categories]
    totals = CountRow(None)
    for row in rows:
        for status, n in row.by_status.items():
            totals.by_status[status] = totals.by_status.get(status, 0) + n
    measures = Measure.objects.filter(unit_id=unit_id)
    totals.measures = measures.filter(problems__isnull=False).distinct().count()
    return Counts(
        rows=rows,
        totals=totals,
        measures=measures.count(),
        measures_done=measures.filter(done_on__isnull=False).count(),
        measures_overdue=measures.filter(done_on__isnull=True, due_on__lt=today).count(),
    )


@dataclass(frozen=True)
class UnitSummary:
    unit_id: int
    name: str
    by_status: dict[str, int]
    measures: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def cells(self) -> list[tuple[str, int]]:
        return [(status, self.by_status.get(status, 0)) for status in ProblemStatus.values]


def unit_summaries(problems: QuerySet[Problem], measures: QuerySet[Measure]) -> list[UnitSummary]:
    """For readers of several registers: each unit that keeps one, with its problems by status."""
    by_unit: dict[int, dict[str, int]] = {}
    names: dict[int, str] = {}
    rows = problems.values_list("unit_id", "unit__name", "status").annotate(n=Count("id")).order_by()
    for unit_id, name, status, n in rows:
        by_unit.setdefault(unit_id, {})[status] = n
        names[unit_id] = name
    measure_counts = dict(measures.values_list("unit_id").annotate(n=Count("id")).order_by())
    return sorted(
        (UnitSummary(pk, names[pk], by_unit[pk], measure_counts.get(pk, 0)) for pk in by_unit),
        key=lambda s: (-s.total, s.name),
    )
