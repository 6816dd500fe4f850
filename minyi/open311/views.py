"""The Open311 GeoReport v2 endpoints, with mySociety's `servicerequestupdates`.

Every endpoint answers in the format its suffix names (.xml or .json). Refusals are the spec's error
list with the HTTP status of the `MinyiError` behind them (400, 403, 404, 409). The views are exempt
from CSRF: external systems authenticate with `api_key`, not with a browser's session, and no
session or cookie is read here.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from minyi.cases.numbers import normal_tracking_number
from minyi.core import clock
from minyi.core.errors import InvalidInput, MinyiError, NotFound
from minyi.open311 import auth, catalog, formats, intake, updates
from minyi.open311.params import Params
from minyi.open311.representation import present_cases, present_update, with_case_fields
from minyi.open311.statuses import OPEN311_STATUS

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API last changed (the discovery document's changeset).
CHANGESET = dt.datetime(2026, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
MAX_RESULTS = 1000
REQUESTS_WINDOW = dt.timedelta(days=90)  # GeoReport v2: "a span of 90 days or first 1000 requests"
UPDATES_WINDOW = dt.timedelta(hours=24)
OPEN311_STATUSES = ("open", "closed")


def endpoint(*methods: str):
    """Format, method and jurisdiction checks and the error format, for every endpoint."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, fmt: str, **kwargs):
            if fmt not in formats.FORMATS:
                return formats.error(
                    formats.XML, 404, _("Unknown format “%(fmt)s”: use .xml or .json.") % {"fmt": fmt}
                )
            if request.method not in methods:
                response = formats.error(
                    fmt, 405, _("%(method)s is not allowed here.") % {"method": request.method}
                )
                response["Allow"] = ", ".join(methods)
                return response
            params = Params(request)
            try:
                params.check_characters(kwargs)
                auth.check_jurisdiction(params)
                return view(request, fmt, params, **kwargs)
            except MinyiError as exc:
                return formats.error(fmt, exc.http_status, exc.message)

        return wrapper

    return decorate


@csrf_exempt
def not_found(request, path: str = ""):
    """Anything else under /open311/v2/: the spec's 404, in the format the path ends with if known."""
    fmt = path.rsplit(".", 1)[-1] if "." in path else formats.XML
    return formats.error(fmt, 404, _("There is no Open311 resource “%(path)s”.") % {"path": path})


@endpoint("GET")
def discovery(request, fmt, params):
    base = request.build_absolute_uri(reverse("open311:root"))
    document = {
        "changeset": CHANGESET,
        "contact": _("The public demand service centre of the district."),
        "key_service": _("API keys are issued by the administrators of minyi (minyi apikey create)."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return formats.respond(fmt, "discovery", document)


@endpoint("GET")
def services(request, fmt, params):
    rows = [
        {
            "service_code": service.category.code,
            "service_name": service.category.name,
            "description": service.full_name,
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": service.group,
        }
        for service in catalog.public_services()
    ]
    return formats.respond(fmt, "services", rows, item="service")


@endpoint("GET")
def service_definition(request, fmt, params, code: str):
    service = catalog.find_service(code)
    if service is None:
        raise NotFound(_("There is no service “%(code)s”.") % {"code": code})
    return formats.respond(fmt, "service_definition", catalog.definition(service.category))


@endpoint("GET", "POST")
def requests(request, fmt, params):
    if request.method == "POST":
        key = auth.writer(params)
        case = intake.create_request(key, params, request.FILES.getlist("media"))
        row = {
            "service_request_id": case.tracking_number,
            "service_notice": _("Received as %(number)s; the service centre will accept and assign it.")
            % {"number": case.tracking_number},
            "account_id": params.get("account_id") or "",
        }
        return formats.respond(fmt, "service_requests", [row], item="request")
    cases, full = auth.readable_cases(params)
    ids = params.id_list("service_request_id")
    if ids is not None:  # the spec: a list of ids overrides every other filter
        cases = cases.filter(tracking_number__in=[normal_tracking_number(i) for i in ids])
    else:
        cases = _filter_requests(cases, params, full)
    found = list(with_case_fields(cases).order_by("-received_at", "-id")[:MAX_RESULTS])
    return formats.respond(fmt, "service_requests", present_cases(found, full=full), item="request")


def _filter_requests(cases, params: Params, full: bool):
    code = params.get("service_code")
    if code is not None:
        service = catalog.find_service(code)
        if service is None:
            raise InvalidInput(
                _("There is no service “%(code)s”: see services for the codes.") % {"code": code},
                field="service_code",
            )
        cases = cases.filter(category__path__startswith=service.category.path)
    start, end = _window(params, REQUESTS_WINDOW, start_widens_end=True)
    cases = cases.filter(received_at__gte=start, received_at__lte=end)
    status = params.get("status")
    if status is not None:
        wanted = {s.strip().lower() for s in status.split(",") if s.strip()}
        if not wanted or wanted - set(OPEN311_STATUSES):
            raise InvalidInput(
                _("status “%(status)s” is unknown: use open, closed or open,closed.") % {"status": status},
                field="status",
            )
        cases = cases.filter(status__in=[s for s, word in OPEN311_STATUS.items() if word in wanted])
    return cases


def _window(params: Params, span: dt.timedelta, *, start_widens_end: bool) -> tuple[dt.datetime, dt.datetime]:
    """start_date/end_date, each defaulting from the other (or from now) by `span`."""
    start, end = params.datetime("start_date"), params.datetime("end_date")
    if end is None:
        end = start + span if (start is not None and start_widens_end) else clock.now()
    if start is None:
        start = end - span
    if start > end:
        raise InvalidInput(_("start_date must not be after end_date."), field="start_date")
    return start, end


def _one_case(params: Params, number: str):
    cases, full = auth.readable_cases(params)
    case = with_case_fields(cases).filter(tracking_number=normal_tracking_number(number)).first()
    if case is None:
        raise NotFound(_("There is no service request %(id)s.") % {"id": number})
    return case, full


@endpoint("GET")
def request_detail(request, fmt, params, request_id: str):
    case, full = _one_case(params, request_id)
    return formats.respond(fmt, "service_requests", present_cases([case], full=full), item="request")


@endpoint("GET")
def token(request, fmt, params, token: str):
    """Requests are created at once, so a token is only the tracking number again (see docs)."""
    case, _full = _one_case(params, token)
    row = {"service_request_id": case.tracking_number, "token": case.tracking_number}
    return formats.respond(fmt, "service_requests", [row], item="request")


@endpoint("GET", "POST")
def service_request_updates(request, fmt, params):
    if request.method == "POST":
        key = auth.writer(params)
        event = updates.post_update(key, params, request.FILES.getlist("media"))
        return formats.respond(
            fmt, "service_request_updates", [{"update_id": str(event.pk)}], item="request_update"
        )
    cases, full = auth.readable_cases(params)
    start, end = _window(params, UPDATES_WINDOW, start_widens_end=False)
    events = (
        updates.feed(cases).filter(created_at__gte=start, created_at__lte=end).order_by("created_at", "id")
    )
    rows = [present_update(e, e.case.tracking_number, full=full) for e in events[:MAX_RESULTS]]
    return formats.respond(fmt, "service_request_updates", rows, item="request_update")
