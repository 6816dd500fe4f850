"""Error pages shared by the console and the portal."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def csrf_failure(request, reason=""):
    return render(
        request,
        "web/error.html",
        {
            "title": _("The form has expired"),
            "message": _(
                "This page was open too long or cookies are blocked. Go back, reload the page and send "
                "the form again."
            ),
        },
        status=403,
    )


def bad_request(request, exception=None):
    """What Django refuses before or in a view (a Host this server does not serve, too many fields or
    files, a body whose text is over DATA_UPLOAD_MAX_MEMORY_SIZE): the page says what to do, the API
    answers in its JSON shape, Open311 in its error list (web/refusals.py). A body too large is a 413,
    the honest status; the rest of it is read after the answer by minyi's gunicorn worker
    (web/server.py), so the client is not cut off. Never the sender's Host or data: they are not ours
    to repeat."""
    from minyi.web import refusals

    message = _bad_request_message(exception)
    status, code = (413, "too_large") if isinstance(exception, RequestDataTooBig) else (400, "bad_request")
    response = refusals.refusal(request.path, status, code, message)
    return response or render(request, "400.html", {"message": message}, status=status)


def _bad_request_message(exception) -> str:
    if isinstance(exception, DisallowedHost):
        return _(
            "This server does not answer to the host name in the address you used: open minyi under the "
            "address the centre gave you."
        )
    if isinstance(exception, TooManyFieldsSent):
        return _(
            "The form sent more than %(most)d fields, more than any form of minyi has: reload the page "
            "and send the form again."
        ) % {"most": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    if isinstance(exception, TooManyFilesSent):
        return _("The form sent more than %(most)d files: send at most %(most)d at once.") % {
            "most": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    if isinstance(exception, RequestDataTooBig):
        most = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _(
            "The text of the request (a JSON body, or a form without its files) is larger than "
            "%(mb).1f MB (%(most)d bytes): send shorter texts."
        ) % {"mb": most / 2**20, "most": most}
    return _("The request could not be understood. Reload the page and try again.")


def server_error(request):
    """A bug: the friendly page, or for API clients the API's JSON error shape. A database failure
    outside a view (a middleware saving the session) still gets the 503 of the middleware."""
    from minyi.web.middleware import database_unavailable, unavailable_response

    exc = sys.exc_info()[1]  # Django calls this view inside its `except`
    if exc is not None and database_unavailable(exc):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        message = _("Something went wrong on our side; it has been logged. Try again later.")
        return JsonResponse({"code": "server_error", "message": str(message)}, status=500)
    return render(request, "500.html", status=500)
