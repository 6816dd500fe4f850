"""The case page (工单详情): every field, the timeline, deadlines, attachments, linked cases, the
requester (masked, with an audited reveal) and a form for each operation the user may perform now."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.access import cases as access
from minyi.access import personal_data
from minyi.analysis import suggestions
from minyi.analysis.reply_review import review_draft, review_reply
from minyi.analysis.similar import similar_to_case
from minyi.cases import deadlines
from minyi.cases.models import Case, Satisfaction
from minyi.cases.services import MAX_TEXT, case_apply
from minyi.cases.workflow import OPERATIONS, Status, held_reason, may_be_master
from minyi.catalog.services import limits_for, routing_for
from minyi.console.forms import operation_form
from minyi.console.related import related_to
from minyi.console.views.common import safe_next, staff_view
from minyi.console.views.desks import repeat_reasons
from minyi.core import clock
from minyi.core.errors import MinyiError, NotFound
from minyi.org.roles import CENTRE_ROLES
from minyi.projects.links import linkable_projects
from minyi.web.downloads import attachment_response
from minyi.workcal.services import current_calendar

# The usual next step of the loop in each status: its form is listed first and open.
NEXT_STEP = {
    Status.RECEIVED: "accept",
    Status.ACCEPTED: "assign",
    Status.ASSIGNED: "sign_for",
    Status.HANDLING: "reply",
    Status.EXTENSION_REQUESTED: "approve_extension",
    Status.RETURNED: "reassign",
    Status.REPLIED: "callback",
    Status.CALLED_BACK: "archive",
    Status.SUSPENDED: "resume",
}
CLASSIFYING = frozenset({"accept", "classify"})


@staff_view()
def case_page(request, case_id: int):
    case = access.access_case_by_id(request.user, case_id)
    return render(request, "console/case.html", case_context(request, case))


def case_context(request, case: Case, *, bound: dict | None = None, error: MinyiError | None = None) -> dict:
    """Everything the case page shows; `bound` replaces one operation's form (after a failed POST)."""
    user = request.user
    now = clock.now()
    ops = access.allowed_operations(user, case)  # staff hold neither the citizen's nor the system's role
    # After 不满意 the centre chooses between 重办 and 归档 with a reason: neither is the usual next step.
    names = {op.name for op in ops}
    must_choose = {"reopen", "archive"} <= names and case.satisfaction == Satisfaction.DISSATISFIED
    next_step = NEXT_STEP.get(case.status)
    if case.status == Status.CALLED_BACK and case.satisfaction == Satisfaction.UNREACHABLE:
        next_step = "callback"  # 未接通: the usual next step is to call again, not to archive
    if must_choose:
        ops.sort(key=lambda op: op.name not in ("reopen", "archive"))
    else:
        ops.sort(key=lambda op: op.name != next_step)  # the usual next step first
    back = safe_next(request, "")
    proposal = _proposal(case, now) if {"assign", "reassign"} & names else None
    # Whoever may set the category (accept, classify) sees what the classifier proposes.
    suggestion = suggestions.suggestion_for_case(case) if CLASSIFYING & names else None
    forms = {}
    for op in ops:
        forms[op.name] = operation_form(op, case, next=back, **_initial_for(op, case, proposal))
    if bound:
        forms.update(bound)
    events = list(
        case.events.select_related("actor", "actor_unit").prefetch_related("attachments__uploaded_by")
    )
    attachments = list(case.attachments.select_related("uploaded_by"))
    for event in events:  # what this reader may know of who acted and what the files are called
        event.shown_actor = personal_data.event_actor(user, case, event)
        event.shown_note = personal_data.shown_text(user, case, event.note, author=event.actor)
        for item in event.attachments.all():
            item.shown_name = personal_data.attachment_name(user, case, item)
    for item in attachments:
        item.shown_name = personal_data.attachment_name(user, case, item)
    linked = _same_requester(user, case)
    # A leader asked for an instruction on this case (待我批示) finds its form open.
    awaited = "instruct" in names and access.instruction_requests_for(user).filter(case=case).exists()
    return {
        "case": case,
        "light": deadlines.light(case, now),
        "ops": [(op, forms[op.name]) for op in ops],
        "withheld": [held_reason(op.name, case) for op in access.withheld_operations(user, case)],
        "error": error,
        "events": events,
        "attachments": attachments,
        "co_units": list(case.co_units.all()),
        "merged_cases": access.cases_visible_to(user).filter(master=case).order_by("received_at"),
        "master": case.master if case.master_id and access.can_see(user, case.master) else None,
        "linked": linked,
        "related": related_to(user, case),
        "linkable_projects": linkable_projects(user, case),
        "requester": personal_data.requester_for(user, case),
        "channel_shown": personal_data.shown_channel(user, case),
        "description": personal_data.shown_text(user, case, case.description),
        "may_reveal": personal_data.may_reveal(user, case),
        "proposal": proposal,
        "suggestion": suggestion,
        "similar": similar_to_case(user, case),
        "suspected": _suspected_master(user, case),
        # The centre judges a reply before closing the case: its quality and what it lacks.
        "reply_review": review_reply(case) if user.has_role(*CENTRE_ROLES) else None,
        "back": back,
        "open_op": "instruct" if awaited else (None if must_choose else next_step),
        "must_choose": must_choose,
    }


def _suspected_master(user, case: Case) -> dict | None:
    """疑似重复件: the case this one was flagged at registration as probably repeating, with why, for
    the centre (the flag is its working aid), while that case may still be its master."""
    master = case.suspected_master if case.suspected_master_id else None
    if master is None or not access.links_confidential(user) or not access.can_see(user, master):
        return None
    if not may_be_master(master) or case.master_id:
        return None
    return {"case": master, "why": repeat_reasons(case.repeat_reason or {})}


def _same_requester(user, case: Case) -> list[Case]:
    """The requester's other cases, where the user may see that link (personal_data)."""
    return list(personal_data.same_requester_cases(user, case).order_by("-received_at")[:10])


def _proposal(case: Case, now) -> dict:
    """What the routing catalogue and the deadline rules propose for assigning this case now."""
    routing = routing_for(category=case.category, area=case.area)
    limits = limits_for(demand_type=case.demand_type, urgency=case.urgency, category=case.category)
    return {
        "routing": routing,
        "limits": limits,
        "due": current_calendar().due_after(now, limits.handle_limit, limits.handle_unit),
    }


def _initial_for(op, case: Case, proposal: dict | None) -> dict:
    """What an operation's form starts with. Assign and reassign start with the routing catalogue's
    lead unit (not the one that leads the case now: a reassignment must go elsewhere) and the co-units
    the case has; the catalogue's co-units are only shown as a proposal (forms.UnitCheckboxes)."""
    if op.name not in ("assign", "reassign"):
        return {}
    routing = proposal["routing"] if proposal else None
    initial = {"co_units": [u.pk for u in case.co_units.all()]}
    if routing is not None and routing.lead_unit.pk != case.lead_unit_id:
        initial["lead_unit"] = routing.lead_unit.pk
    return initial


@require_POST
@staff_view()
def case_operation(request, case_id: int, operation: str):
    """Perform one operation from the case page (or a desk's row button) through the services."""
    case = access.access_case_by_id(request.user, case_id)
    op = OPERATIONS.get(operation)
    if op is None or op.name == "create":  # the rest the services refuse, with the reason
        raise NotFound(_("There is no operation “%(op)s”.") % {"op": operation})
    form = operation_form(op, case, request.POST, request.FILES)
    fallback = reverse("console:case", args=[case.pk])
    if form.is_valid():
        try:
            updated = case_apply(
                case_id=case.pk,
                operation=op.name,
                actor=request.user,
                expected_version=form.cleaned_data.get("expected_version"),
                note=form.cleaned_data.get("note", ""),
                attachments=form.cleaned_data.get("attachments") or (),
                photos_for_requester=form.cleaned_data.get("photos_for_requester") or (),
                **form.params(),
            )
        except MinyiError as exc:
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(op)s: case %(number)s is now “%(status)s”.")
                % {"op": op.label, "number": updated.tracking_number, "status": updated.get_status_display()},
            )
            if updated.status in (Status.MERGED,) or not access.can_see(request.user, updated):
                return redirect(safe_next(request, reverse("console:home")))
            return redirect(safe_next(request, fallback))
    case.refresh_from_db()
    context = case_context(request, case, bound={op.name: form})
    context["open_op"] = op.name
    return render(request, "console/case.html", context, status=400)


@require_POST
@staff_view()
def reveal_requester(request, case_id: int):
    """Show the requester's name, phone and ID number in full: audited, for those with the right."""
    case = access.access_case_by_id(request.user, case_id)
    requester = personal_data.requester_reveal(request.user, case, purpose=request.POST.get("purpose", ""))
    return render(request, "console/_requester.html", {"case": case, "requester": requester})


# Shown in the browser; anything else (whatever its declared type) is downloaded, never rendered.
@staff_view()
def attachment(request, attachment_id: int):
    """An attachment, only for users who may see its case (never a public file address)."""
    return attachment_response(request.user, attachment_id)


@staff_view()
def case_by_number(request):
    """Jump to a case by its tracking number (the header's search box)."""
    number = (request.GET.get("number") or "").strip()
    case = access.access_case_by_tracking_number(request.user, number)
    return redirect("console:case", case.pk)


@staff_view()
def reply_check(request, case_id: int):
    """The quality of the reply being written (for the unit that may reply)."""
    case = access.access_case_by_id(request.user, case_id)
    if not access.permitted(request.user, case, OPERATIONS["reply"]):
        raise NotFound(_("There is no such case."))
    text = (request.GET.get("note") or "")[:MAX_TEXT]
    review = review_draft(case, text) if text.strip() else None
    return render(request, "console/_reply_check.html", {"review": review, "checking": True})
