"""The analysis in a real browser: the intake desk suggests categories as the operator types and one
click fills the category; the analysis page (民意分析) turns a rising topic into a supervised case."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from minyi.analysis import suggestions
from minyi.cases.models import Case
from tests.analysis.helpers import handled_cases, heating_alert
from tests.browser.pages import case_id_from, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def trained(site, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.MINYI_CLASSIFIER_MIN_CASES = 40
    settings.MINYI_CLASSIFIER_MIN_PER_CATEGORY = 10
    settings.MINYI_CLASSIFIER_RECHECK_SECONDS = 0
    suggestions._cache.forget()
    w = site.world
    handled_cases({"heating": w.heating_shortage, "roads": w.roads, "insurance": w.insurance_cat})
    yield suggestions.classifier_train_from_db()
    suggestions._cache.forget()


def test_the_operator_takes_a_suggested_category_with_one_click(site, trained):
    w = site.world
    operator = site.login(w.operator)
    form = operator.locator("#intake-form")
    form.locator("#id_requester_name").fill("李四")
    form.locator("#id_title").fill("道路坑洼")
    form.locator("#id_description").fill("和平路路面破损严重，井盖缺失，晚上行人容易摔倒")
    form.locator("#id_area").select_option(str(w.west_grid.pk))
    suggestion = operator.get_by_test_id("category-suggestion")
    expect(suggestion).to_contain_text(w.roads.name)
    expect(suggestion).to_contain_text(w.housing.name)  # the routing the category implies
    screenshot(operator, "intake-suggestion")
    suggestion.locator("li").first.get_by_role("button", name=re.compile(r"^(采用|Use)$")).click()
    expect(form.locator("#id_category option:checked")).to_contain_text(w.roads.name)
    form.get_by_role("button", name=re.compile(r"^(登记|Register)$")).click()
    operator.wait_for_url(re.compile(r"/console/intake/\?done=\d+"))
    number = operator.get_by_test_id("tracking-number").inner_text().strip()
    assert Case.objects.get(tracking_number=number).category == w.roads


def test_the_dispatcher_turns_a_rising_topic_into_a_supervised_case(site, clock):
    w = site.world
    now = clock.set("2026-11-25 09:00")
    alert = heating_alert(w, now)
    dispatcher = site.login(w.dispatcher)
    dispatcher.goto("/console/analysis/")
    item = dispatcher.locator(f'[data-alert="{alert.pk}"]')
    expect(item).to_contain_text("近1天16件")
    screenshot(dispatcher, "analysis-page")
    item.get_by_role("button", name=re.compile(r"^(转为督办工单|Turn into a supervised case)$")).click()
    dispatcher.wait_for_url(re.compile(r"/console/cases/\d+/$"))
    case = Case.objects.get(pk=case_id_from(dispatcher.url))
    assert case.channel == "analysis" and case.lead_unit == w.heating and case.supervision_level > 0
    alert.refresh_from_db()
    assert alert.case == case
    dispatcher.goto("/console/analysis/")
    expect(dispatcher.locator(f'[data-alert="{alert.pk}"]')).to_have_count(0)  # handled, listed below
    expect(dispatcher.locator("#alerts")).to_contain_text(case.tracking_number)
