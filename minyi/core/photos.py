"""The one rule for photos, used at every door that takes files: the console (intake, operations), the
portal, the REST API, Open311 `media`, the projects' report photos and the photos of visits.

A file that claims to be a photo — by its name (.jpg …), the sender's content type (image/jpeg …) or
its first bytes — must decode fully with Pillow as one of the accepted formats; anything that does
not is refused with an error naming the file. A file that only starts like a JPEG (an HTML page
behind `FF D8 FF E0`), a truncated one, or one of another format under a photo's name never gets in.

What is stored is never the sender's file but a copy re-encoded from its pixels:

- the EXIF orientation is applied first (the photo looks as it did on the phone), then EXIF, XMP,
  comments and text chunks are dropped: they carry the citizen's GPS position, the phone's make and
  model, its serial number. Kept are the pixels, transparency and the ICC colour profile (how the
  colours are meant, nothing about the person);
- the format stays (a JPEG stays a JPEG: quality as the original's when nothing was rotated, else
  90); an MPO (the multi-picture JPEG some phones write) is stored as its first picture, a JPEG;
- an animated GIF, PNG or WebP is stored as its first frame, a still image: the product shows site
  photos, and a still keeps the decoding cost and the rule the same for every file;
- its name (the caller's stem, or the sender's, with the format's extension), content type and size
  are those of the copy.

Decompression bombs: the pixel count is read from the header before anything is decoded; over
MAX_PIXELS (50 million: a 48-megapixel phone photo fits) the file is refused without decoding it.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from minyi.core.errors import InvalidInput

MAX_PIXELS = 50_000_000
JPEG_QUALITY = 90  # a re-encoded JPEG that had to be rotated (otherwise the original's tables are kept)
WEBP_QUALITY = 90
# What the copy keeps of the original's information (everything else, EXIF first, is dropped).
KEPT_INFO = ("transparency", "icc_profile")
HEAD_BYTES = 12  # enough for the longest signature (WebP: RIFF....WEBP)


@dataclass(frozen=True)
class PhotoFormat:
    pillow: str  # Pillow's name of the format
    extension: str
    content_type: str
    label: str


JPEG = PhotoFormat("JPEG", "jpg", "image/jpeg", "JPEG")
PNG = PhotoFormat("PNG", "png", "image/png", "PNG")
WEBP = PhotoFormat("WEBP", "webp", "image/webp", "WebP")
GIF = PhotoFormat("GIF", "gif", "image/gif", "GIF")
ALL_FORMATS = (JPEG, PNG, WEBP, GIF)  # staff uploads (case attachments, report photos)
CITIZEN_FORMATS = (JPEG, PNG, WEBP)  # the portal and Open311: what phones send

PHOTO_TYPES = frozenset({f.content_type for f in ALL_FORMATS} | {"image/jpg", "image/pjpeg"})
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp")
SIGNATURES = (b"\xff\xd8", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
# Pillow's plugins that may open an upload: never EPS (Ghostscript) or any other format.
# MPO is what Pillow makes of a JPEG with several pictures; it is opened through the JPEG plugin.
PILLOW_ALIASES = {"MPO": "JPEG"}


class Photo(SimpleUploadedFile):
    """A re-encoded copy made by `photo_copy`: what the services store (and never check again).
    `sent_size` is the size of the file that was sent, which the size limits apply to."""

    def __init__(self, name: str, content: bytes, photo_format: PhotoFormat, sent_size: int):
        super().__init__(name, content, content_type=photo_format.content_type)
        self.photo_format = photo_format
        self.sent_size = sent_size


def claims_photo(upload: UploadedFile) -> bool:
    """Whether the file says it is a photo, by its name, the sender's content type or its first bytes."""
    if isinstance(upload, Photo):
        return True
    if (upload.name or "").lower().endswith(PHOTO_SUFFIXES):
        return True
    if (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower() in PHOTO_TYPES:
        return True
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head.startswith(SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def photo_copy(
    upload: UploadedFile, *, field: str, formats: tuple[PhotoFormat, ...] = ALL_FORMATS, stem: str = ""
) -> Photo:
    """The photo re-encoded without its metadata (see the module's docstring), or InvalidInput naming
    the file when it does not decode fully as one of `formats`. `stem`: the name of the copy without
    its extension (default: the sender's)."""
    if isinstance(upload, Photo) and upload.photo_format in formats:
        return upload
    name = upload.name or ""
    refused = InvalidInput(
        _(
            "“%(name)s” cannot be opened as a %(formats)s photo: it is damaged, cut short or no photo. "
            "Send the photo itself."
        )
        % {"name": name, "formats": "/".join(f.label for f in formats)},
        field=field,
    )
    by_pillow = {f.pillow: f for f in formats}
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check (above 89 million pixels) warns before it refuses: refuse at once.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=list(by_pillow))
        chosen = by_pillow.get(PILLOW_ALIASES.get(image.format or "", image.format or ""))
        if chosen is None:
            raise refused
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _too_many_pixels(name, field)
        image.load()  # decodes the whole (first) picture: a truncated or forged file fails here
        data = _encoded(image, chosen)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name, field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError):
        raise refused from None
    finally:
        upload.seek(0)
    stem = stem or os.path.splitext(os.path.basename(name))[0][:190] or "photo"
    return Photo(f"{stem}.{chosen.extension}", data, chosen, upload.size)


def _too_many_pixels(name: str, field: str) -> InvalidInput:
    return InvalidInput(
        _(
            "“%(name)s” has more than %(most)d million pixels, more than a photo may have: send it at a "
            "lower resolution."
        )
        % {"name": name, "most": MAX_PIXELS // 1_000_000},
        field=field,
    )


def _encoded(original: Image.Image, chosen: PhotoFormat) -> bytes:
    kept = {key: original.info[key] for key in KEPT_INFO if key in original.info}
    rotated = original.getexif().get(ExifTags.Base.Orientation, 1) not in (0, 1)
    image = ImageOps.exif_transpose(original) if rotated else original
    image.info = kept  # the encoders read comments (and more) from here: only what is kept stays
    options: dict = {}
    if chosen is JPEG:
        if not rotated and original.format == "JPEG":
            options = {"quality": "keep", "subsampling": "keep"}  # the original's tables: no loss added
        else:
            options = {"quality": JPEG_QUALITY}
    elif chosen is WEBP:
        options = {"quality": WEBP_QUALITY}
    if "icc_profile" in kept:
        options["icc_profile"] = kept["icc_profile"]
    out = io.BytesIO()
    image.save(out, format=chosen.pillow, **options)
    return out.getvalue()
