"""The reply on the citizen's page: the unit that gave it, and the photos it sent for the requester,
served only to the browser that proved the case; the unit's other files stay internal."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from minyi.cases.models import Attachment
from minyi.core.errors import InvalidInput
from tests import images
from tests.cases.helpers import do, new_case
from tests.portal.helpers import REPLY, case_page, photo, prove, replied_case

INTERNAL_PHOTO = "内部-张三家门口.jpg"


def handled(world, **fields):
    case = new_case(world.operator, category="0101", **fields)
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    return do(case, "sign_for", world.heating_handler)


def reply_with_photos(world, case, *shown, internal=()):
    return do(
        case,
        "reply",
        world.heating_handler,
        note=REPLY,
        attachments=list(internal),
        photos_for_requester=list(shown),
    )


def photo_urls(page: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', page)


def test_the_reply_names_the_unit_that_gave_it(client, world):
    case = replied_case(world)
    prove(client, case)

    page = case_page(client, case).content.decode()

    reply_card = page.split('id="reply-heading"')[1].split("</section>")[0]
    assert "Replied by <strong>热力公司</strong>" in reply_card
    assert world.heating_handler.full_name not in page  # the unit, never the person


def test_an_answer_on_the_spot_names_the_centre(client, world):
    case = new_case(world.operator, demand_type="inquiry")
    do(case, "answer", world.operator, note="医保报销请携带身份证到区医保局一楼窗口办理。")
    prove(client, case)

    page = case_page(client, case).content.decode()

    assert "Replied by <strong>区社会治理服务中心</strong>" in page
    assert world.operator.full_name not in page


def test_the_photos_for_the_requester_are_shown_and_nothing_else(client, world):
    internal = [photo(INTERNAL_PHOTO), SimpleUploadedFile("核查记录.pdf", b"%PDF-1.4 ...", "application/pdf")]
    case = reply_with_photos(
        world,
        handled(world),
        photo("修好了.jpg"),
        photo("after.png", images.png(), "image/png"),
        internal=internal,
    )
    prove(client, case)

    page = case_page(client, case).content.decode()

    shown = Attachment.objects.filter(for_requester=True).order_by("pk")
    urls = [reverse("portal:reply_photo", args=[case.tracking_number, a.pk]) for a in shown]
    assert photo_urls(page) == urls  # in the reply card; not again in the timeline
    assert 'alt="Photo 1 of the reply"' in page
    assert "修好了" not in page and INTERNAL_PHOTO not in page and "核查记录" not in page
    first = client.get(urls[0])
    assert first.status_code == 200 and first["Content-Type"] == "image/jpeg"
    assert b"".join(first.streaming_content).startswith(b"\xff\xd8")
    assert "no-store" in first["Cache-Control"]
    for item in Attachment.objects.filter(for_requester=False):  # the unit's internal files
        assert (
            client.get(reverse("portal:reply_photo", args=[case.tracking_number, item.pk])).status_code == 404
        )


def test_a_photo_for_the_requester_is_renamed_and_loses_its_exif(world):
    case = reply_with_photos(world, handled(world), photo("张三家.jpg", images.jpeg(gps=True)))

    shown = case.attachments.get(for_requester=True)

    assert shown.name == "reply-photo-1.jpg"
    data = shown.file.read()
    assert images.MODEL.encode() not in data and b"shot at home" not in data
    assert not images.read_back(data).getexif()


def test_the_photos_go_only_to_the_browser_that_proved_the_case(client, world):
    case = reply_with_photos(world, handled(world), photo())
    url = reverse("portal:reply_photo", args=[case.tracking_number, case.attachments.get().pk])
    other = replied_case(world)

    assert Client().get(url).status_code == 404  # no proof
    stranger = Client()
    prove(stranger, other)
    assert stranger.get(url).status_code == 404  # proved another case
    wrong_number = reverse("portal:reply_photo", args=[other.tracking_number, case.attachments.get().pk])
    assert stranger.get(wrong_number).status_code == 404  # the photo is not the proven case's
    prove(client, case)
    assert client.get(url).status_code == 200


def test_a_photo_of_an_earlier_reply_stays_in_the_timeline_after_a_reopening(client, world):
    case = reply_with_photos(world, handled(world), photo())
    do(case, "callback", world.callback_agent, satisfaction="dissatisfied")
    do(case, "reopen", world.callback_agent, note="仍然不热")
    prove(client, case)

    page = case_page(client, case).content.decode()

    assert 'id="reply-heading"' not in page  # being handled again: no current reply
    assert len(photo_urls(page)) == 1
    assert "<strong>Reply</strong> · 热力公司" in page


def test_a_confidential_report_shows_the_reporter_no_photos(client, world):
    case = handled(world, demand_type="report", title="举报热力公司乱收费")

    with pytest.raises(InvalidInput) as refused:
        reply_with_photos(world, case, photo())

    assert refused.value.field == "photos_for_requester"
    assert not Attachment.objects.exists()
    case = reply_with_photos(world, case, internal=[photo()])  # as an internal attachment it may go
    prove(client, case)
    page = case_page(client, case).content.decode()
    assert photo_urls(page) == []
    assert "Replied by <strong>热力公司</strong>" in page  # the reporter may know who handled it
    url = reverse("portal:reply_photo", args=[case.tracking_number, case.attachments.get().pk])
    assert client.get(url).status_code == 404


def test_only_a_reply_shows_photos_and_only_photos(world):
    case = handled(world)

    with pytest.raises(InvalidInput, match="Only the reply's photos"):
        do(case, "attach", world.heating_handler, note="现场", photos_for_requester=[photo()])
    with pytest.raises(InvalidInput, match="核查记录.pdf"):
        reply_with_photos(world, case, SimpleUploadedFile("核查记录.pdf", b"%PDF-1.4", "application/pdf"))

    assert not Attachment.objects.exists()
    case.refresh_from_db()
    assert case.status == "handling"


def test_a_repeat_given_its_masters_reply_names_the_masters_unit(client, world):
    master = handled(world)
    repeat = do(new_case(world.operator, title="暖气不热"), "merge", world.dispatcher, master=master.pk)
    reply_with_photos(world, master, photo())
    prove(client, repeat)

    page = case_page(client, repeat).content.decode()

    assert REPLY in page and "Replied by <strong>热力公司</strong>" in page
    assert photo_urls(page) == []  # the master's photos belong to the master's requester
