"""Refusals in the form the client reads: the API's JSON error under /api/, GeoReport's error list
under /open311/ (XML, or JSON when the path ends in .json), a page for everyone else.

Used by Django's 400 handler (web/views.py: a body too large, 413; too many fields, a bad Host) and
by minyi's gunicorn worker (web/server.py: a request line or headers too long, 414 and 431), which
answers before Django has a request: so everything here goes by the path alone and touches no
database.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

API, OPEN311, PAGES = "api", "open311", "pages"


def part_of(path: str) -> str:
    if path.startswith("/api/"):
        return API
    if path.startswith("/open311/"):
        return OPEN311
    return PAGES


def open311_format(path: str) -> str:
    """The format an Open311 path asks for by its suffix (.json), else XML, the spec's default."""
    from minyi.open311 import formats

    last = path.split("?", 1)[0].rsplit("/", 1)[-1]
    suffix = last.rsplit(".", 1)[-1] if "." in last else ""  # as the URLs match it: .JSON is no format
    return suffix if suffix in formats.FORMATS else formats.XML


def refusal(path: str, status: int, code: str, message: str) -> HttpResponse | None:
    """The error answer for an API or Open311 client; None for pages (the caller renders one)."""
    part = part_of(path)
    if part == API:
        return JsonResponse(
            {"code": code, "message": str(message)}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    if part == OPEN311:
        from minyi.open311 import formats

        return formats.error(open311_format(path), status, str(message))
    return None
