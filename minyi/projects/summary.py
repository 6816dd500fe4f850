"""月汇总 and 挂图作战: a batch's figures for one month and its plan-versus-actual over the months,
both computed from the milestones and reports by the rules of progress.py (never from figures kept
elsewhere), for the projects the reader may see. A sub-item's status is `progress.item_status_on`
read today, the reading the ledger keeps (services.refresh_project), so the pages agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from minyi.core import clock
from minyi.projects import progress
from minyi.projects.models import Batch, Milestone, Progress, ProgressReport, Project, SubItem
from minyi.projects.services import report_due
from minyi.workcal.services import current_calendar

STATUSES = (progress.DONE, progress.ON_TRACK, progress.LAGGING, progress.NOT_STARTED)


@dataclass
class ItemMonth:
    item: SubItem
    status: str
    percent: int
    planned: int
    completion: str
    reported: bool
    before: str  # status at the end of the month before

    @property
    def status_label(self) -> str:
        return Progress(self.status).label

    @property
    def before_label(self) -> str:
        return Progress(self.before).label


@dataclass
class ProjectMonth:
    project: Project
    items: list[ItemMonth]
    status: str
    percent: int
    planned: int
    before: str

    @property
    def status_label(self) -> str:
        return Progress(self.status).label

    @property
    def done_items(self) -> int:
        return sum(1 for i in self.items if i.status == progress.DONE)


@dataclass
class MonthlySummary:
    batch: Batch
    month: dt.date
    projects: list[ProjectMonth] = field(default_factory=list)

    @property
    def items(self) -> list[ItemMonth]:
        return [i for p in self.projects for i in p.items]

    @property
    def item_counts(self) -> dict[str, int]:
        counts = Counter(i.status for i in self.items)
        return {s: counts.get(s, 0) for s in STATUSES}

    @property
    def open_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, sub-items) of the statuses short of done, for the page."""
        counts = self.item_counts
        return [(s, Progress(s).label, counts[s]) for s in STATUSES if s != progress.DONE]

    @property
    def project_counts(self) -> dict[str, int]:
        counts = Counter(p.status for p in self.projects)
        return {s: counts.get(s, 0) for s in STATUSES}

    @property
    def done(self) -> int:
        return self.item_counts[progress.DONE]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def rate(self) -> float | None:
        return progress.rate(self.done, self.total)

    @property
    def done_before(self) -> int:
        return sum(1 for i in self.items if i.before == progress.DONE)

    @property
    def completions(self) -> dict[str, int]:
        return dict(Counter(i.completion for i in self.items if i.completion))

    @property
    def lagging(self) -> list[ItemMonth]:
        return [i for i in self.items if i.status == progress.LAGGING]

    @property
    def changes(self) -> list[ItemMonth]:
        """The sub-items whose status changed during the month (newly done, newly lagging, caught up …)."""
        return [i for i in self.items if i.status != i.before]

    @property
    def unreported(self) -> list[ItemMonth]:
        return [i for i in self.items if not i.reported and i.before != progress.DONE]


def _load(projects: QuerySet[Project], last: dt.date):
    items = list(
        SubItem.objects.filter(project__in=projects)
        .select_related("project__leader", "project__lead_unit", "unit")
        .order_by("project_id", "id")
    )
    ids = [i.pk for i in items]
    plans: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for item_id, month, planned in Milestone.objects.filter(item__in=ids).values_list(
        "item", "month", "planned"
    ):
        plans[item_id][month] = planned
    reports: dict[int, list[progress.Reported]] = defaultdict(list)
    rows = ProgressReport.objects.filter(item__in=ids, month__lte=last)
    for item_id, month, percent, completion in rows.values_list("item", "month", "percent", "completion"):
        reports[item_id].append(progress.Reported(month, percent, completion))
    return items, plans, reports


class Reading:
    """`progress.item_status_on` for the sub-items of one batch, read on one day."""

    def __init__(self, batch: Batch, today: dt.date):
        self.batch, self.today, self.cal, self.dues = batch, today, current_calendar(), {}

    def __call__(self, item: SubItem, plan, reports, month: dt.date) -> tuple[str, progress.Standing, int]:
        if month not in self.dues:
            self.dues[month] = report_due(self.batch, month, self.cal)
        return progress.item_status_on(
            plan,
            item.deadline,
            reports,
            month,
            first_month=self.batch.first_month,
            due=self.dues[month],
            today=self.today,
        )


def monthly_summary(
    batch: Batch, month: dt.date, projects: QuerySet[Project], *, today: dt.date | None = None
) -> MonthlySummary:
    """The batch's summary of `month` as read on `today` (default: today), over `projects` (already
    narrowed to the reader)."""
    month = progress.month_of(month)
    previous = progress.add_months(month, -1)
    read = Reading(batch, today or clock.today())
    items, plans, reports = _load(projects.filter(batch=batch), month)
    by_project: dict[int, list[ItemMonth]] = defaultdict(list)
    for item in items:
        status, standing, planned = read(item, plans[item.pk], reports[item.pk], month)
        before, _s, _p = read(item, plans[item.pk], reports[item.pk], previous)
        by_project[item.project_id].append(
            ItemMonth(item, status, standing.percent, planned, standing.completion, standing.reported, before)
        )
    summary = MonthlySummary(batch, month)
    for rows in by_project.values():
        project = rows[0].item.project
        summary.projects.append(
            ProjectMonth(
                project,
                rows,
                progress.project_status(r.status for r in rows),
                progress.mean_percent(r.percent for r in rows),
                progress.mean_percent(r.planned for r in rows),
                progress.project_status(r.before for r in rows),
            )
        )
    return summary


@dataclass
class Cell:
    month: dt.date
    planned: int | None  # None outside the plan's span
    actual: int | None  # None after the current month
    status: str
    milestone: str = ""


@dataclass
class Row:
    label: str
    project: Project
    item: SubItem | None
    cells: list[Cell]
    unit: str
    leader: str


@dataclass
class WallChart:
    batch: Batch
    months: list[dt.date]
    current: dt.date
    rows: list[Row]


def wall_chart(batch: Batch, projects: QuerySet[Project], *, current: dt.date) -> WallChart:
    """Plan versus actual per project and sub-item for every month of the batch, up to its last
    deadline, read on the day `current`."""
    read = Reading(batch, current)
    current = progress.month_of(current)
    items, plans, reports = _load(projects.filter(batch=batch), current)
    last = max([i.deadline for i in items] + [current])
    span = progress.months(batch.first_month, last)
    notes = defaultdict(dict)
    for item_id, month, text in (
        Milestone.objects.filter(item__in=[i.pk for i in items])
        .exclude(description="")
        .values_list("item", "month", "description")
    ):
        notes[item_id][month] = text
    item_rows: dict[int, list[Row]] = defaultdict(list)
    for item in items:
        cells = []
        for month in span:
            if month <= current:
                status, standing, _planned = read(item, plans[item.pk], reports[item.pk], month)
            else:
                status, standing = "", progress.Standing()
            planned = progress.planned_at(plans[item.pk], item.deadline, month)
            in_plan = month <= progress.month_of(item.deadline)
            cells.append(
                Cell(
                    month,
                    planned if in_plan else None,
                    standing.percent if month <= current else None,
                    status if month <= current else "",
                    notes[item.pk].get(month, ""),
                )
            )
        item_rows[item.project_id].append(
            Row(
                f"{item.project.number}-{item.number} {item.name}",
                item.project,
                item,
                cells,
                item.unit.name,
                "",
            )
        )
    rows = []
    for children in item_rows.values():
        project = children[0].project
        cells = []
        for index, month in enumerate(span):
            column = [c.cells[index] for c in children]
            planned = [c.planned for c in column if c.planned is not None]
            actual = [c.actual for c in column if c.actual is not None]
            cells.append(
                Cell(
                    month,
                    progress.mean_percent(planned) if planned else None,
                    progress.mean_percent(actual) if month <= current else None,
                    progress.project_status(c.status for c in column) if month <= current else "",
                )
            )
        rows.append(
            Row(
                f"{project.number}. {project.name}",
                project,
                None,
                cells,
                project.lead_unit.name,
                project.leader.full_name or project.leader.username,
            )
        )
        rows.extend(children)
    return WallChart(batch, span, current, rows)
