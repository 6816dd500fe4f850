"""The two formats of GeoReport v2: XML (required by the spec) and JSON, from one Python value.

Views build plain values (dicts, lists, strings, datetimes, booleans, None) once; this module writes
them as XML with xml.etree (so every text is escaped by the library, never by hand) or as JSON. A
list is a repetition of elements in XML and an array in JSON; `ITEM_TAGS` names the element that
repeats inside a wrapper (`<attributes><attribute>…`), as the spec's examples do.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

XML, JSON = "xml", "json"
FORMATS = (XML, JSON)
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
# The element repeated inside a wrapper element.
ITEM_TAGS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
# Characters XML 1.0 cannot carry even escaped (control characters, lone surrogates, U+FFFE/F):
# xml.etree writes them as they are, which makes the whole answer unreadable to the client.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def w3c(moment: dt.datetime | None) -> str | None:
    """A W3C datetime in local time (settings.TIME_ZONE) with its offset, e.g. 2026-11-25T09:00:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _scalar_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c(value) or ""
    return NOT_XML.sub("\ufffd", str(value))


def _fill(element: ET.Element, value: object) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        tag = ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    else:
        element.text = _scalar_text(value)


def to_xml(root: str, value: object, item: str | None = None) -> bytes:
    """`value` under `<root>`; a list becomes repeated `<item>` elements."""
    element = ET.Element(root)
    if item is not None:
        for entry in value:  # type: ignore[union-attr]
            _fill(ET.SubElement(element, item), entry)
    else:
        _fill(element, value)
    body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()


def _json_default(value: object) -> object:
    if isinstance(value, dt.datetime):
        return w3c(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=_json_default).encode()


def respond(
    fmt: str, root: str, value: object, *, item: str | None = None, status: int = 200
) -> HttpResponse:
    """The response in the requested format: `root`/`item` name the XML elements; JSON is the value."""
    body = to_xml(root, value, item) if fmt == XML else to_json(value)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error answer: <errors><error><code/><description/></error></errors> or its JSON array."""
    fmt = fmt if fmt in FORMATS else XML
    return respond(
        fmt, "errors", [{"code": status, "description": str(description)}], item="error", status=status
    )
