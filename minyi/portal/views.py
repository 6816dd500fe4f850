"""Views of the citizen portal (群众端): raise a demand, follow it, rate the reply, public statistics.

Citizens have no account. They act as `Citizen()` when raising a demand and as `Citizen(case_id=…)`
for a case this browser has proven with its tracking number and query code (see proofs.py). Pages
that show a query code or a case are never cached, so that the back button of a shared phone does
not show them to the next person.
"""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi.access import cases as access
from minyi.access.principals import Citizen
from minyi.cases.models import Case
from minyi.cases.numbers import normal_tracking_number
from minyi.cases.services import case_apply, case_create
from minyi.cases.workflow import OPERATIONS
from minyi.catalog.choices import Channel
from minyi.core import clock
from minyi.core.errors import MinyiError, NotFound
from minyi.org.models import Area
from minyi.portal import limits, proofs
from minyi.portal.forms import COMMUNITY, GRID, DemandForm, FollowForm, RateForm, place_choices
from minyi.portal.timeline import latest_reply, public_timeline
from minyi.stats.measures import headline, top_categories
from minyi.stats.periods import this_month
from minyi.web.downloads import attachment_response
from minyi.web.ratelimit import Refused

RATEABLE = OPERATIONS["rate"].sources


@require_GET
def home(request):
    return render(request, "portal/home.html", {"nav": "home"})


# --- raise a demand (我要反映) ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit(request):
    if request.method == "POST":
        refused = limits.submission_refused(request)
        if refused:
            return _too_many(request, refused)
        form = DemandForm(request.POST, request.FILES)
        if form.is_valid():
            fields = form.case_fields()
            refused = limits.phone_refused(fields["requester_phone"])
            if refused:
                return _too_many(request, refused)
            try:
                case = case_create(actor=Citizen(), channel=Channel.WEB, **fields)
            except MinyiError as exc:
                form.add_service_error(exc)
            else:
                proofs.remember_submitted(request, case)
                return redirect("portal:submitted")
    else:
        form = DemandForm()
    return render(request, "portal/submit.html", {"form": form, "nav": "submit"})


@require_GET
def areas(request):
    """htmx: the <option>s of the communities of ?street= (and an emptied grid select), or of the grids
    of ?community=."""
    if "street" in request.GET:
        choices, reset_grid = place_choices(request.GET["street"], COMMUNITY), True
    else:
        choices, reset_grid = place_choices(request.GET.get("community"), GRID), False
    context = {"choices": choices, "reset_grid": reset_grid, "grid_choices": place_choices(None, GRID)}
    return render(request, "portal/_options.html", context)


@require_GET
@never_cache
def submitted(request):
    """The tracking number and query code of the demand this browser has just sent, with a QR code."""
    sent = proofs.submitted(request)
    if sent is None:
        message = _(
            "This browser has not sent a demand recently. To follow a demand, enter its tracking number "
            "and query code."
        )
        return _refuse(request, "", message)
    follow_url = request.build_absolute_uri(
        f"{reverse('portal:follow')}?{urlencode({'number': sent['number']})}"
    )
    # The SVG is drawn by segno from our own address (the query code is not in it): safe to embed.
    qr = mark_safe(segno.make(follow_url, micro=False).svg_inline(scale=4, omitsize=True, light="#fff"))
    return render(
        request, "portal/submitted.html", {"number": sent["number"], "code": sent["code"], "qr": qr}
    )


# --- follow a demand (进度查询) --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def follow(request):
    if request.method == "POST":
        refused = limits.lookup_refused(request)
        if refused:
            return _too_many(request, refused)
        form = FollowForm(request.POST)
        if form.is_valid():
            number, asked_at = form.cleaned_data["tracking_number"], clock.now()
            refused = limits.code_guess_refused(request, number, at=asked_at)
            if refused:
                return _too_many(request, refused)
            try:
                case = access.access_case_by_query_code(number, form.cleaned_data["query_code"])
            except NotFound as exc:
                form.add_error(None, exc.message)
            else:
                limits.code_was_right(request, number, at=asked_at)
                proofs.prove(request, case)
                return redirect("portal:case", tracking_number=case.tracking_number)
    else:
        form = FollowForm(initial={"tracking_number": request.GET.get("number", "").strip()[:20]})
    return render(request, "portal/follow.html", {"form": form, "nav": "follow"})


@require_GET
@never_cache
def case(request, tracking_number: str):
    found = _proven_case(request, tracking_number)
    if found is None:
        return _refuse(request, tracking_number)
    return _render_case(request, found, RateForm())


@require_POST
@never_cache
def rate(request, tracking_number: str):
    found = _proven_case(request, tracking_number)
    if found is None:
        return _refuse(request, tracking_number)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            case_apply(
                case_id=found.pk,
                operation="rate",
                actor=Citizen(case_id=found.pk),
                stars=form.cleaned_data["stars"],
            )
        except MinyiError as exc:
            form.add_error(None, exc.message)  # already rated, or not (or no longer) possible
        else:
            messages.success(request, _("Thank you: your rating has been recorded."))
            return redirect("portal:case", tracking_number=found.tracking_number)
    return _render_case(request, found, form, status=400)


@require_GET
@never_cache
def reply_photo(request, tracking_number: str, attachment_id: int):
    """A photo the handling unit sent with its reply for the requester, to the browser that proved
    the case (access.cases.attachments_visible_to decides which photos; never a public file address)."""
    found = _proven_case(request, tracking_number)
    try:
        if found is None:
            raise NotFound(_("There is no such photo."))
        return attachment_response(Citizen(case_id=found.pk), attachment_id)
    except NotFound:
        raise Http404(_("There is no such photo.")) from None


def _proven_case(request, tracking_number: str) -> Case | None:
    """The case with this tracking number if this browser has proven it, else None."""
    number = normal_tracking_number(tracking_number)
    pk = Case.objects.filter(tracking_number=number).values_list("pk", flat=True).first()
    if pk is None or not proofs.has_proven(request, pk):
        return None
    return access.access_case_by_id(Citizen(case_id=pk), pk)


def _refuse(request, tracking_number: str, message: str = ""):
    """404 with the look-up form: the same answer whether the case exists or not."""
    form = FollowForm(initial={"tracking_number": tracking_number[:20]})
    message = message or _("To see this demand on this device, enter its tracking number and query code.")
    return render(
        request, "portal/follow.html", {"form": form, "refused": message, "nav": "follow"}, status=404
    )


def _render_case(request, case: Case, rate_form: RateForm, *, status: int = 200):
    place = Area.objects.filter(pk=case.area_id).first()
    timeline = public_timeline(case)
    context = {
        "case": case,
        "place": place.full_name if place else "",
        "timeline": timeline,
        "reply": latest_reply(timeline),
        "replied": case.status in RATEABLE and bool(case.reply_text),
        "may_rate": case.status in RATEABLE and case.citizen_rating is None,
        "rate_form": rate_form,
        "nav": "follow",
    }
    return render(request, "portal/case.html", context, status=status)


# --- public statistics (数据公开) ------------------------------------------------------------------


@require_GET
def stats(request):
    now = clock.now()
    month = this_month(now)
    start, end = month.start, month.end
    # Aggregates of the whole district: no case and no personal data leaves this view.
    cases = Case.objects.all()
    figures = headline(cases, start, end)
    top = top_categories(cases, start, end, 5)
    chart = {
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "inverse": True, "data": [name for name, _n in top]},
        "series": [
            {
                "type": "bar",
                "data": [n for _name, n in top],
                "barMaxWidth": 28,
                "itemStyle": {"color": "#1d4f91"},
                "label": {"show": True, "position": "right"},
            }
        ],
        "tooltip": {},
    }
    context = {"figures": figures, "top": top, "chart": chart, "month": start, "now": now, "nav": "stats"}
    return render(request, "portal/stats.html", context)


# --- refusals ------------------------------------------------------------------------------------


def _too_many(request, refused: Refused):
    """429 saying which limit refused and when it lifts."""
    context = {"message": limits.refusal_message(refused)}
    response = render(request, "portal/too_many.html", context, status=429)
    response["Retry-After"] = str(max(0, int((refused.retry_at - clock.now()).total_seconds())))
    return response
