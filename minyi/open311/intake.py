"""POST requests: an Open311 service request becomes a case through `cases.services.case_create`.

The key's account registers the case (its roles decide, through the access module, whether it may),
on the key's channel or else "open311". What Open311 sends beside the demand and the case has no
field for (e-mail, media_url, device_id, account_id) is kept in the registration event's data, where
the console shows it to staff; it is never returned by the Open311 reads.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from minyi.api.models import ApiKey
from minyi.cases.models import Case
from minyi.cases.services import case_create
from minyi.catalog.choices import Channel
from minyi.core import photos
from minyi.core.errors import InvalidInput
from minyi.open311 import catalog
from minyi.open311.params import Params

TITLE_LENGTH = 30
SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s|$)")
CJK = re.compile(r"[\u3400-\u9fff]")
# Longest values the case's columns (and a sane source record) hold.
LIMITS = {
    "first_name": 24,
    "last_name": 24,
    "phone": 32,
    "address_string": 200,
    "email": 254,
    "media_url": 2000,
    "device_id": 100,
    "account_id": 100,
}


def derive_title(description: str, service_name: str) -> str:
    """The first sentence of the description, at most 30 characters; the service's name when the
    sentence is too short to say anything ("冷" says less than "供热不足")."""
    first = SENTENCE_END.split(description.strip(), maxsplit=1)[0].strip()
    if len(first) > TITLE_LENGTH:
        first = first[: TITLE_LENGTH - 1].rstrip() + "…"
    return first if len(first) >= 4 or not service_name else service_name


def requester_name(first: str | None, last: str | None) -> str:
    """A Chinese name is family name first, without a space (last_name 张 + first_name 三 = 张三)."""
    first, last = first or "", last or ""
    if CJK.search(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def checked_photos(files) -> list:
    """The uploaded `media` files re-encoded by the one rule for photos (core/photos.py: JPEG, PNG or
    WebP that decodes fully, stored without EXIF), under a name of our own (`open311-1.jpg`)."""
    return [
        photos.photo_copy(photo, field="media", formats=photos.CITIZEN_FORMATS, stem=f"open311-{number}")
        for number, photo in enumerate(files, start=1)
    ]


def _check_lengths(params: Params) -> None:
    for name, most in LIMITS.items():
        value = params.get(name)
        if value is not None and len(value) > most:
            raise InvalidInput(
                _("%(name)s is too long: at most %(most)d characters.") % {"name": name, "most": most},
                field=name,
            )
    email = params.get("email")
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise InvalidInput(_("email “%(email)s” is not an e-mail address.") % {"email": email}, field="email")
    media_url = params.get("media_url")
    if media_url is not None and not re.match(r"^https?://", media_url, re.IGNORECASE):
        raise InvalidInput(_("media_url must be an http or https address."), field="media_url")


def _location(params: Params, attributes: dict[str, str]) -> dict:
    lat, lon = params.get("lat"), params.get("long")
    if (lat is None) != (lon is None):
        raise InvalidInput(
            _("Give lat and long together, or neither."), field="lat" if lat is None else "long"
        )
    address = params.get("address_string")
    area_code = attributes.get("area_code") or params.get("address_id")
    if lat is None and address is None and area_code is None:
        raise InvalidInput(
            _("Say where the problem is: lat and long, address_string or address_id."), field="lat"
        )
    area = None
    if area_code is not None:
        name = "attribute[area_code]" if attributes.get("area_code") else "address_id"
        area = catalog.area_by_code(area_code, name)
    return {"latitude": lat, "longitude": lon, "address": address or "", "area": area}


def create_request(key: ApiKey, params: Params, files) -> Case:
    code = params.get("service_code")
    if code is None:
        raise InvalidInput(_("service_code is required: choose one of the services."), field="service_code")
    service = catalog.find_service(code)
    if service is None:
        raise InvalidInput(
            _("There is no service “%(code)s”: see services for the codes.") % {"code": code},
            field="service_code",
        )
    category = service.category
    description = params.get("description")
    if description is None:
        raise InvalidInput(_("description is required: say what the problem is."), field="description")
    _check_lengths(params)
    attributes = catalog.check_attributes(params.attributes())
    name = requester_name(params.get("first_name"), params.get("last_name"))
    phone = params.get("phone") or ""
    source = {
        field: params.get(field)
        for field in ("email", "media_url", "device_id", "account_id")
        if params.get(field)
    }
    return case_create(
        actor=key.user,
        channel=key.channel or Channel.OPEN311,
        demand_type=attributes["demand_type"],
        urgency=attributes["urgency"],
        title=derive_title(description, category.name),
        description=description,
        category=category.code,
        requester_name=name,
        requester_phone=phone,
        is_anonymous=not name and not phone,
        attachments=checked_photos(files),
        source_data={"open311": True, **source},
        **_location(params, attributes),
    )
