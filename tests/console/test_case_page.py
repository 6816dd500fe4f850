"""The case page: fields, timeline, the operations the user may perform, masking and reveal,
attachments through the access module, and refusals shown next to the form."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.access.models import PersonalDataAccess
from minyi.cases.models import Case
from minyi.cases.workflow import Status
from tests import images
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for, text_of


def accepted(world, **fields):
    return do(new_case(world.operator, category="010101", **fields), "accept", world.operator)


def test_the_page_shows_the_case_its_timeline_and_the_users_operations(world, clock):
    case = accepted(world)
    response = client_for(world.dispatcher).get(f"/console/cases/{case.pk}/")
    text = text_of(response)
    assert case.tracking_number in text and "幸福小区3号楼暖气温度只有十四度" in text
    assert [e.operation for e in response.context["events"]] == ["create", "accept"]
    ops = [op.name for op, _form in response.context["ops"]]
    assert "assign" in ops and "reject" in ops and "sign_for" not in ops
    # The assign form carries the routing catalogue's proposal and the deadline by the rules; its
    # co-units are a proposal to tick, not ticked.
    assign_form = next(f for op, f in response.context["ops"] if op.name == "assign")
    assert assign_form.initial["lead_unit"] == world.heating.pk
    assert assign_form.initial["co_units"] == []
    assert assign_form.fields["co_units"].widget.proposed == {world.housing.pk}
    assert response.context["proposal"]["limits"].handle_limit == 5


def test_assigning_with_an_overridden_unit_and_limit(world, clock):
    case = accepted(world)
    response = client_for(world.dispatcher).post(
        f"/console/cases/{case.pk}/do/assign/",
        {"expected_version": case.version, "lead_unit": world.housing.pk, "handle_days": 2},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.lead_unit == world.housing
    assert case.handle_limit == 2


def test_a_missing_note_is_shown_next_to_the_form_and_changes_nothing(world, clock):
    case = accepted(world)
    response = client_for(world.dispatcher).post(f"/console/cases/{case.pk}/do/reject/", {"note": ""})
    assert response.status_code == 400
    assert response.context["open_op"] == "reject"
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_a_stale_form_is_a_conflict_shown_on_the_page(world, clock):
    case = accepted(world)
    stale = case.version
    do(case, "classify", world.dispatcher, urgency="urgent")
    response = client_for(world.dispatcher).post(
        f"/console/cases/{case.pk}/do/reject/", {"note": "重复", "expected_version": stale - 1}
    )
    assert response.status_code == 400
    assert "已被他人修改" in text_of(response)
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_an_operation_outside_the_users_rights_is_refused(world, clock):
    case = do(accepted(world), "assign", world.dispatcher)
    response = client_for(world.housing_handler).post(f"/console/cases/{case.pk}/do/sign_for/", {})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED


def test_another_units_case_is_not_found_and_shows_nothing_of_it(world, clock):
    case = do(new_case(world.operator, category="0201", title="医保报销进度查询"), "accept", world.operator)
    case = do(case, "assign", world.dispatcher)
    client = client_for(world.heating_handler)
    for response in (
        client.get(f"/console/cases/{case.pk}/"),
        client.post(f"/console/cases/{case.pk}/do/sign_for/", {}),
        client.post(f"/console/cases/{case.pk}/reveal/"),
    ):
        assert response.status_code == 404
        assert "医保报销进度查询" not in text_of(response)
    assert client_for(world.heating_handler).get("/console/cases/999999/").status_code == 404


def test_units_see_the_requester_masked_and_the_centre_may_reveal_with_an_audit(world, clock):
    case = do(accepted(world), "assign", world.dispatcher)
    unit_page = client_for(world.heating_handler).get(f"/console/cases/{case.pk}/")
    assert "138****1234" in text_of(unit_page) and "13812341234" not in unit_page.content.decode()
    assert not unit_page.context["may_reveal"]
    refused = client_for(world.heating_handler).post(f"/console/cases/{case.pk}/reveal/")
    assert refused.status_code == 403 and PersonalDataAccess.objects.count() == 0
    revealed = client_for(world.dispatcher).post(f"/console/cases/{case.pk}/reveal/", HTTP_HX_REQUEST="true")
    assert "13812341234" in revealed.content.decode() and "张三" in revealed.content.decode()
    audit = PersonalDataAccess.objects.get()
    assert audit.user == world.dispatcher and audit.case == case


def test_a_reply_with_an_attachment_is_served_only_within_scope(world, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = do(do(accepted(world), "assign", world.dispatcher), "sign_for", world.heating_handler)
    photo = SimpleUploadedFile("现场照片.png", images.png(), content_type="image/png")
    response = client_for(world.heating_handler).post(
        f"/console/cases/{case.pk}/do/reply/",
        {"expected_version": case.version, "note": "已派人检修，温度恢复到20度。", "attachments": [photo]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REPLIED
    attachment = case.attachments.get()
    assert attachment.event.operation == "reply"
    got = client_for(world.dispatcher).get(f"/console/attachments/{attachment.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"\x89PNG")
    outsider = client_for(world.insurance_handler)
    assert outsider.get(f"/console/attachments/{attachment.pk}/").status_code == 404


def test_callback_dissatisfied_then_reopen_sends_the_case_back_to_the_unit(world, clock):
    case = do(do(accepted(world), "assign", world.dispatcher), "sign_for", world.heating_handler)
    case = do(case, "reply", world.heating_handler, note="已处理")
    client = client_for(world.callback_agent)
    client.post(f"/console/cases/{case.pk}/do/callback/", {"satisfaction": "dissatisfied", "resolved": "no"})
    page = client.get(f"/console/cases/{case.pk}/")
    assert "reopen" in [op.name for op, _f in page.context["ops"]]
    client.post(f"/console/cases/{case.pk}/do/reopen/", {"note": "暖气仍然不热"})
    case.refresh_from_db()
    assert case.status == Status.HANDLING and case.rework_count == 1


def test_jump_to_a_case_by_tracking_number(world, clock):
    case = accepted(world)
    response = client_for(world.dispatcher).get("/console/cases/find/", {"number": case.tracking_number})
    assert response.status_code == 302 and response["Location"] == f"/console/cases/{case.pk}/"
    missing = client_for(world.dispatcher).get("/console/cases/find/", {"number": "209901-000001"})
    assert missing.status_code == 404


def test_nothing_ties_a_confidential_report_to_its_reporter_outside_the_centre(world, clock):
    report = new_case(world.operator, demand_type="report", category="010101", title="举报热力公司收费")
    report = do(do(report, "accept", world.operator), "assign", world.dispatcher)
    ordinary = new_case(world.operator, category="010101", needs_contact=True)
    ordinary = do(do(ordinary, "accept", world.operator), "assign", world.dispatcher)
    unit = client_for(world.heating_handler)
    assert unit.get(f"/console/cases/{report.pk}/").context["linked"] == []
    assert unit.get(f"/console/cases/{ordinary.pk}/").context["linked"] == []
    # The centre sees both sides.
    assert client_for(world.dispatcher).get(f"/console/cases/{ordinary.pk}/").context["linked"] == [report]


def test_the_back_link_stays_on_this_site(world, clock):
    case = accepted(world)
    page = client_for(world.dispatcher).get(f"/console/cases/{case.pk}/?next=https://evil.example/login")
    assert page.context["back"] == "" and 'href="https://evil.example' not in page.content.decode()
    assert 'name="next" value="https://evil' not in page.content.decode()


def test_attachments_of_other_types_are_downloaded_not_rendered(world, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = do(do(accepted(world), "assign", world.dispatcher), "sign_for", world.heating_handler)
    fake = SimpleUploadedFile(
        "x.xml", b"<html xmlns='http://www.w3.org/1999/xhtml'/>", content_type="image/x+xml"
    )
    do(case, "reply", world.heating_handler, note="见附件", attachments=[fake])
    got = client_for(world.dispatcher).get(f"/console/attachments/{case.attachments.get().pk}/")
    assert got["Content-Type"] == "application/octet-stream"
    assert got["Content-Disposition"].startswith("attachment")


def test_the_citizens_and_the_systems_operations_are_not_offered_to_staff(world, clock):
    case = do(new_case(world.operator, category="0102"), "answer", world.operator, note="已告知。")
    page = client_for(world.dispatcher).get(f"/console/cases/{case.pk}/")
    assert not {"rate", "master_replied"} & {op.name for op, _form in page.context["ops"]}
    refused = client_for(world.dispatcher).post(f"/console/cases/{case.pk}/do/rate/", {"note": ""})
    assert refused.status_code == 400 and Case.objects.get(pk=case.pk).citizen_rating is None
    assert client_for(world.dispatcher).post(f"/console/cases/{case.pk}/do/create/").status_code == 404


def test_jump_to_a_case_by_its_number_typed_without_hyphen_or_in_full_width(world, clock):
    case = accepted(world)
    period, sequence = case.tracking_number.split("-")
    wide = str.maketrans("0123456789-", "０１２３４５６７８９－")
    client = client_for(world.dispatcher)

    for typed in (period + sequence, f"{period} {sequence}", case.tracking_number.translate(wide)):
        response = client.get("/console/cases/find/", {"number": typed})
        assert response.status_code == 302 and response["Location"] == f"/console/cases/{case.pk}/", typed


def test_a_repeat_is_merged_into_a_master_typed_without_hyphen(world, clock):
    master = accepted(world)
    repeat = accepted(world)
    period, sequence = master.tracking_number.split("-")

    response = client_for(world.dispatcher).post(
        f"/console/cases/{repeat.pk}/do/merge/",
        {"master": f"{period} {sequence}".translate(str.maketrans("0123456789", "０１２３４５６７８９"))},
    )

    assert response.status_code == 302
    repeat.refresh_from_db()
    assert (repeat.status, repeat.master_id) == ("merged", master.pk)


def test_the_unit_replies_with_photos_for_the_requester_and_its_own_files(world, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = do(do(accepted(world), "assign", world.dispatcher), "sign_for", world.heating_handler)
    unit = client_for(world.heating_handler)
    form = (
        unit.get(f"/console/cases/{case.pk}/")
        .content.decode()
        .split('data-op="reply"')[1]
        .split("</form>")[0]
    )
    assert 'name="photos_for_requester"' in form and 'name="attachments"' in form

    response = unit.post(
        f"/console/cases/{case.pk}/do/reply/",
        {
            "note": "已更换阀门，室温恢复。",
            "photos_for_requester": [SimpleUploadedFile("阀门.jpg", images.jpeg(), "image/jpeg")],
            "attachments": [SimpleUploadedFile("工单.pdf", b"%PDF-1.4", "application/pdf")],
        },
    )

    assert response.status_code == 302
    shown, internal = case.attachments.order_by("-for_requester")
    assert (shown.for_requester, shown.name, internal.for_requester) == (True, "reply-photo-1.jpg", False)
    page = client_for(world.dispatcher).get(f"/console/cases/{case.pk}/").content.decode()
    assert page.count('data-testid="for-requester"') == 1


def test_a_confidential_report_offers_no_photos_for_the_requester(world, clock):
    case = accepted(world, demand_type="report", title="举报热力公司乱收费")
    case = do(do(case, "assign", world.dispatcher), "sign_for", world.heating_handler)

    page = client_for(world.heating_handler).get(f"/console/cases/{case.pk}/").content.decode()

    form = page.split('data-op="reply"')[1].split("</form>")[0]
    assert 'name="attachments"' in form and 'name="photos_for_requester"' not in form
