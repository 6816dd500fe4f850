"""The console on a phone (375 px wide): pages must not scroll sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from minyi.org.roles import Role
from tests.browser.pages import horizontal_overflow, screenshot
from tests.browser.test_console import assigned_case
from tests.org.helpers import build_lakeside
from tests.visits.helpers import build_campaign
from tests.world import person

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def test_intake_desk_and_case_page_fit_a_phone(site):
    w = site.world
    case = assigned_case(w)
    build_lakeside(w)  # places enough for the place picker's filter box

    operator = site.login(w.operator, **PHONE)
    expect(operator).to_have_url(re.compile(r"/console/intake/$"))
    expect(operator.locator("#intake-form")).to_be_visible()
    operator.locator("#intake-form .place-filter").fill("hp")
    expect(operator.locator("#id_area optgroup")).to_have_count(2)  # 湖畔花园社区, 湖畔社区
    screenshot(operator, "intake-desk-375")
    intake_overflow = horizontal_overflow(operator, PHONE["width"])

    operator.goto(f"/console/cases/{case.pk}/")
    expect(operator.locator("h1")).to_contain_text(case.title)
    screenshot(operator, "case-page-375")
    case_overflow = horizontal_overflow(operator, PHONE["width"])

    assert not intake_overflow, f"the intake desk scrolls sideways at 375 px: {intake_overflow}"
    assert not case_overflow, f"the case page scrolls sideways at 375 px: {case_overflow}"


def test_a_visit_secretary_on_a_phone_starts_at_the_visit_form_of_their_campaign(site):
    w = site.world
    setup = build_campaign(w, person("visit-west", "韩书记", None, Role.VISIT_SECRETARY, area=w.west))

    page = site.login(w.visit_secretary, **PHONE)

    expect(page).to_have_url(re.compile(r"/console/visits/$"))  # not the hotline's intake desk
    record = page.get_by_test_id(f"record-now-{setup.campaign.pk}")
    expect(record).to_be_in_viewport()  # on the first screen, without scrolling
    overflow = horizontal_overflow(page, PHONE["width"])
    record.click()
    page.wait_for_url(re.compile(rf"/console/visits/{setup.campaign.pk}/record/$"))
    expect(page.locator('#visit-form input[type=file][name=photos][accept="image/*"]')).to_be_visible()
    assert not overflow, f"the visit home scrolls sideways at 375 px: {overflow}"
