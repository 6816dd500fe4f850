"""The pages of 民情走访 (/console/visits/): the campaigns, a campaign's progress and its export, the
visit form for the secretary's phone, a visit, a household with all its visits, and the
secretary's own recent visits.

Every object comes through access/visits.py; writes go through visits/services.py.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minyi.access import cases as case_access
from minyi.access import visits as access
from minyi.console.views.common import page_of, staff_view
from minyi.core import clock
from minyi.core.errors import MinyiError, NotFound, NotPermitted
from minyi.core.ids import id_from_text
from minyi.org.roles import Role
from minyi.visits import exports, progress
from minyi.visits.addresses import address_key
from minyi.visits.forms import PROBLEM_TYPES, URGENCY_CHOICES, ProblemRow, VisitForm
from minyi.visits.models import Household, VisitPhoto, VisitProblem
from minyi.visits.services import MAX_PROBLEMS, visit_record
from minyi.web.downloads import POLICY


def visits_view(view):
    """A page of this part: for those the console menu shows it to (access.may_open_visits)."""

    @staff_view()
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.may_open_visits(request.user):
            raise NotPermitted(_("Visit campaigns are for visit secretaries, the centre and leaders."))
        return view(request, *args, **kwargs)

    return wrapper


def _context(**extra) -> dict:
    return {"nav": "visits", "problem_types": PROBLEM_TYPES, "urgencies": URGENCY_CHOICES, **extra}


@visits_view
def home(request):
    user = request.user
    campaigns = []
    for campaign in access.campaigns_visible_to(user).order_by("-starts_on", "-id"):
        # Totals only (aggregate queries): the rows per team and place are on the campaign's page.
        figures = progress.campaign_totals(
            campaign=campaign, assignments=access.assignments_visible_to(user, campaign)
        )
        campaigns.append(
            (campaign, figures, access.may_record(user, campaign), access.recording_closed(user, campaign))
        )
    recent = list(progress.recent_visits_of(user)[:5]) if user.has_role(Role.VISIT_SECRETARY) else []
    # A visit secretary's home (console/desks.py HOME): the visit form of each running campaign first.
    recording = [campaign for campaign, _figures, may_record, _closed in campaigns if may_record]
    return render(
        request, "visits/home.html", _context(campaigns=campaigns, recent=recent, recording=recording)
    )


@visits_view
def campaign_page(request, campaign_id: int):
    user = request.user
    campaign = access.access_campaign_by_id(user, campaign_id)
    assignments = access.assignments_visible_to(user, campaign)
    figures = progress.campaign_progress(campaign=campaign, assignments=assignments)
    visible = access.visits_visible_to(user, campaign)
    problems = list(access.problems_shown_to(user, progress.problems_of(visible))[:20])
    return render(
        request,
        "visits/campaign.html",
        _context(
            campaign=campaign,
            progress=figures,
            whole=access.sees_whole_campaign(user),
            may_record=access.may_record(user, campaign),
            recording_closed=access.recording_closed(user, campaign),
            problems=problems,
            visible_cases=_visible_case_ids(user, [p.case for p in problems]),
            latest=visible.select_related("household__area", "secretary", "team").order_by(
                "-visited_on", "-id"
            )[:10],
        ),
    )


@visits_view
def campaign_export(request, campaign_id: int):
    user = request.user
    campaign = access.access_campaign_by_id(user, campaign_id)
    visits = access.visits_visible_to(user, campaign)
    return exports.summary_response(
        campaign=campaign,
        assignments=access.assignments_visible_to(user, campaign),
        visits=visits,
        problems=access.problems_shown_to(user, progress.problems_of(visits)),
        now=clock.now(),
    )


@visits_view
def record(request, campaign_id: int):
    """The visit form. One column, large fields: it is filled in at the door on a phone."""
    user = request.user
    campaign = access.access_campaign_by_id(user, campaign_id)
    assignments = access.check_may_record(user, campaign)
    context = _context(campaign=campaign, max_problems=MAX_PROBLEMS)
    if request.method != "POST":
        context["form"] = VisitForm(assignments=assignments, campaign=campaign)
        return render(request, "visits/record.html", context)
    form = VisitForm(request.POST, request.FILES, assignments=assignments, campaign=campaign)
    # A form shown again cannot hold the files chosen before: say so beside the photos.
    context["form"], context["photos_dropped"] = form, bool(request.FILES.getlist("photos"))
    if "add_problem" in request.POST:  # "add another problem" without JavaScript: the same form, one row more
        if form.may_add_problem:
            form.problem_rows.append(ProblemRow())
        return render(request, "visits/record.html", context)
    if form.is_valid():
        try:
            visit = visit_record(actor=user, campaign=campaign, **form.visit_fields())
        except MinyiError as exc:
            if exc.field in form.fields and not form.fields[exc.field].widget.is_hidden:
                form.add_error(exc.field, exc.message)
            elif exc.field in form.fields:  # the form's token: said above the form
                form.add_error(None, exc.message)
            else:
                context["problem_error"] = exc.message
        else:
            if visit.replayed:
                # The same form arrived a second time: show the visit its first sending recorded.
                messages.info(
                    request, _("This visit was saved already (the form was sent twice): here it is.")
                )
                return redirect("visits:visit", visit.pk)
            n = visit.problems.count()
            message = (
                ngettext(
                    "Visit recorded; %(n)d problem registered as a case.",
                    "Visit recorded; %(n)d problems registered as cases.",
                    n,
                )
                % {"n": n}
                if n
                else _("Visit recorded.")
            )
            messages.success(request, message)
            return redirect("visits:visit", visit.pk)
    return render(request, "visits/record.html", context, status=400)


@visits_view
def problem_row(request):
    """One more empty problem row (htmx appends it to the form). Each row sends a `problem_row`
    marker along, so the rows already shown are counted without a script: the row that reaches
    the limit also replaces the button by a note (an out-of-band swap), and none is added beyond."""
    shown = len(request.GET.getlist("problem_row"))
    if shown >= MAX_PROBLEMS:
        return render(request, "visits/_problem_limit.html", _context(max_problems=MAX_PROBLEMS, oob=True))
    return render(
        request,
        "visits/_problem_row.html",
        _context(row=ProblemRow(), max_problems=MAX_PROBLEMS, at_limit=shown + 1 >= MAX_PROBLEMS),
    )


@visits_view
def household_lookup(request, campaign_id: int):
    """The earlier visits to the address being typed (htmx, as the secretary types it)."""
    user = request.user
    campaign = access.access_campaign_by_id(user, campaign_id)
    area_id = id_from_text((request.GET.get("area") or "").strip())
    key = address_key(request.GET.get("address") or "")
    household = None
    if area_id is not None and len(key) >= 2:
        household = access.households_visible_to(user).filter(area_id=area_id, address_key=key).first()
    visits = (
        list(progress.household_visits(household, visible=access.visits_visible_to(user))[:5])
        if household
        else []
    )
    return render(
        request, "visits/_earlier.html", {"household": household, "visits": visits, "campaign": campaign}
    )


@visits_view
def visit_page(request, visit_id: int):
    user = request.user
    visit = access.access_visit_by_id(user, visit_id)
    problems = list(
        access.problems_shown_to(user, visit.problems.select_related("case")).order_by("position")
    )
    visible = access.visits_visible_to(user)
    return render(
        request,
        "visits/visit.html",
        _context(
            visit=visit,
            photos=list(visit.photos.all()),
            problems=problems,
            visible_cases=_visible_case_ids(user, [p.case for p in problems]),
            others=list(progress.other_visits(visit, visible=visible)[:20]),
            visit_count=progress.household_visits(visit.household, visible=visible).count(),
            may_record_again=access.may_record(user, visit.campaign),
            # A visit of an earlier campaign, seen as the history of a door: its campaign's page
            # may be outside the reader's campaigns.
            campaign_visible=access.campaigns_visible_to(user).filter(pk=visit.campaign_id).exists(),
        ),
    )


@visits_view
def photo(request, photo_id: int):
    """A photo of a visit, only for those who may see the visit (never a public file address)."""
    item = VisitPhoto.objects.filter(pk=photo_id).first()
    if item is None or not access.visits_visible_to(request.user).filter(pk=item.visit_id).exists():
        raise NotFound(_("There is no such photo, or it is outside your scope."))
    response = FileResponse(item.file.open("rb"), filename=item.name)
    response["Content-Type"] = item.content_type
    response["Content-Security-Policy"] = POLICY
    return response


@visits_view
def household_page(request, household_id: int):
    user = request.user
    household: Household = access.access_household_by_id(user, household_id)
    visits = list(progress.household_visits(household, visible=access.visits_visible_to(user)))
    shown = access.problems_shown_to(
        user, VisitProblem.objects.filter(visit__in=visits).select_related("case")
    )
    problems: dict[int, list] = {}
    for problem in shown.order_by("position"):
        problems.setdefault(problem.visit_id, []).append(problem)
    for v in visits:
        v.shown_problems = problems.get(v.pk, [])
    cases = [p.case for found in problems.values() for p in found]
    return render(
        request,
        "visits/household.html",
        _context(household=household, visits=visits, visible_cases=_visible_case_ids(user, cases)),
    )


@visits_view
def mine(request):
    user = request.user
    page = page_of(request, progress.recent_visits_of(user))
    return render(request, "visits/mine.html", _context(page=page))


def _visible_case_ids(user, cases) -> set[int]:
    """Of these cases, the ids the user may open (the link to the case page is shown for those)."""
    ids = [c.pk for c in cases]
    return set(case_access.cases_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
