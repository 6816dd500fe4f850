"""The progress rules (projects/progress.py), without a database."""

import datetime as dt

from minyi.projects import progress
from minyi.projects.progress import Reported, Standing

JUNE, AUG, OCT, NOV, DEC = (dt.date(2026, m, 1) for m in (6, 8, 10, 11, 12))
PLAN = {JUNE: 10, AUG: 40, OCT: 70}
DEADLINE = dt.date(2026, 12, 31)


def test_the_last_milestone_holds_until_the_next_and_the_deadline_month_plans_everything():
    assert progress.planned_at(PLAN, DEADLINE, dt.date(2026, 5, 1)) == 0
    assert progress.planned_at(PLAN, DEADLINE, JUNE) == 10
    assert progress.planned_at(PLAN, DEADLINE, dt.date(2026, 9, 1)) == 40
    assert progress.planned_at(PLAN, DEADLINE, NOV) == 70
    assert progress.planned_at(PLAN, DEADLINE, DEC) == 100
    assert progress.planned_at(PLAN, DEADLINE, dt.date(2027, 2, 1)) == 100


def test_a_month_without_report_carries_the_last_one_forward():
    reports = [Reported(JUNE, 10), Reported(AUG, 45)]
    assert progress.standing_at(reports, dt.date(2026, 9, 1)) == Standing(45, "", reported=False)
    assert progress.standing_at(reports, AUG) == Standing(45, "", reported=True)
    assert progress.standing_at(reports, dt.date(2026, 5, 1)) == Standing()


def test_status_follows_the_plan_with_a_margin():
    assert progress.status(Standing(61), 70, past_deadline=False) == progress.ON_TRACK  # 9 points behind
    assert progress.status(Standing(59), 70, past_deadline=False) == progress.LAGGING  # 11 behind
    assert progress.status(Standing(0), 0, past_deadline=False) == progress.NOT_STARTED
    assert progress.status(Standing(0), 40, past_deadline=False) == progress.LAGGING
    assert progress.status(Standing(99), 100, past_deadline=True) == progress.LAGGING
    assert progress.status(Standing(60, progress.SUSPENDED), 100, past_deadline=True) == progress.DONE


def test_item_status_past_its_deadline_month_is_lagging_until_completed():
    reports = [Reported(NOV, 95)]
    status, standing, planned = progress.item_status(PLAN, DEADLINE, reports, dt.date(2027, 1, 1))
    assert (status, standing.percent, planned) == (progress.LAGGING, 95, 100)
    reports.append(Reported(dt.date(2027, 1, 1), 100, progress.SUBSTANTIVE))
    assert progress.item_status(PLAN, DEADLINE, reports, dt.date(2027, 1, 1))[0] == progress.DONE


def test_a_project_is_done_only_when_every_sub_item_is_and_lags_when_any_lags():
    assert progress.project_status([progress.DONE, progress.DONE]) == progress.DONE
    assert progress.project_status([progress.DONE, progress.LAGGING, progress.ON_TRACK]) == progress.LAGGING
    assert progress.project_status([progress.NOT_STARTED, progress.NOT_STARTED]) == progress.NOT_STARTED
    assert progress.project_status([progress.NOT_STARTED, progress.ON_TRACK]) == progress.ON_TRACK
    assert progress.project_status([]) == progress.NOT_STARTED


def test_a_project_completion_kind_comes_from_all_its_sub_items():
    assert progress.project_completion([progress.SUBSTANTIVE, ""]) == ""
    assert progress.project_completion([progress.SUBSTANTIVE, progress.SUBSTANTIVE]) == progress.SUBSTANTIVE
    assert progress.project_completion([progress.SUSPENDED, progress.SUSPENDED]) == progress.SUSPENDED
    assert progress.project_completion([progress.SUBSTANTIVE, progress.SUSPENDED]) == progress.PROCEDURAL


def test_months_and_rates():
    assert progress.months(dt.date(2026, 11, 15), dt.date(2027, 2, 3)) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
    ]
    assert progress.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert progress.rate(53, 116) == 53 / 116
    assert progress.rate(0, 0) is None
    assert progress.mean_percent([10, 20, 25]) == 18
