"""Error pages shared by the console and the portal."""

from __future__ import annotations

import sys

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


def server_error(request):
    """A bug: the friendly page, or for API clients the API's JSON error shape. A database failure
    outside a view (a middleware saving the session) still gets the 503 of the middleware."""
    from minyi.web.middleware import database_unavailable, unavailable_response

    exc = sys.exc_info()[1]  # Django calls this view inside its `except`
    if exc is not None and database_unavailable(exc):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        message = _("Something went wrong on our side; it has been logged. Try again later.")
        return JsonResponse({"code": "server_error", "message": str(message)}, status=500)
    return render(request, "500.html", status=500)
