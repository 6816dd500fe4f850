"""One rule for every download of an attachment (access.cases.access_attachment_by_id): the console
and the API answer alike, and an integration (acting for citizens) gets only its own files."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.access.cases import access_attachment_by_id, attachments_visible_to
from minyi.access.principals import Citizen
from minyi.core.errors import NotFound
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for
from tests.images import gif


@pytest.fixture
def files(world, clock):
    """A demand the WeChat integration registered with its photo, and the centre's working file."""
    case = new_case(
        world.integration,
        channel="wechat",
        attachments=[SimpleUploadedFile("own.pdf", b"%PDF-1.4 own", "application/pdf")],
    )
    do(case, "attach", world.dispatcher, note="核查记录",
       attachments=[SimpleUploadedFile("internal.pdf", b"%PDF-1.4 internal", "application/pdf")])  # fmt: skip
    own, internal = case.attachments.order_by("pk")
    return own, internal


def test_an_integration_gets_its_own_file_and_not_the_staffs_in_console_and_api(world, files):
    own, internal = files
    client = client_for(world.integration)
    for url in ("/console/attachments/{}/", "/api/v1/attachments/{}/"):
        assert client.get(url.format(own.pk)).status_code == 200, url
        assert client.get(url.format(internal.pk)).status_code == 404, url
    assert access_attachment_by_id(world.integration, own.pk) == own
    with pytest.raises(NotFound):
        access_attachment_by_id(world.integration, internal.pk)


def test_staff_outside_the_case_get_not_found_and_staff_within_get_both(world, files):
    own, internal = files
    for url in ("/console/attachments/{}/", "/api/v1/attachments/{}/"):
        assert client_for(world.heating_handler).get(url.format(own.pk)).status_code == 404
        assert client_for(world.dispatcher).get(url.format(internal.pk)).status_code == 200
    with pytest.raises(NotFound):
        access_attachment_by_id(world.dispatcher, "not-a-number")


def test_the_console_and_the_api_send_a_file_alike(world, clock):
    case = new_case(world.operator, attachments=[SimpleUploadedFile("map.gif", gif(), "image/gif")])
    item = case.attachments.get()
    console = client_for(world.dispatcher).get(f"/console/attachments/{item.pk}/")
    api = client_for(world.dispatcher).get(f"/api/v1/attachments/{item.pk}/")
    for header in ("Content-Type", "Content-Disposition", "Content-Security-Policy"):
        assert console[header] == api[header], header
    assert console["Content-Type"] == "image/gif" and "script" not in console["Content-Security-Policy"]


def test_the_requester_gets_the_replys_photos_for_them_and_nothing_else(world, clock):
    case = new_case(world.integration, channel="wechat", category="0101")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    do(case, "sign_for", world.heating_handler)
    do(
        case,
        "attach",
        world.heating_handler,
        note="现场",
        attachments=[SimpleUploadedFile("a.gif", gif(), "image/gif")],
    )
    do(
        case,
        "reply",
        world.heating_handler,
        note="已修复",
        attachments=[SimpleUploadedFile("internal.gif", gif(), "image/gif")],
        photos_for_requester=[SimpleUploadedFile("shown.gif", gif(), "image/gif")],
    )
    shown = case.attachments.get(for_requester=True)

    assert list(attachments_visible_to(Citizen(case_id=case.pk), case)) == [shown]
    assert list(attachments_visible_to(world.integration, case)) == [shown]  # acting for the requester
    assert attachments_visible_to(world.dispatcher, case).count() == 3
    assert access_attachment_by_id(Citizen(case_id=case.pk), shown.pk) == shown
    with pytest.raises(NotFound):
        access_attachment_by_id(Citizen(case_id=case.pk + 1), shown.pk)
    assert client_for(world.integration).get(f"/api/v1/attachments/{shown.pk}/").status_code == 200
