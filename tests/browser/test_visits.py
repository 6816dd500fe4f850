"""民情走访 in a real browser on a phone: a visit secretary starts at their campaign, records a visit
with a problem and a photo, sees the case it became, follows it to the case page, and the case page
links back to the visit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from minyi.cases.models import Case
from minyi.catalog.choices import Channel
from minyi.org.roles import Role
from minyi.visits.models import Visit
from tests import images
from tests.browser.pages import case_id_from, horizontal_overflow, screenshot
from tests.visits.helpers import build_campaign
from tests.world import person

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
PROBLEM = "楼道灯坏了一个月，晚上老人上下楼看不见。"


def test_a_secretary_records_a_visit_on_a_phone_and_follows_its_case(site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = site.world
    setup = build_campaign(w, person("visit-west", "韩书记", None, Role.VISIT_SECRETARY, area=w.west))

    # The console's home for a visit secretary is their campaign, its visit form one tap away.
    page = site.login(w.visit_secretary, **PHONE)
    expect(page).to_have_url(re.compile(r"/console/visits/$"))
    expect(page.locator(f'#campaigns tr[data-campaign="{setup.campaign.pk}"]')).to_be_attached()
    record = page.get_by_test_id(f"record-now-{setup.campaign.pk}")
    expect(record).to_be_in_viewport()
    home_overflow = horizontal_overflow(page, PHONE["width"])
    screenshot(page, "visit-home-375")
    record.click()
    page.wait_for_url(re.compile(rf"/console/visits/{setup.campaign.pk}/record/$"))

    form = page.locator("#visit-form")
    expect(form.locator("#id_visited_on")).to_have_value("2026-11-25")  # today, on the server's clock
    form.locator("#id_area").select_option(str(w.east_grid.pk))
    form.locator("#id_address").fill("幸福小区3号楼2单元501")
    form.locator("#id_people_met").fill("户主张大爷及老伴")
    form.locator("#id_phone").fill("13900001111")
    taken = images.jpeg((640, 480), gps=True)  # as a phone's camera writes it: with its GPS position
    form.locator("#id_photos").set_input_files(
        files=[{"name": "IMG_20261125.jpg", "mimeType": "image/jpeg", "buffer": taken}]
    )
    form.locator('textarea[name="problem_text"]').fill(PROBLEM)
    form.locator('select[name="problem_type"]').select_option("complaint")
    page.get_by_test_id("add-problem").click()  # htmx appends an empty row; left empty, it is ignored
    expect(form.locator("fieldset[data-problem]")).to_have_count(2)
    form_overflow = horizontal_overflow(page, PHONE["width"])
    screenshot(page, "visit-form-375")
    page.get_by_test_id("save-visit").click()

    page.wait_for_url(re.compile(r"/console/visits/visit/\d+/$"))
    visit = Visit.objects.get()
    case = Case.objects.get()
    assert visit.problems.get().case == case and case.channel == Channel.VISIT
    assert case.created_by == w.visit_secretary and case.area == w.east_grid
    assert case.demand_type == "complaint" and case.requester_phone == "13900001111"
    expect(page.locator(".messages li.success")).to_be_visible()
    photo = page.get_by_test_id("visit-photos").locator("img")
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth === 640", arg=photo.element_handle())
    assert visit.photos.get().name == "photo-1.jpg"
    link = page.get_by_test_id("case-link")
    expect(link).to_have_text(case.tracking_number)
    visit_overflow = horizontal_overflow(page, PHONE["width"])
    screenshot(page, "visit-page-375")

    link.click()
    page.wait_for_url(re.compile(r"/console/cases/\d+/"))
    assert case_id_from(page.url) == case.pk
    expect(page.locator("h1")).to_contain_text("楼道灯坏了")
    back = page.locator(f'#related a[href="/console/visits/visit/{visit.pk}/"]')
    expect(back).to_be_visible()
    back.click()
    page.wait_for_url(re.compile(rf"/console/visits/visit/{visit.pk}/$"))
    expect(page.get_by_test_id("case-link")).to_have_text(case.tracking_number)

    # A second visit to the same door: the earlier visit shows up once the grid is chosen too, also
    # when the address was typed first (the look-up runs again when the grid changes).
    page.goto(f"/console/visits/{setup.campaign.pk}/record/")
    form = page.locator("#visit-form")
    expect(form.locator("#id_visited_on")).to_have_attribute("max", "2026-11-25")
    form.locator("#id_area").select_option(str(w.east_grid2.pk))
    form.locator("#id_address").fill("幸福小区3号楼2单元501")
    form.locator("#id_address").dispatch_event("change")
    expect(page.get_by_test_id("earlier-visits")).to_have_count(0)
    form.locator("#id_area").select_option(str(w.east_grid.pk))
    expect(page.get_by_test_id("earlier-visits")).to_contain_text(case.tracking_number)

    assert not home_overflow, f"the visit home scrolls sideways at 375 px: {home_overflow}"
    assert not form_overflow, f"the visit form scrolls sideways at 375 px: {form_overflow}"
    assert not visit_overflow, f"the visit page scrolls sideways at 375 px: {visit_overflow}"
