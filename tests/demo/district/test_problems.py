"""The demo district's problem registers: 区医疗保障局's "麻雀诊室" register with its 19 categories,
problems from its own cases and its own review, measures linked many-to-many, statuses mixed."""

from __future__ import annotations

from collections import Counter

import pytest

from minyi.org.models import Unit
from minyi.problems.models import Measure, Problem, ProblemCategory
from tests.demo.district.conftest import NOW

pytestmark = pytest.mark.usefixtures("demo", "db")


def test_the_medical_insurance_register(demo):
    medins = Unit.objects.get(code="medins")
    assert ProblemCategory.objects.filter(unit=medins).count() == 19
    problems = Problem.objects.filter(unit=medins)
    assert 40 <= problems.count() <= 80
    sources = Counter(problems.values_list("source", flat=True))
    assert sources["case"] >= 1 and sources["review"] >= 30
    for problem in problems.filter(source="case").select_related("case"):
        assert problem.case.lead_unit_id == medins.pk  # taken from the bureau's own cases
    statuses = set(problems.values_list("status", flat=True))
    assert statuses == {"open", "rectifying", "rectified", "closed"}
    assert not problems.filter(status="rectified", rectified_on__isnull=True).exists()
    measures = Measure.objects.filter(unit=medins)
    assert 12 <= measures.count() <= 20
    assert all(m.problems.count() >= 1 for m in measures)
    assert max(m.problems.count() for m in measures) >= 3  # one measure, several problems
    line = next(line for line in demo.splitlines() if line.startswith("problem registers:"))
    assert f"19 categories, {problems.count()} problems, {measures.count()} measures" in line


def test_numbers_are_unique_per_unit_and_follow_the_years(demo):
    for problem in Problem.objects.all():
        assert problem.number == f"{problem.year}-{problem.sequence:03d}"
        assert problem.found_on.year == problem.year
        assert problem.found_on <= NOW.date()


def test_the_heating_company_keeps_a_smaller_register(demo):
    heating = Unit.objects.get(code="heating")
    assert (
        5
        <= Problem.objects.filter(unit=heating).count()
        < Problem.objects.filter(unit__code="medins").count()
    )
    assert Measure.objects.filter(unit=heating).exists()
