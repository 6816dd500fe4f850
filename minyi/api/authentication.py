"""Who is calling the API: an API key (`Authorization: Bearer <key>` or `X-Api-Key: <key>`), or a
logged-in member of staff through the console's session (with CSRF on writes, as in the console)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from minyi.api import keys


def key_from(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.META.get("HTTP_X_API_KEY", "").strip()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        raw = key_from(request)
        if not raw:
            return None  # no key: perhaps the session
        key = keys.authenticate(raw)
        if key is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("This API key is unknown or revoked: check it, or ask for a new one (minyi apikey create).")
            )
        return key.user, key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="minyi"'


class StaffSessionAuthentication(authentication.SessionAuthentication):
    """The console's login; only accounts that hold a role (API key accounts cannot log in)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not result[0].role_scopes:
            return None
        return result


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "minyi_<id>_<secret> from `minyi apikey create`",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = StaffSessionAuthentication
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "minyi_session"}
