"""Attachments arrive with a registration or a reply and are tied to the event."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.cases import services
from minyi.cases.models import Attachment
from minyi.core.errors import InvalidInput
from tests import images
from tests.cases.helpers import do, new_case


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(name="现场.jpg", size=0):
    """A real JPEG, padded to `size` bytes."""
    content = images.jpeg()
    return SimpleUploadedFile(name, content + b"\0" * (size - len(content)), content_type="image/jpeg")


def test_photos_with_the_registration_and_the_reply(world, clock):
    case = new_case(world.grid_worker, channel="grid", area=world.east_grid, attachments=[photo()])
    assert case.attachments.get().event.operation == "create"
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher, lead_unit=world.housing.pk)
    do(case, "sign_for", world.housing_handler)
    services.case_apply(case_id=case.pk, operation="reply", actor=world.housing_handler, note="已修复",
                        attachments=[photo("修复后.jpg")])  # fmt: skip
    reply_photo = Attachment.objects.get(event__operation="reply")
    assert reply_photo.name == "修复后.jpg" and reply_photo.uploaded_by == world.housing_handler
    assert reply_photo.file.read().startswith(b"\xff\xd8")
    assert case.tracking_number in reply_photo.file.name


def test_an_oversized_file_is_refused_before_anything_changes(world, clock, monkeypatch):
    monkeypatch.setattr(services, "ATTACHMENT_MAX_BYTES", 2048)
    with pytest.raises(InvalidInput, match="大.jpg"):
        new_case(world.operator, attachments=[photo("大.jpg", 4096)])
    assert not Attachment.objects.exists()
