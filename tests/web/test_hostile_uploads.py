"""Hostile uploads through every door that takes files: the portal's photos, the console's case
attachments (intake and reply), the API's attachment endpoint, Open311's media (a request and an
update) and the projects' report photos.

Too big, mislabelled (a ".jpg" that is HTML, a PDF, a program or an SVG with a script), empty, too
many, or named to climb out of the media folder: each gets a clear 4xx (or the form again with the
error) and leaves neither a row nor a file behind; what is accepted is stored under a harmless name
inside MEDIA_ROOT and never served as something a browser would run. A photo must decode fully (a
file that only starts like a JPEG, a truncated one, a decompression bomb are refused), and what is
stored is a copy without the phone's EXIF (its GPS position and model)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from minyi.api.keys import create_key
from minyi.cases import services as case_services
from minyi.cases.models import Attachment, Case, CaseEvent
from minyi.projects import services as project_services
from minyi.projects.models import ProgressReport, ReportPhoto
from tests import images
from tests.api.conftest import DEMAND, Api
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for
from tests.open311.helpers import demand as open311_demand
from tests.portal.helpers import JPEG, PNG, demand
from tests.projects.conftest import build_ledger

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'

# name → (file name, bytes, claimed content type); each claims to be a photo and is none.
MISLABELLED = {
    "html-as-jpg": ("photo.jpg", HTML, "image/jpeg"),
    "pdf-as-jpg": ("photo.jpg", PDF, "image/jpeg"),
    "elf-as-png": ("photo.png", ELF, "image/png"),
    "exe-as-webp": ("photo.webp", EXE, "image/webp"),
    "svg-as-jpg": ("photo.jpg", SVG, "image/jpeg"),
    "svg-as-svg": ("photo.svg", SVG, "image/svg+xml"),
}
# name → file name: each a valid JPEG under a hostile name.
NAMES = {
    "traversal": "../../../../etc/passwd.jpg",
    "windows-traversal": "..\\..\\windows\\win.ini.jpg",
    "absolute": "/etc/cron.d/evil.jpg",
    "long": "长" * 300 + ".jpg",
    "script": "<script>alert(1)</script>.jpg",
    "rtl": "invoice\u202egpj.exe",
    "nul": "photo\x00.php.jpg",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINYI_PORTAL_SUBMISSIONS_PER_HOUR = 10_000
    return settings.MEDIA_ROOT


def stored(media) -> list:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def inside(media, path) -> bool:
    return media.resolve() in path.resolve().parents


def counts() -> tuple[int, ...]:
    models = (Case, CaseEvent, Attachment, ProgressReport, ReportPhoto)
    return tuple(model.objects.count() for model in models)


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- the doors ------------------------------------------------------------------------------------


def portal(world, files):
    return Client().post(reverse("portal:submit"), {**demand(world), "photos": files})


def intake(world, files):
    data = {"requester_phone": "13912345678", "requester_name": "李四", "channel": "hotline",
            "demand_type": "complaint", "urgency": "normal", "title": "楼道灯坏了",
            "description": "楼道灯坏了一个月。", "attachments": files}  # fmt: skip
    return client_for(world.operator).post(reverse("console:intake"), data)


def reply(world, files):
    case = handling_case(world)
    data = {"note": "已修复", "expected_version": case.version, "attachments": files}
    return client_for(world.heating_handler).post(reverse("console:case_do", args=[case.pk, "reply"]), data)


def api(world, files):
    case = handling_case(world)
    _key, raw = create_key("heating-system", unit=world.heating)
    return Api(raw).post(f"cases/{case.tracking_number}/attachments/", {"files": files, "note": "补拍"},
                         multipart=True)  # fmt: skip


def api_create(world, files):
    _key, raw = create_key("wechat-front", channel="wechat")
    return Api(raw).post("cases/", {**DEMAND, "attachments": files}, multipart=True)


def report(world, files):
    ledger = build_ledger(world)
    data = {"month": "2026-11", "percent": "88", "done": "更换管网14公里", "photos": files}
    return client_for(world.heating_handler).post(reverse("projects:report", args=[ledger.mains.pk]), data)


def open311(world, files):
    _key, raw = create_key("wechat-front", channel="wechat")
    return Client().post("/open311/v2/requests.json", {**open311_demand(raw), "media": files})


def open311_update(world, files):
    case = handling_case(world)
    _key, raw = create_key("heating-sys", unit=world.heating)
    data = {"api_key": raw, "service_request_id": case.tracking_number, "status": "IN_PROGRESS",
            "description": "抢修队已到现场。", "media": files}  # fmt: skip
    return Client().post("/open311/v2/servicerequestupdates.json", data)


def handling_case(world) -> Case:
    case = new_case(world.operator, category="0101")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    return do(case, "sign_for", world.heating_handler)


DOORS = {"portal": portal, "intake": intake, "reply": reply, "api": api, "api-create": api_create,
         "open311": open311, "open311-update": open311_update, "report": report}  # fmt: skip
PHOTO_DOORS = ("portal", "open311", "open311-update", "report")  # these take photos only
# The doors that take one file at most (Open311's `media`).
ONE_FILE = ("open311", "open311-update")


def refused(response) -> bool:
    """A 4xx, or the form shown again (200) with its errors."""
    if response.status_code == 200:
        return bool(response.context and "form" in response.context and response.context["form"].errors)
    return 400 <= response.status_code < 500


def attempt(world, media, door: str, files: list):
    """Send the files through the door; returns (response, whether it was refused), having checked
    that a refusal left nothing behind."""
    clean = counts(), stored(media)
    response = DOORS[door](world, files)
    assert response.status_code < 500
    if not refused(response):
        return response, False
    # Only what the door's set-up wrote (a case to reply to, a ledger) may be new.
    before_rows = counts()
    assert before_rows[2] == clean[0][2] and before_rows[4] == clean[0][4], "an attachment row was left"
    assert stored(media) == clean[1], "a file was left in MEDIA_ROOT"
    return response, True


# --- the tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_a_file_over_the_size_limit_is_refused_and_leaves_nothing(world, clock, media, settings, monkeypatch,
                                                                  door):  # fmt: skip
    monkeypatch.setattr(case_services, "ATTACHMENT_MAX_BYTES", 4096)
    monkeypatch.setattr(project_services, "PHOTO_MAX_BYTES", 4096)
    settings.MINYI_PORTAL_MAX_PHOTO_MB = 1
    big = JPEG + b"\x00" * (1024 * 1024 + 10)

    _response, was_refused = attempt(world, media, door, [upload("big.jpg", big)])

    assert was_refused
    assert Attachment.objects.count() == 0 and ReportPhoto.objects.count() == 0


@pytest.mark.parametrize("kind", MISLABELLED)
@pytest.mark.parametrize("door", DOORS)
def test_a_file_that_is_not_the_photo_it_claims_is_refused_or_never_served_as_one(world, clock, media, door,
                                                                                   kind):  # fmt: skip
    name, content, content_type = MISLABELLED[kind]

    response, was_refused = attempt(world, media, door, [upload(name, content, content_type)])

    if door in PHOTO_DOORS:
        assert was_refused, response.status_code
        return
    if was_refused:
        return
    # A door that takes documents too may keep it, but never serve it as an image or a page.
    item = Attachment.objects.get()
    assert item.content_type not in ("image/jpeg", "image/png", "image/webp", "image/gif", "text/html")
    served = client_for(world.admin).get(reverse("console:attachment", args=[item.pk]))
    assert served["Content-Type"] == "application/octet-stream"
    assert "attachment" in served["Content-Disposition"]


@pytest.mark.parametrize("door", DOORS)
def test_an_empty_file_is_refused(world, clock, media, door):
    _response, was_refused = attempt(world, media, door, [upload("empty.jpg", b"")])

    assert was_refused


@pytest.mark.parametrize("door", DOORS)
def test_too_many_files_are_refused(world, clock, media, door):
    files = [upload(f"p{i}.jpg", JPEG) for i in range(60)]

    _response, was_refused = attempt(world, media, door, files)

    assert was_refused


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("door", DOORS)
def test_a_hostile_file_name_is_refused_or_stored_inside_the_media_folder(world, clock, media, door, name):
    _response, was_refused = attempt(world, media, door, [upload(NAMES[name], JPEG)])

    if was_refused:
        return
    files = stored(media)
    assert len(files) == 1, files
    assert inside(media, files[0])
    assert ".." not in files[0].relative_to(media).as_posix()
    assert "\x00" not in str(files[0]) and "<" not in str(files[0])
    item = Attachment.objects.first() or ReportPhoto.objects.get()
    assert (
        len(item.name) <= 200 and "/" not in item.name and "\\" not in item.name and "\x00" not in item.name
    )


def test_a_non_utf8_file_name_in_a_raw_multipart_body_is_no_500(world, clock, media):
    """A browser in a GBK locale may send the name's bytes as they are."""
    boundary = "----minyi"
    parts = []
    for key, value in demand(world).items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="'.encode()
        + "现场照片".encode("gbk")
        + b'.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        + PNG
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    response = Client().post(
        reverse("portal:submit"), b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code in (200, 302)
    # Django's multipart parser drops a part whose file name is not UTF-8 (the demand is kept
    # without it); whatever it keeps is stored under the portal's own name.
    for item in Attachment.objects.all():
        assert item.name == "photo-1.png"
    assert all(inside(media, path) for path in stored(media))


# --- photos must decode, and are stored without the phone's EXIF -------------------------------------

NOT_DECODING = {
    "jpeg-head-then-html": images.html_with_a_jpeg_head(),
    "truncated-jpeg": images.truncated_jpeg(),
    "png-bomb": images.png_bomb(),
}


@pytest.mark.parametrize("kind", NOT_DECODING)
@pytest.mark.parametrize("door", DOORS)
def test_a_photo_that_does_not_decode_is_refused_naming_the_file(world, clock, media, door, kind):
    name = "bomb.png" if kind == "png-bomb" else "现场.jpg"

    response, was_refused = attempt(world, media, door, [upload(name, NOT_DECODING[kind])])

    assert was_refused, response.status_code
    assert name in response.content.decode()


@pytest.mark.parametrize("door", DOORS)
def test_the_phones_gps_and_model_never_reach_the_stored_photo(world, clock, media, door):
    sent = images.jpeg((48, 32), gps=True, orientation=6)

    response, was_refused = attempt(world, media, door, [upload("IMG_0001.jpg", sent)])

    assert not was_refused, response.content.decode()[:2000]
    (path,) = stored(media)
    item = Attachment.objects.first() or ReportPhoto.objects.get()
    kept = path.read_bytes()
    image = images.read_back(kept)
    assert dict(image.getexif()) == {} and images.MODEL.encode() not in kept
    assert image.format == "JPEG" and image.size == (32, 48)  # turned upright as the phone said
    assert (item.content_type, item.size) == ("image/jpeg", len(kept)) and item.name.endswith(".jpg")
