"""Refusals that reach the top of a view become friendly pages, not server errors."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from minyi.core.errors import MinyiError, NotFound, NotPermitted


class ErrorMiddleware:
    """A `NotFound` or `NotPermitted` (or any other `MinyiError`) that a view did not handle itself
    is shown as the 404/403/400 page with its message; htmx requests get the bare message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, MinyiError):
            return None
        template = {NotFound: "404.html", NotPermitted: "403.html"}.get(type(exception), "web/error.html")
        if getattr(request, "htmx", False):
            template = "web/message.html"
        return render(request, template, {"message": exception.message}, status=exception.http_status)


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
