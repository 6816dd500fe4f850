"""The demo district's problem registers: 区医疗保障局's "麻雀诊室" register with its 19 categories,
problems from its own cases and its own review, measures linked many-to-many, statuses mixed."""

from __future__ import annotations

from collections import Counter

import pytest

from minyi.core import clock
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


def test_rectified_problems_follow_their_measures(demo):
    rectified = Problem.objects.filter(status="rectified").prefetch_related("measures")
    assert rectified.exists()
    for problem in rectified:
        dones = [m.done_on for m in problem.measures.all()]
        assert dones and all(dones), problem.number  # rectified once its measures are done
        assert problem.rectified_on >= max(dones), problem.number
    for measure in Measure.objects.prefetch_related("problems"):
        entered = clock.local(measure.created_at).date()
        assert all(p.found_on <= entered for p in measure.problems.all()), measure.title
        assert measure.done_on is None or entered <= measure.done_on <= NOW.date()


def test_the_history_is_dated_when_things_happened(demo):
    for problem in Problem.objects.prefetch_related("events"):
        events = list(problem.events.order_by("pk"))
        assert clock.local(events[0].at).date() == problem.found_on  # entered the day it was found
        assert clock.local(problem.created_at).date() == problem.found_on
        moments = [e.at for e in events]
        assert moments == sorted(moments) and moments[-1] <= NOW, problem.number
        if problem.status == "rectified":
            assert clock.local(events[-1].at).date() == problem.rectified_on


def test_problems_from_cases_are_filed_under_the_matching_category(demo):
    from minyi.demo.problems import HEATING_CASE_CATEGORIES, MEDINS_CASE_CATEGORIES

    mapping = {"medins": MEDINS_CASE_CATEGORIES, "heating": HEATING_CASE_CATEGORIES}
    from_cases = Problem.objects.filter(source="case").select_related("unit", "category", "case__category")
    assert from_cases.exists()
    for problem in from_cases:
        names = mapping[problem.unit.code]
        assert problem.category.name == names.get(problem.case.category.name, names[""]), problem.number
