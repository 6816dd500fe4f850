"""The console on a phone (375 px wide): pages must not scroll sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import horizontal_overflow, screenshot
from tests.browser.test_console import assigned_case

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def test_intake_desk_and_case_page_fit_a_phone(site):
    w = site.world
    case = assigned_case(w)

    operator = site.login(w.operator, **PHONE)
    expect(operator).to_have_url(re.compile(r"/console/intake/$"))
    expect(operator.locator("#intake-form")).to_be_visible()
    screenshot(operator, "intake-desk-375")
    intake_overflow = horizontal_overflow(operator, PHONE["width"])

    operator.goto(f"/console/cases/{case.pk}/")
    expect(operator.locator("h1")).to_contain_text(case.title)
    screenshot(operator, "case-page-375")
    case_overflow = horizontal_overflow(operator, PHONE["width"])

    assert not intake_overflow, f"the intake desk scrolls sideways at 375 px: {intake_overflow}"
    assert not case_overflow, f"the case page scrolls sideways at 375 px: {case_overflow}"
