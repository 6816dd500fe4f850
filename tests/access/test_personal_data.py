"""Masking of the requester's personal data, and the audit of every reveal."""

from __future__ import annotations

import pytest

from minyi.access.models import PersonalDataAccess
from minyi.access.personal_data import (
    mask_id_number,
    mask_name,
    mask_numbers,
    mask_phone,
    may_reveal,
    requester_masked,
    requester_reveal,
)
from minyi.core.errors import NotFound, NotPermitted
from tests.cases.helpers import do, new_case


@pytest.mark.parametrize(("raw", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李*"), ("", "")])
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"), [("13812341234", "138****1234"), ("0571-8888", "05*****88"), ("110", "***")]
)
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


def test_mask_id_number():
    assert mask_id_number("110101199001011234") == "110101********1234"


def assigned(world, **fields):
    case = new_case(world.operator, category="010101", requester_id_number="110101199001011234", **fields)
    do(case, "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher)


def test_units_see_masked_data_and_cannot_reveal_without_contact_need(world, clock):
    case = assigned(world)
    view = requester_masked(case)
    assert (view.name, view.phone, view.id_number) == ("张*", "138****1234", "110101********1234")
    assert not may_reveal(world.heating_handler, case)
    with pytest.raises(NotPermitted):
        requester_reveal(world.heating_handler, case, purpose="想看看")
    assert not PersonalDataAccess.objects.exists()


def test_a_unit_may_reveal_when_the_case_needs_contact_and_it_is_audited(world, clock):
    case = assigned(world, needs_contact=True)
    shown = requester_reveal(world.heating_handler, case, purpose="上门维修需联系")
    assert (shown.name, shown.phone, shown.masked) == ("张三", "13812341234", False)
    audit = PersonalDataAccess.objects.get()
    assert (audit.user, audit.case, audit.purpose) == (world.heating_handler, case, "上门维修需联系")


def test_the_reporter_of_wrongdoing_is_never_shown_to_units(world, clock):
    case = assigned(world, demand_type="report", needs_contact=True)
    assert case.is_confidential
    assert not may_reveal(world.heating_handler, case)
    assert not may_reveal(world.housing_handler, case)
    with pytest.raises(NotPermitted):
        requester_reveal(world.heating_head, case)
    # the centre may, audited
    assert requester_reveal(world.dispatcher, case, purpose="核实举报").phone == "13812341234"
    assert PersonalDataAccess.objects.filter(user=world.dispatcher).count() == 1


def test_every_reveal_is_one_audit_row(world, clock):
    case = assigned(world)
    for _ in range(3):
        requester_reveal(world.callback_agent, case, purpose="回访")
    assert PersonalDataAccess.objects.filter(case=case, user=world.callback_agent).count() == 3


def test_outsiders_get_not_found_not_a_masked_view(world, clock):
    case = assigned(world, needs_contact=True)
    with pytest.raises(NotFound):
        requester_reveal(world.insurance_handler, case)
    assert not PersonalDataAccess.objects.exists()


def test_anonymous_requesters_keep_no_name(world, clock):
    case = new_case(world.operator, is_anonymous=True, requester_name="王五")
    assert case.requester_name == ""
    assert requester_masked(case).anonymous


def test_a_case_reclassified_as_a_report_becomes_confidential(world, clock):
    case = new_case(world.operator, category="010101", needs_contact=True)
    case = do(case, "accept", world.dispatcher, demand_type="report")
    case = do(case, "assign", world.dispatcher)
    assert case.is_confidential
    assert not may_reveal(world.heating_handler, case)


def test_only_the_handling_units_may_reveal_when_contact_is_needed(world, clock):
    case = assigned(world, needs_contact=True, area=world.east_grid)
    for outsider in (world.street_head, world.grid_worker, world.visit_secretary):
        assert not may_reveal(outsider, case)  # they see the case (their area) but do not handle it
    assert may_reveal(world.housing_handler, case)  # co-unit
    assert may_reveal(world.heating_head, case)


def test_units_see_nothing_of_a_confidential_requester(world, clock):
    from minyi.access.personal_data import requester_for

    case = assigned(world, demand_type="report")
    hidden = requester_for(world.heating_handler, case)
    assert (hidden.name, hidden.phone, hidden.id_number) == ("", "", "")
    assert requester_for(world.dispatcher, case).phone == "138****1234"


@pytest.mark.parametrize(
    "written",
    [
        "138\u200b1234\u200b5678",  # zero-width spaces
        "138\u20601234\ufeff5678",  # word joiner, BOM
        "138\u00ad1234\u00ad5678",  # soft hyphens
        "138\u20091234\u202f5678",  # thin spaces
        "138~1234~5678",
        "138*1234*5678",
        "138+1234+5678",
        "138#1234|5678",
        "138,1234,5678",
        "138：1234：5678",
        "138→1234→5678",
        "138…1234…5678",
        "138 - 1234 - 5678",
        "١٣٨١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",  # mathematical bold
        "①③⑧①②③④⑤⑥⑦⑧",  # circled
        "幺三八一二三四五六七八",  # Chinese numerals as read out
    ],
)
def test_a_number_in_free_text_is_blanked_however_it_is_written(written):
    assert mask_numbers(f"路灯坏了请打{written}谢谢") == "路灯坏了请打***谢谢"


@pytest.mark.parametrize(
    "kept",
    [
        "2026-11-25 08:30起停水",
        "营业时间8:30-12:00",
        "3号楼2单元1101室",
        "12号楼3单元1101室",
        "共1,234,567元",
        "第一网格",
    ],
)
def test_dates_times_amounts_and_door_numbers_are_no_phone_numbers(kept):
    assert mask_numbers(kept) == kept


@pytest.mark.parametrize("written", ["壹叁捌壹贰叁肆伍陆柒捌", "138a1234b5678", "138x1234x5678"])
def test_numerals_of_cheques_and_letters_between_digits_are_no_way_around(written):
    assert mask_numbers(f"请打{written}") == "请打***"


@pytest.mark.parametrize("kept", ["金额12345678.90元", "见工单202612-000071", "车牌豫A12345", "H5页面"])
def test_amounts_tracking_numbers_and_plates_stay(kept):
    assert mask_numbers(kept) == kept
