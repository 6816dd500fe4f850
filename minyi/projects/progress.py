"""The rules of a livelihood project's progress, in one place and without Django.

- A sub-item's plan says which percent it should have reached by the end of each month (its
  milestones); between milestones the last one holds, before the first nothing is planned, and from
  the month of its deadline on 100 % is planned.
- Its standing in a month is what the latest report up to that month said (percent and, when
  finished, the kind of completion); a month without a report carries the previous one forward.
- Its status in a month: done once a report records a completion; lagging when the percent is more
  than LAG_MARGIN points below the plan, or the deadline's month has passed unfinished; not started
  while at 0 %; otherwise on track.
- Read on a given day (`item_status_on`, what the ledger, the monthly summary and the wall chart
  all show), a month is held to its own plan once its report is filed or its due day has passed;
  until then to the month before's: on the 1st a sub-item is not lagging behind a plan it has weeks
  left to report on.
- A project is done when every sub-item is, lagging when any is, not started while all are, and
  otherwise on track; its percent is the mean of its sub-items'. Finished projects are
  substantively completed only if every sub-item is, suspended if every one is, else procedurally
  concluded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

NOT_STARTED, ON_TRACK, LAGGING, DONE = "not_started", "on_track", "lagging", "done"
SUBSTANTIVE, PROCEDURAL, SUSPENDED = "substantive", "procedural", "suspended"

# Monthly percentages are estimates written by the units: a gap of a few points to the plan is
# noise of the estimate, not a lag that the supervision office should chase.
LAG_MARGIN = 10


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first`'s to `last`'s, both included."""
    out, month = [], month_of(first)
    while month <= month_of(last):
        out.append(month)
        month = add_months(month, 1)
    return out


def planned_at(milestones: Mapping[dt.date, int], deadline: dt.date, month: dt.date) -> int:
    if month >= month_of(deadline):
        return 100
    reached = [month_of(m) for m in milestones if month_of(m) <= month]
    return milestones[max(reached)] if reached else 0


@dataclass(frozen=True)
class Reported:
    month: dt.date
    percent: int
    completion: str = ""


@dataclass(frozen=True)
class Standing:
    percent: int = 0
    completion: str = ""
    reported: bool = False  # whether a report of exactly this month exists


def standing_at(reports: Sequence[Reported], month: dt.date) -> Standing:
    """The item's standing at the end of `month` from its reports (in any order)."""
    before = [r for r in reports if r.month <= month]
    if not before:
        return Standing()
    latest = max(before, key=lambda r: r.month)
    return Standing(latest.percent, latest.completion, reported=latest.month == month)


def status(standing: Standing, planned: int, *, past_deadline: bool) -> str:
    if standing.completion:
        return DONE
    if past_deadline or standing.percent + LAG_MARGIN < planned:
        return LAGGING
    if standing.percent == 0:
        return NOT_STARTED
    return ON_TRACK


def item_status(
    milestones: Mapping[dt.date, int], deadline: dt.date, reports: Sequence[Reported], month: dt.date
) -> tuple[str, Standing, int]:
    """(status, standing, planned percent) of one sub-item at the end of `month`."""
    standing = standing_at(reports, month)
    planned = planned_at(milestones, deadline, month)
    return status(standing, planned, past_deadline=month > month_of(deadline)), standing, planned


def judged_month(
    month: dt.date, *, first_month: dt.date, reported: bool, due: dt.date, today: dt.date
) -> dt.date:
    """The month whose plan a sub-item is held to in `month`, read on `today`: `month` itself once
    its report on `month` is filed, or due before `today` (the report on `month` is due on `due`), or
    when `month` is its batch's first month; else the month before."""
    month = month_of(month)
    before = add_months(month, -1)
    if reported or today > due or before < month_of(first_month):
        return month
    return before


def item_status_on(
    milestones: Mapping[dt.date, int],
    deadline: dt.date,
    reports: Sequence[Reported],
    month: dt.date,
    *,
    first_month: dt.date,
    due: dt.date,
    today: dt.date,
) -> tuple[str, Standing, int]:
    """(status, standing, planned percent) of one sub-item in `month`, read on `today`: the one
    reading of the kept statuses of the ledger, the monthly summary and the wall chart. The standing
    is that of `month` (whether its report is filed); status and plan those of `judged_month`."""
    standing = standing_at(reports, month)
    held_to = judged_month(month, first_month=first_month, reported=standing.reported, due=due, today=today)
    status, _standing, planned = item_status(milestones, deadline, reports, held_to)
    return status, standing, planned


def project_status(statuses: Iterable[str]) -> str:
    statuses = list(statuses)
    if not statuses:
        return NOT_STARTED
    if all(s == DONE for s in statuses):
        return DONE
    if LAGGING in statuses:
        return LAGGING
    if all(s == NOT_STARTED for s in statuses):
        return NOT_STARTED
    return ON_TRACK


def project_completion(completions: Iterable[str]) -> str:
    completions = list(completions)
    if not completions or not all(completions):
        return ""
    if all(c == SUBSTANTIVE for c in completions):
        return SUBSTANTIVE
    if all(c == SUSPENDED for c in completions):
        return SUSPENDED
    return PROCEDURAL


def mean_percent(percents: Iterable[int]) -> int:
    percents = list(percents)
    return round(sum(percents) / len(percents)) if percents else 0


def rate(done: int, total: int) -> float | None:
    """Completion rate (完成率) as a fraction, None without items."""
    return done / total if total else None
