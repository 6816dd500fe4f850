"""Image files for upload tests, made with Pillow: real photos (some with the EXIF a phone writes: GPS
position, make and model, orientation) and files that only look like photos."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image

# Where the phone was (天安门, 39°54'27"N 116°23'17"E) and what it was.
GPS = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
MODEL = "Xiaomi 14 Ultra"
ORIENTATION, MAKE_MODEL, GPS_IFD = 0x0112, 0x0110, 0x8825


def picture(size: tuple[int, int] = (48, 32), *, noise: bool = False, mode: str = "RGB") -> Image.Image:
    """A picture whose left half is red and right half blue (so a rotation shows), or random noise."""
    if noise:
        return Image.frombytes(mode, size, random.Random(0).randbytes(size[0] * size[1] * len(mode)))
    image = Image.new(mode, size, (200, 30, 30))
    image.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    return image


def phone_exif(*, orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE_MODEL] = MODEL
    exif[GPS_IFD] = GPS
    if orientation is not None:
        exif[ORIENTATION] = orientation
    return exif


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (48, 32), *, gps: bool = False, orientation: int | None = None) -> bytes:
    """A JPEG; with `gps` it carries the phone's EXIF (position, model) and a comment."""
    options = {"exif": phone_exif(orientation=orientation), "comment": b"shot at home"} if gps else {}
    return encoded(picture(size), "JPEG", quality=90, **options)


def png(size: tuple[int, int] = (48, 32), *, noise: bool = False) -> bytes:
    return encoded(picture(size, noise=noise), "PNG")


def webp(size: tuple[int, int] = (48, 32), *, gps: bool = False) -> bytes:
    return encoded(picture(size), "WEBP", **({"exif": phone_exif()} if gps else {}))


def gif(size: tuple[int, int] = (48, 32), *, frames: int = 1) -> bytes:
    images = [picture(size).rotate(90 * n).convert("P") for n in range(frames)]
    return encoded(images[0], "GIF", save_all=frames > 1, append_images=images[1:], duration=100, loop=0)


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small PNG whose header claims width × height pixels (3.6 billion by default): decoding it
    would take gigabytes of memory."""
    head = b"\x89PNG\r\n\x1a\n"
    small = png((8, 8))
    ihdr = struct.pack(">II", width, height) + small[24:29]  # the size, then the depth, colour type …
    chunk = b"IHDR" + ihdr
    return head + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + small[33:]


def html_with_a_jpeg_head() -> bytes:
    """What the probe sent: a JPEG's first four bytes, then a page with a script."""
    return (
        b"\xff\xd8\xff\xe0"
        + b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
    )


def truncated_jpeg() -> bytes:
    whole = jpeg((400, 300))
    return whole[: len(whole) // 2]


def read_back(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
