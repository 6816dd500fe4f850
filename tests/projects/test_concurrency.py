"""Units reporting sub-items of one project at the same moment, with real concurrent connections
(PostgreSQL): every report is stored and the project's kept figures are those of all of them."""

import datetime as dt

import pytest

from minyi.projects.models import ProgressReport, Project
from minyi.projects.services import report_file
from tests.cases.test_concurrency import race
from tests.projects.conftest import build_ledger

pytestmark = pytest.mark.postgres_only
NOV = dt.date(2026, 11, 1)


def test_reports_of_one_project_at_once_neither_deadlock_nor_lose_a_figure(tx_world, clock):
    ledger = build_ledger(tx_world)
    for mains, risers in [(60, 40), (95, 85), (90, 80)]:
        results = race(
            lambda m=mains: report_file(
                actor=tx_world.heating_handler, item=ledger.mains, month=NOV, percent=m, done="更换管网"
            ),
            lambda r=risers: report_file(
                actor=tx_world.housing_handler, item=ledger.risers, month=NOV, percent=r, done="更换管网"
            ),
        )
        assert all(isinstance(r, ProgressReport) for r in results), results
    assert ProgressReport.objects.count() == 2
    project = Project.objects.get(pk=ledger.heating_project.pk)
    assert project.percent == 85  # (90 + 80) / 2, written by whichever report came last
