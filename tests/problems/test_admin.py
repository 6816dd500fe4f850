"""The registers in the admin keep the register's rules: identities fixed, no adding or deleting of
problems, categories and measures' problems only of the own unit, the same date checks, and every
correction bumps the version so that a console form open meanwhile gets a conflict."""

from __future__ import annotations

import pytest
from django.conf import settings

from minyi.problems import services
from minyi.problems.models import Measure, Problem, ProblemCategory
from tests.console.helpers import client_for

PROBLEM = "/admin/problems/problem/"
MEASURE = "/admin/problems/measure/"


@pytest.fixture
def admin_client(world):
    client = client_for(world.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def problem_data(problem: Problem, **changes) -> dict:
    data = {
        "title": problem.title,
        "description": problem.description,
        "category": problem.category_id,
        "source": problem.source,
        "case": problem.case_id or "",
        "found_on": problem.found_on.isoformat(),
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_a_problem_cannot_be_added_or_deleted_and_its_identity_is_fixed(admin_client, register):
    problem = register.rude
    url = f"{PROBLEM}{problem.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    fields = page.context["adminform"].form.fields
    assert not {"unit", "number", "year", "sequence", "status", "version"} & set(fields)
    assert admin_client.get(f"{PROBLEM}add/").status_code == 403
    assert admin_client.post(f"{PROBLEM}{problem.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = admin_client.post(
        PROBLEM, {"action": "delete_selected", "_selected_action": [problem.pk], "post": "yes"}
    )
    assert changelist.status_code in (200, 302)
    assert Problem.objects.filter(pk=problem.pk).exists()
    sneaky = problem_data(problem, number="2026-999", sequence="999", unit=register.heating_problem.unit_id)
    assert admin_client.post(url, sneaky).status_code == 302
    problem.refresh_from_db()
    assert (problem.number, problem.sequence, problem.unit.code) == ("2026-004", 4, "insurance")


def test_a_problem_takes_only_a_category_of_its_unit(admin_client, register):
    problem = register.rude
    url = f"{PROBLEM}{problem.pk}/change/"
    choices = set(admin_client.get(url).context["adminform"].form.fields["category"].queryset)
    assert choices == set(ProblemCategory.objects.filter(unit=problem.unit))
    foreign = register.heating_problem.category_id
    refused = admin_client.post(url, problem_data(problem, category=foreign))
    assert refused.status_code == 200 and "category" in refused.context["adminform"].form.errors
    assert Problem.objects.get(pk=problem.pk).category_id == register.window.pk


def test_the_admin_checks_the_dates_and_bumps_the_version(admin_client, world, register):
    problem = register.rude
    url = f"{PROBLEM}{problem.pk}/change/"
    other_year = admin_client.post(url, problem_data(problem, found_on="2025-11-20"))
    assert "keep a date in that year" in str(other_year.context["adminform"].form.errors["found_on"])
    services.problem_set_status(actor=world.insurance_handler, problem_id=problem.pk, status="rectified")
    problem.refresh_from_db()
    shown = problem.version
    assert admin_client.post(url, problem_data(problem, title="窗口工作人员答复生硬")).status_code == 302
    assert Problem.objects.get(pk=problem.pk).version == shown + 1
    case = register.from_case
    early = admin_client.post(
        f"{PROBLEM}{case.pk}/change/", problem_data(case, found_on="2026-11-01")
    )  # the case came in on 2026-11-02
    assert "came in on 2026-11-02" in str(early.context["adminform"].form.errors["found_on"])


def test_a_measure_addresses_only_problems_of_its_unit(admin_client, world, register):
    measure = register.measure
    url = f"{MEASURE}{measure.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    assert set(form.fields["problems"].queryset) == set(Problem.objects.filter(unit=world.insurance))
    assert "unit" not in form.fields
    data = {
        "title": measure.title,
        "responsible": measure.responsible,
        "description": "",
        "due_on": "2026-12-31",
        "done_on": "",
        "problems": [register.queue.pk, register.heating_problem.pk],
    }
    refused = admin_client.post(url, data)
    assert refused.status_code == 200 and "problems" in refused.context["adminform"].form.errors
    added = admin_client.post(
        f"{MEASURE}add/",
        {**data, "unit": world.insurance.pk, "title": "新措施"},
    )
    assert added.status_code == 200
    assert "remove 2026-001" in str(added.context["adminform"].form.errors["problems"])
    assert not Measure.objects.filter(title="新措施").exists()
    shown = Measure.objects.get(pk=measure.pk).version
    assert admin_client.post(url, {**data, "problems": [register.queue.pk]}).status_code == 302
    measure.refresh_from_db()
    assert list(measure.problems.all()) == [register.queue] and measure.version == shown + 1
