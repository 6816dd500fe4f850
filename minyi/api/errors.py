"""Every API error is JSON: {"code": stable code, "message": what to fix, "field"?, "fields"?}.

MinyiError from the services keeps its code and HTTP status; DRF's own errors (validation, auth,
parsing, throttling) are given the same shape.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from minyi.core.errors import MinyiError

CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "malformed",
    exceptions.Throttled: "throttled",
}


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def _flatten(detail) -> object:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, MinyiError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Nothing here: check the address and the id."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        data = {"code": "invalid", "message": _first_message(exc.detail)}
        if isinstance(exc.detail, dict):
            field = next(iter(exc.detail), None)
            if field and field != "non_field_errors":
                data["field"] = field
                data["message"] = f"{field}: {data['message']}"
            data["fields"] = _flatten(exc.detail)
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        code = next((c for kind, c in CODES.items() if isinstance(exc, kind)), "error")
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        return Response(
            {"code": code, "message": _first_message(exc.detail)}, status=exc.status_code, headers=headers
        )
    return None  # a bug: Django's 500 (JSON under /api/, see not_found/server_error below)


def unavailable_message() -> str:
    return _("The service is unavailable for a moment and nothing was saved: try again in a minute.")


def unavailable() -> JsonResponse:
    """The database cannot be reached just now (web/middleware.py decides, and adds Retry-After)."""
    return JsonResponse({"code": "unavailable", "message": unavailable_message()}, status=503)


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Unknown addresses under /api/ answer in JSON too."""
    return JsonResponse(
        {"code": "not_found", "message": _("There is no such API address: see /api/v1/docs/.")}, status=404
    )
