"""Short ways to use the portal in tests: a valid demand, photo files, a case proven by a browser."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from minyi.cases.models import Case
from tests import images
from tests.cases.helpers import do, new_case

JPEG, PNG, WEBP = images.jpeg(), images.png(), images.webp()  # real photos: they are decoded
PHP = b"<?php system($_GET['c']); ?>"
HTML = b"<!doctype html><html><script>alert(1)</script></html>"

REPLY = "已对3号楼管道排气，室温恢复到20度。"


def photo(name: str = "photo.jpg", content: bytes = JPEG, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def demand(world, **overrides) -> dict:
    """The POST data of a complete, valid demand located in 东城一网格."""
    data = {
        "demand_type": "complaint",
        "title": "小区暖气不热",
        "description": "幸福小区3号楼暖气温度只有十四度，老人孩子受不了。",
        "street": world.east.pk,
        "community": world.east_community.pk,
        "grid": world.east_grid.pk,
        "address": "幸福小区3号楼",
        "requester_name": "张三",
        "requester_phone": "13812341234",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, world, **overrides):
    return client.post(reverse("portal:submit"), demand(world, **overrides))


def prove(client, case: Case):
    """Look the case up in this browser with its tracking number and query code."""
    response = client.post(
        reverse("portal:follow"), {"tracking_number": case.tracking_number, "query_code": case.query_code}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def case_page(client, case: Case):
    return client.get(reverse("portal:case", args=[case.tracking_number]))


def replied_case(world, **overrides) -> Case:
    """A heating complaint handled by 热力公司 and replied to."""
    case = new_case(world.operator, category="0101", **overrides)
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    do(case, "sign_for", world.heating_handler)
    return do(case, "reply", world.heating_handler, note=REPLY)


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
