"""What the dispatcher, the callback agent and the unit see of the case page's hand-on and closing
forms (issue 17): a portal citizen who gave a phone number can be called by the unit; co-units only as
ticked, in view; 改派 starts from the routing proposal; no callback result ticked in advance, and after
不满意 the choice between 重办 and 归档 is left open."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from minyi.access.models import PersonalDataAccess
from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create
from tests.browser.pages import do_operation, expect_status, open_operation, screenshot

pytestmark = pytest.mark.browser

TITLE = "幸福小区3号楼暖气不热"
DESCRIPTION = "幸福小区3号楼暖气只有十四度，家里有老人，请尽快处理。"


def heating_case(world, **params) -> Case:
    case = case_create(
        actor=world.operator,
        channel="hotline",
        demand_type="complaint",
        title=TITLE,
        description=DESCRIPTION,
        requester_name="张三",
        requester_phone="13812341234",
        area=world.east_grid.pk,
        category="010101",
    )
    return case_apply(case_id=case.pk, operation="accept", actor=world.dispatcher, **params)


def test_a_portal_citizen_who_gave_a_phone_is_called_by_the_unit(site):
    w = site.world

    # 我要反映: the citizen gives a phone number under "the unit may call you".
    citizen = site.page()
    citizen.goto(reverse("portal:submit"))
    form = citizen.locator("form.portal-form")
    expect(form).to_contain_text("承办单位可能致电向您了解情况")
    form.locator("#id_demand_type").select_option("complaint")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_description").fill(DESCRIPTION)
    form.locator("#id_requester_name").fill("张三")
    form.locator("#id_requester_phone").fill("13812341234")
    form.locator("button[type=submit]").click()
    citizen.wait_for_url(re.compile(re.escape(reverse("portal:submitted")) + "$"))
    number = citizen.get_by_test_id("tracking-number").inner_text().strip()
    case = Case.objects.get(tracking_number=number)

    # The dispatcher accepts it: the box 需联系诉求人 is there, ticked by the citizen's consent.
    dispatcher = site.login(w.dispatcher)
    dispatcher.goto(f"/console/cases/{case.pk}/")
    accept = open_operation(dispatcher, "accept")
    box = accept.get_by_label("需联系诉求人")
    expect(box).to_be_visible()
    expect(box).to_be_checked()
    do_operation(
        dispatcher, "accept", fill=lambda f: f.locator("select[name=category]").select_option("010101")
    )

    # Assigning: the box again, ticked; no co-unit ticked, the catalogue's one shown as a proposal.
    assign = open_operation(dispatcher, "assign")
    expect(assign.get_by_label("需联系诉求人")).to_be_checked()
    expect(assign.locator("select[multiple]")).to_have_count(0)
    co_units = assign.get_by_test_id("co-units")
    expect(co_units.locator("input[type=checkbox]:checked")).to_have_count(0)
    proposed = co_units.locator("label.check", has_text="区住建局")
    expect(proposed).to_be_visible()
    expect(proposed).to_contain_text("派单目录建议")
    expect(proposed.locator("input")).not_to_be_checked()
    screenshot(dispatcher, "case-page-assign-contact")
    do_operation(dispatcher, "assign")
    case.refresh_from_db()
    assert case.status == "assigned" and case.lead_unit == w.heating
    assert case.needs_contact and list(case.co_units.all()) == []

    # The unit sees the number masked and may reveal it to call; the look is recorded.
    handler = site.login(w.heating_handler)
    handler.goto(f"/console/cases/{case.pk}/")
    expect(handler.get_by_test_id("needs-contact")).to_be_visible()
    expect(handler.get_by_test_id("requester-phone")).to_have_text("138****1234")
    handler.get_by_role("button", name="查看完整信息（留痕）").click()
    expect(handler.get_by_test_id("requester-phone")).to_have_text("13812341234")
    screenshot(handler, "case-page-unit-reveal")
    assert PersonalDataAccess.objects.filter(user=w.heating_handler, case=case).count() == 1


def test_a_ticked_co_unit_is_added_and_nothing_else(site):
    w = site.world
    case = heating_case(w)
    dispatcher = site.login(w.dispatcher)
    dispatcher.goto(f"/console/cases/{case.pk}/")
    do_operation(
        dispatcher,
        "assign",
        fill=lambda f: f.get_by_test_id("co-units").get_by_label("区住建局").check(),
    )
    case.refresh_from_db()
    assert list(case.co_units.all()) == [w.housing]


def test_reassign_starts_from_the_routing_proposal(site):
    w = site.world
    case = heating_case(w)
    case_apply(case_id=case.pk, operation="assign", actor=w.dispatcher, lead_unit=w.insurance.pk, co_units=[])
    case_apply(
        case_id=case.pk, operation="return", actor=w.insurance_handler, note="供热问题，请改派热力公司。"
    )

    dispatcher = site.login(w.dispatcher)
    dispatcher.goto(f"/console/cases/{case.pk}/")
    reassign = open_operation(dispatcher, "reassign")
    expect(reassign.locator("select[name=lead_unit]")).to_have_value(str(w.heating.pk))
    expect(reassign.locator("select[name=lead_unit] option:checked")).to_have_text("热力公司")
    expect(reassign.get_by_test_id("co-units").locator("input:checked")).to_have_count(0)
    do_operation(dispatcher, "reassign")
    case.refresh_from_db()
    assert case.status == "assigned" and case.lead_unit == w.heating
    assert list(case.co_units.all()) == []


def test_the_callback_result_is_chosen_and_after_dissatisfied_the_choice_is_left_open(site):
    w = site.world
    case = heating_case(w)
    for op, actor, params in (
        ("assign", w.dispatcher, {}),
        ("sign_for", w.heating_handler, {}),
        ("reply", w.heating_handler, {"note": "已联系热力站检修管道，3号楼室温已恢复到20度。"}),
    ):
        case = case_apply(case_id=case.pk, operation=op, actor=actor, **params)

    agent = site.login(w.callback_agent)
    agent.goto(f"/console/cases/{case.pk}/")
    callback = open_operation(agent, "callback")
    results = callback.locator("input[name=satisfaction]")
    expect(results).to_have_count(4)
    expect(callback.locator("input[name=satisfaction]:checked")).to_have_count(0)
    screenshot(agent, "case-page-callback")

    # Sent without a result: the browser asks for one, nothing is posted.
    callback.locator("button[type=submit]").click()
    assert results.first.evaluate("r => r.validationMessage") != ""
    expect_status(agent, "replied")
    case.refresh_from_db()
    assert case.status == "replied" and case.satisfaction == ""

    do_operation(
        agent,
        "callback",
        note="群众表示暖气仍然不热。",
        fill=lambda f: f.locator("input[name=satisfaction][value=dissatisfied]").check(),
    )
    expect_status(agent, "called_back")
    expect(agent.get_by_test_id("must-choose")).to_be_visible()
    archive, reopen = agent.locator("details#op-archive"), agent.locator("details#op-reopen")
    expect(archive).to_be_visible()
    expect(reopen).to_be_visible()
    assert not archive.evaluate("d => d.open") and not reopen.evaluate("d => d.open")
    screenshot(agent, "case-page-after-dissatisfied")

    # 归档 needs the reason; 重办 with one sends the case back to the unit.
    archive_form = open_operation(agent, "archive")
    expect(archive_form.locator("textarea[name=note]")).to_have_attribute("required", "")
    archive_form.locator("button[type=submit]").click()
    expect_status(agent, "called_back")
    do_operation(agent, "reopen", note="群众表示暖气仍然不热，请再次检修。")
    case.refresh_from_db()
    assert case.status == "handling" and case.rework_count == 1
