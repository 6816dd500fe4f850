"""The one rule for photos (minyi/core/photos.py): a file that claims to be a photo must decode fully,
and what is stored is a re-encoded copy without EXIF, upright, in the same format."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from minyi.core import photos
from minyi.core.errors import InvalidInput
from tests import images


@pytest.fixture(autouse=True)
def english():
    """Messages in English (the msgids), whichever language an earlier test left active."""
    with translation.override("en"):
        yield


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(name: str, content: bytes, **kwargs) -> str:
    with pytest.raises(InvalidInput) as refused:
        photos.photo_copy(upload(name, content), field="photos", **kwargs)
    assert refused.value.field == "photos"
    return refused.value.message


def test_an_html_file_with_a_jpeg_head_is_refused_naming_the_file():
    content = images.html_with_a_jpeg_head()
    assert photos.claims_photo(upload("page.html", content, "text/html"))  # its first bytes claim it

    message = refusal("现场.jpg", content)

    assert "“现场.jpg”" in message and "JPEG/PNG/WebP/GIF" in message


def test_a_truncated_jpeg_is_refused():
    assert "“cut.jpg”" in refusal("cut.jpg", images.truncated_jpeg())


@pytest.mark.parametrize(("width", "height"), [(60_000, 60_000), (8_000, 8_000)])
def test_a_png_bomb_is_refused_by_its_header_before_it_is_decoded(width, height):
    started = time.monotonic()

    message = refusal("bomb.png", images.png_bomb(width, height))

    assert "“bomb.png”" in message and "50" in message  # the limit: 50 million pixels
    assert time.monotonic() - started < 2  # decoding 64 million pixels or more would take longer


def test_a_jpeg_with_the_phones_gps_comes_out_without_exif_and_upright():
    sent = images.jpeg((48, 32), gps=True, orientation=6)  # the phone was held upright: rotate 90°
    assert images.read_back(sent).getexif().get_ifd(images.GPS_IFD) == images.GPS

    copy = photos.photo_copy(upload("IMG_0001.JPG", sent), field="photos")

    stored = copy.read()
    image = images.read_back(stored)
    assert image.format == "JPEG" and image.size == (32, 48)
    assert dict(image.getexif()) == {} and "exif" not in image.info and "comment" not in image.info
    assert b"Exif" not in stored and images.MODEL.encode() not in stored and b"shot at home" not in stored
    # The red half was on the left; turned as the phone says, it is on top.
    assert image.getpixel((16, 5))[0] > 150 and image.getpixel((16, 42))[2] > 150
    assert (copy.name, copy.content_type, copy.size) == ("IMG_0001.jpg", "image/jpeg", len(stored))


def test_webp_exif_is_dropped_too_and_the_format_is_kept_whatever_the_name_says():
    copy = photos.photo_copy(upload("x.jpeg", images.webp(gps=True)), field="photos", stem="photo-1")

    image = images.read_back(copy.read())
    assert image.format == "WEBP" and dict(image.getexif()) == {}
    assert (copy.name, copy.content_type) == ("photo-1.webp", "image/webp")


def test_an_animated_gif_is_stored_as_its_first_frame():
    copy = photos.photo_copy(upload("sticker.gif", images.gif(frames=3), "image/gif"), field="attachments")

    image = images.read_back(copy.read())
    assert image.format == "GIF" and getattr(image, "n_frames", 1) == 1 and copy.name == "sticker.gif"


def test_a_format_outside_the_doors_list_is_refused():
    message = refusal("anim.gif", images.gif(), formats=photos.CITIZEN_FORMATS)

    assert "JPEG/PNG/WebP photo" in message


def test_a_document_does_not_claim_to_be_a_photo_but_a_renamed_one_does():
    assert not photos.claims_photo(upload("报告.pdf", b"%PDF-1.7\n", "application/pdf"))
    assert photos.claims_photo(upload("报告.pdf", images.png(), "application/pdf"))  # by its bytes
    assert photos.claims_photo(upload("scan.PNG", b"%PDF-1.7\n", "application/pdf"))  # by its name
    assert photos.claims_photo(upload("scan", b"%PDF-1.7\n", "image/jpeg"))  # by the sender's word
