"""Refusals that reach the top of a view become friendly pages, not server errors; a database that
cannot be reached or written just now becomes a 503 that says so, not a 500."""

from __future__ import annotations

import logging
import sqlite3

from django.conf import settings
from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from minyi.core.errors import MinyiError, NotFound, NotPermitted

log = logging.getLogger("minyi.web")

# What a client should wait before trying again: a PostgreSQL restart or a failover takes seconds.
RETRY_AFTER_SECONDS = 30
# SQLite says "unavailable" only in its messages (sqlite3 raises OperationalError for bad SQL too).
SQLITE_UNAVAILABLE = (
    "readonly database",
    "database or disk is full",
    "database is locked",
    "unable to open database",
    "disk i/o error",
)
# PostgreSQL: a read-only transaction (a standby after a failover, or a read-only default).
PG_READ_ONLY = "25006"


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached or written just now (a server that is down
    or restarting, a lost connection, a read-only or full SQLite file) rather than a bug."""
    cause = exc.__cause__ or exc
    if isinstance(cause, sqlite3.Error):
        text = str(cause).lower()
        return isinstance(cause, sqlite3.OperationalError) and any(s in text for s in SQLITE_UNAVAILABLE)
    if isinstance(exc, InterfaceError | OperationalError):
        return True  # psycopg: connection refused, timed out, closed, server shutting down …
    return isinstance(exc, InternalError) and getattr(cause, "sqlstate", None) == PG_READ_ONLY


def unavailable_response(request) -> HttpResponse:
    """The 503 of every part: the API's JSON error, Open311's error list, or a short page. Nothing
    here touches the database (the page is rendered without the request's context processors)."""
    from minyi.api import errors
    from minyi.open311 import formats

    log.warning("database unavailable, %s %s answered 503", request.method, request.path, exc_info=True)
    if request.path.startswith("/api/"):
        response = errors.unavailable()
    elif request.path.startswith("/open311/"):
        fmt = request.path.rsplit(".", 1)[-1] if "." in request.path else formats.XML
        response = formats.error(fmt, 503, errors.unavailable_message())
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ErrorMiddleware:
    """A `NotFound` or `NotPermitted` (or any other `MinyiError`) that a view did not handle itself
    is shown as the 404/403/400 page with its message; htmx requests get the bare message. A database
    that is unavailable gives the 503 of `unavailable_response` (the API's views pass it up here)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return unavailable_response(request)
        if not isinstance(exception, MinyiError):
            return None
        template = {NotFound: "404.html", NotPermitted: "403.html"}.get(type(exception), "web/error.html")
        if getattr(request, "htmx", False):
            template = "web/message.html"
        return render(request, template, {"message": exception.message}, status=exception.http_status)


# Methods whose request may carry a body Django reads (DRF reads one for DELETE too).
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class LengthRequiredMiddleware:
    """A body sent in chunks (Transfer-Encoding, no Content-Length) is refused with 411 before any
    view runs. Under WSGI Django reads exactly CONTENT_LENGTH bytes, so it would take such a body
    for an empty one: a demand would be refused for missing fields it had ("demand_type required"),
    Open311 would ask for the api_key that was sent, and a body over the limit would escape the 413.
    The answer is in the client's format (web/refusals.py); minyi's gunicorn worker reads the unsent
    chunks after it (web/server.py). A proxy that buffers bodies (nginx does by default) forwards
    them with their length, so only clients that reach minyi directly meet this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if (
            request.method not in BODILESS_METHODS
            and meta.get("HTTP_TRANSFER_ENCODING")
            and not meta.get("CONTENT_LENGTH")
        ):
            return length_required(request)
        return self.get_response(request)


def length_required(request) -> HttpResponse:
    from minyi.web import refusals

    message = _(
        "Send the body with a Content-Length header: this server cannot read a body sent in chunks "
        "(Transfer-Encoding: chunked)."
    )
    response = refusals.refusal(request.path, 411, "length_required", message)
    if response is None:
        context = {"title": _("Length required"), "message": message}
        response = render(request, "web/error.html", context, status=411)
    return response


class LanguageMiddleware:
    """Chinese unless the user chose otherwise with the language switch (a cookie). Unlike Django's
    LocaleMiddleware the browser's Accept-Language is not consulted: a centre's computers often run
    English-language browsers, and the staff expect the Chinese interface all the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


# Pages of the console and the portal run only our own scripts: even if some text slipped through
# unescaped, the browser would not execute it. (The admin keeps Django's defaults.)
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # htmx adds its indicator style; ECharts sizes by style
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
