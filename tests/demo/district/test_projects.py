"""The demo district's livelihood projects: two batches with history, every status, reports overdue,
cases linked — and the leader's pages open on them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from minyi.core import clock
from minyi.org.models import User
from minyi.projects import progress
from minyi.projects.dispatch import overdue
from minyi.projects.models import Batch, ProgressReport, Project, ProjectCase, SubItem
from minyi.projects.services import refresh_all
from minyi.projects.summary import monthly_summary
from tests.demo.district.conftest import NOW

pytestmark = pytest.mark.usefixtures("demo", "db")


def test_two_batches_with_every_status_and_completion_kind():
    assert Batch.objects.count() == 2
    statuses = Counter(SubItem.objects.values_list("status", flat=True))
    assert statuses[progress.DONE] >= 5 and statuses[progress.LAGGING] >= 2
    assert statuses[progress.ON_TRACK] >= 3
    kinds = set(SubItem.objects.exclude(completion="").values_list("completion", flat=True))
    assert kinds == {progress.SUBSTANTIVE, progress.PROCEDURAL, progress.SUSPENDED}
    for project in Project.objects.all():
        assert project.items.exists() and project.leader.has_role("leader")


def test_reports_follow_the_months_and_stop_at_completion():
    this_month = progress.month_of(clock.local(NOW).date())
    for item in SubItem.objects.all():
        months = list(item.reports.values_list("month", flat=True).order_by("month"))
        assert months == sorted(set(months)) and all(m <= this_month for m in months)
        finished = item.reports.exclude(completion="").order_by("month").first()
        if finished:
            assert months[-1] == finished.month
    percents = ProgressReport.objects.values_list("percent", flat=True)
    assert min(percents) >= 0 and max(percents) == 100


def test_a_few_reports_are_overdue_and_heating_complaints_are_linked():
    with clock.frozen_at(NOW):
        assert 0 < len(overdue(SubItem.objects.all())) < SubItem.objects.count() // 2
    heating = Project.objects.get(name="老旧小区供热管网改造")
    titles = ProjectCase.objects.filter(project=heating).values_list("case__title", flat=True)
    assert len(titles) >= 5 and all("暖气" in t for t in titles)


def test_the_leader_opens_the_ledger_wall_chart_and_summary(client):
    leader = User.objects.get(username="leader")
    client.force_login(leader)
    with clock.frozen_at(NOW):
        for url in ("/console/projects/", "/console/projects/wall/", "/console/projects/summary/"):
            assert client.get(url).status_code == 200, url
        led = Project.objects.filter(leader=leader).first()
        assert client.get(f"/console/projects/{led.pk}/").status_code == 200
        other = Project.objects.exclude(leader=leader).first()
        assert client.get(f"/console/projects/{other.pk}/").status_code == 404


@pytest.mark.parametrize("days_later", [0, 8])  # as loaded; in the first days of the next month
def test_the_ledger_and_the_monthly_summary_agree_on_every_project(days_later):
    with clock.frozen_at(NOW + dt.timedelta(days=days_later)):
        refresh_all()  # what the worker's daily job keeps
        month = progress.month_of(clock.today())
        for batch in Batch.objects.all():
            summary = monthly_summary(batch, month, Project.objects.all())
            kept = dict(Project.objects.filter(batch=batch).values_list("number", "status"))
            assert {p.project.number: p.status for p in summary.projects} == kept, batch.name
            items = dict(SubItem.objects.filter(project__batch=batch).values_list("pk", "status"))
            assert {i.item.pk: i.status for i in summary.items} == items, batch.name
