"""The citizen portal on a phone (375 px): raise a demand with a photo, follow it from another device
with the tracking number and query code, and rate the reply once the unit has answered."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create
from tests import images
from tests.browser.pages import do_operation, horizontal_overflow, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
TITLE = "幸福小区3号楼暖气不热"
REPLY = "已联系热力站检修管道，3号楼室温已恢复到20度。"


def png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def choose_place(select, value: int) -> None:
    """Pick an option once htmx has filled the (narrowed) select."""
    expect(select.locator(f'option[value="{value}"]')).to_be_attached()
    select.select_option(str(value))


def test_citizen_raises_follows_and_rates_on_a_phone(site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = site.world
    overflow = {}

    def check_width(page, name: str) -> None:
        screenshot(page, name)
        found = horizontal_overflow(page, PHONE["width"])
        if found:
            overflow[name] = found

    # 我要反映: the citizen raises a demand from the home page.
    citizen = site.page(**PHONE)
    citizen.goto(reverse("portal:home"))
    check_width(citizen, "portal-home")
    citizen.locator(f'main a[href="{reverse("portal:submit")}"]').click()
    citizen.wait_for_url(re.compile(re.escape(reverse("portal:submit")) + "$"))
    form = citizen.locator("form.portal-form")
    form.locator("#id_demand_type").select_option("complaint")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_description").fill("幸福小区3号楼暖气只有十四度，家里有老人，请尽快处理。")
    choose_place(form.locator("#id_street"), w.east.pk)
    choose_place(form.locator("#id_community"), w.east_community.pk)
    choose_place(form.locator("#id_grid"), w.east_grid.pk)
    form.locator("#id_address").fill("幸福小区3号楼")
    photo = {"name": "暖气.png", "mimeType": "image/png", "buffer": png()}
    form.locator("#id_photos").set_input_files([photo])
    form.locator("#id_requester_name").fill("张三")
    form.locator("#id_requester_phone").fill("13812341234")
    check_width(citizen, "portal-submit")
    form.locator("button[type=submit]").click()
    citizen.wait_for_url(re.compile(re.escape(reverse("portal:submitted")) + "$"))
    number = citizen.get_by_test_id("tracking-number").inner_text().strip()
    code = citizen.get_by_test_id("query-code").inner_text().strip()
    check_width(citizen, "portal-submitted")
    case = Case.objects.get(tracking_number=number)
    assert code == case.query_code
    assert case.title == TITLE and case.channel == "web" and case.area == w.east_grid
    assert case.requester_phone == "13812341234" and case.status == "received"
    assert case.attachments.count() == 1

    # Another device knows nothing until it proves the pair on the follow page.
    phone2 = site.page(**PHONE)
    refused = phone2.goto(reverse("portal:case", args=[number]))
    assert refused.status == 404
    assert TITLE not in phone2.locator("main").inner_text()
    phone2.goto(reverse("portal:follow"))
    follow = phone2.locator("form.main")
    follow.locator("#id_tracking_number").fill(number)
    follow.locator("#id_query_code").fill(code)
    check_width(phone2, "portal-follow")
    follow.locator("button[type=submit]").click()
    phone2.wait_for_url(re.compile(re.escape(reverse("portal:case", args=[number])) + "$"))
    expect(phone2.get_by_test_id("case-status").locator(".badge.received")).to_be_visible()
    expect(phone2.locator("h1")).to_have_text(TITLE)
    expect(phone2.get_by_test_id("rate-form")).to_have_count(0)

    # The centre and the unit handle it (through the services).
    case_apply(case_id=case.pk, operation="classify", actor=w.dispatcher, category="010101")
    case_apply(case_id=case.pk, operation="accept", actor=w.dispatcher)
    case_apply(case_id=case.pk, operation="assign", actor=w.dispatcher)
    case_apply(case_id=case.pk, operation="sign_for", actor=w.heating_handler)
    case_apply(case_id=case.pk, operation="reply", actor=w.heating_handler, note=REPLY)

    # The citizen sees the reply and rates it.
    phone2.reload()
    expect(phone2.get_by_test_id("case-status").locator(".badge.replied")).to_be_visible()
    expect(phone2.locator("section.reply")).to_contain_text(REPLY)
    rate = phone2.get_by_test_id("rate-form")
    expect(rate).to_be_visible()
    check_width(phone2, "portal-case")
    rate.locator('input[name=stars][value="5"]').check()
    rate.locator("button[type=submit]").click()
    phone2.wait_for_url(re.compile(re.escape(reverse("portal:case", args=[number])) + "$"))
    expect(phone2.locator(".messages li.success")).to_be_visible()
    expect(phone2.get_by_test_id("rating")).to_contain_text("5")
    expect(phone2.get_by_test_id("rate-form")).to_have_count(0)
    check_width(phone2, "portal-case-rated")
    case.refresh_from_db()
    assert case.citizen_rating == 5

    # The first device may follow its own demand straight from the receipt.
    citizen.goto(reverse("portal:case", args=[number]))
    expect(citizen.get_by_test_id("case-status").locator(".badge.replied")).to_be_visible()

    citizen.goto(reverse("portal:stats"))
    expect(citizen.get_by_test_id("received")).to_have_text("1")
    expect(citizen.locator(".chart canvas, .chart svg").first).to_be_attached()
    check_width(citizen, "portal-stats")

    assert not overflow, f"portal pages scroll sideways at 375 px: {overflow}"


def test_a_number_typed_as_on_a_phone_opens_the_reply_with_the_units_name_and_photo(site, settings, tmp_path):
    """A phone's numeric keypad has no hyphen, and a Chinese input method types full-width digits:
    "２０２６１１ ０００００１" finds the case. The unit replies in the console with a photo for the
    requester; on a 375 px phone the citizen sees the unit's name and the photo with the reply."""
    settings.MEDIA_ROOT = tmp_path / "media"
    w = site.world
    case = case_create(
        actor=w.operator,
        channel="hotline",
        demand_type="complaint",
        title=TITLE,
        description="幸福小区3号楼暖气只有十四度，家里有老人，请尽快处理。",
        requester_name="张三",
        requester_phone="13812341234",
        category="010101",
    )
    for operation, actor in (
        ("accept", w.dispatcher),
        ("assign", w.dispatcher),
        ("sign_for", w.heating_handler),
    ):
        case_apply(case_id=case.pk, operation=operation, actor=actor)

    # 热力公司 replies from its console, with a photo of the work for the requester.
    unit = site.login(w.heating_handler)
    unit.goto(f"/console/cases/{case.pk}/")
    site_photo = {"name": "3号楼阀门.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg((640, 480))}
    do_operation(
        unit,
        "reply",
        note=REPLY,
        fill=lambda form: form.locator('input[name="photos_for_requester"]').set_input_files([site_photo]),
    )
    assert case.attachments.get().for_requester

    # The citizen types the number as the phone gives it.
    phone = site.page(**PHONE)
    phone.goto(reverse("portal:follow"))
    field = phone.locator("#id_tracking_number")
    assert field.get_attribute("inputmode") == "numeric"
    expect(phone.locator("form.main")).to_contain_text("可以不输")  # the hyphen is optional
    period, sequence = case.tracking_number.split("-")
    typed = f"{period} {sequence}".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    field.fill(typed)
    phone.locator("#id_query_code").fill(case.query_code.lower())
    phone.locator("form.main button[type=submit]").click()
    phone.wait_for_url(re.compile(re.escape(reverse("portal:case", args=[case.tracking_number])) + "$"))

    reply = phone.locator("section.reply")
    expect(reply).to_contain_text(REPLY)
    expect(reply.get_by_test_id("reply-unit")).to_contain_text(w.heating.name)
    image = reply.get_by_test_id("reply-photos").locator("img")
    expect(image).to_have_count(1)
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    phone.wait_for_function("img => img.complete && img.naturalWidth === 640", arg=image.element_handle())
    box = image.bounding_box()
    assert box and 100 < box["width"] <= PHONE["width"] - 32
    assert w.heating_handler.full_name not in phone.locator("main").inner_text()
    screenshot(phone, "portal-reply-photo")
    assert not horizontal_overflow(phone, PHONE["width"])
