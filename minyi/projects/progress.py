"""The rules of a livelihood project's progress, in one place and without Django.

- A sub-item's plan says which percent it should have reached by the end of each month (its
  milestones); between milestones the last one holds, before the first nothing is planned, and from
  the month of its deadline on 100 % is planned.
- Its standing in a month is what the latest report up to that month said (percent and, when
  finished, the kind of completion); a month without a report carries the previous one forward.
- Its status in a month: done once a report records a completion; lagging when the percent is more
  than LAG_MARGIN points below the plan, or the deadline's month has passed unfinished; not started
  while at 0 %; otherwise on track.
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
