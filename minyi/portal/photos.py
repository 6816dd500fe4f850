"""Recognise a photo by its first bytes (its magic number), never by its name or the browser's word.

A PHP script or an HTML page renamed to "photo.jpg" starts with "<?php" or "<html", not with a JPEG,
PNG or WebP signature, so it is refused. Plain Python, no Django and no image library.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD_BYTES = 12  # enough for the longest signature below (WebP: RIFF....WEBP)


@dataclass(frozen=True)
class PhotoType:
    extension: str
    content_type: str


JPEG = PhotoType("jpg", "image/jpeg")
PNG = PhotoType("png", "image/png")
WEBP = PhotoType("webp", "image/webp")


def photo_type(head: bytes) -> PhotoType | None:
    """The type of a photo whose file starts with `head`, or None when it is no JPEG, PNG or WebP."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= HEAD_BYTES and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None
