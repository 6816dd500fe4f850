"""受理台 (intake desk): register a call or a window visit fast, see the caller's earlier cases, answer
from the knowledge base (the operator reads the whole answer, may edit it and confirms before anything
is registered and closed), and read the tracking number and query code back to the caller."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from minyi.access import cases as access
from minyi.access import personal_data
from minyi.analysis import suggestions
from minyi.analysis.similar import similar_cases
from minyi.cases.services import case_apply, case_create
from minyi.cases.workflow import OPERATIONS
from minyi.catalog.choices import Channel, DemandType
from minyi.console.desks import INTAKE
from minyi.console.forms import IntakeForm
from minyi.console.views.common import staff_view
from minyi.console.views.desks import render_desk
from minyi.core import clock
from minyi.core.errors import MinyiError, TooManyRequests
from minyi.core.ids import id_from_text
from minyi.knowledge.models import KnowledgeEntry
from minyi.knowledge.search import answers_for, search
from minyi.org.models import Area
from minyi.org.roles import CALL_TAKING_ROLES, Role

CHANNEL_OF_ROLE = {Role.GRID_WORKER: Channel.GRID, Role.VISIT_SECRETARY: Channel.VISIT}


@staff_view(*INTAKE.roles)
def intake(request):
    user = request.user
    preview = None
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, user=user)
        confirmed = id_from_text(request.POST.get("confirm_answer"))
        answer_text = request.POST.get("answer_text", "")
        digest = request.POST.get("demand_digest", "")
        now = demand_digest(request.POST.get("title", ""), request.POST.get("description", ""))
        if confirmed is not None:
            preview = {"entry": _entry(confirmed), "answer_text": answer_text, "demand_digest": now}
        elif request.POST.get("answer_with"):
            # "Answer directly" never closes in one click: the operator first reads the whole answer.
            entry = _entry(id_from_text(request.POST.get("answer_with")))
            preview = {"entry": entry, "answer_text": entry.answer if entry else "", "demand_digest": now}
        if form.is_valid() and (confirmed is not None or preview is None):
            try:
                case = _register(user, form, confirmed, answer_text, digest)
            except MinyiError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect(reverse("console:intake") + f"?done={case.pk}")
        if preview is not None and preview["entry"] is None and confirmed is None:
            form.add_error(None, _("That knowledge entry no longer exists: search again."))
    else:
        initial = {}
        for role, channel in CHANNEL_OF_ROLE.items():
            if user.has_role(role) and not user.has_role(Role.OPERATOR):
                initial["channel"] = channel
        if user.area_id:
            initial["area"] = user.area_id
        form = IntakeForm(user=user, initial=initial)
    done = _just_registered(user, request.GET.get("done"))
    return render_desk(
        request,
        INTAKE,
        "console/intake.html",
        form=form,
        done=done,
        caller_history=personal_data.may_look_up_callers(user),
        preview=preview,
        may_answer=user.has_role(*OPERATIONS["answer"].roles),
    )


def _just_registered(user, case_id: str | None):
    """The case this user registered in the last hour, to read its numbers back to the caller; the
    query code of any other case is not shown here (it is the requester's key to the portal)."""
    case_id = id_from_text(case_id)
    if case_id is None:
        return None
    recent = clock.now() - dt.timedelta(hours=1)
    return access.cases_visible_to(user).filter(pk=case_id, created_by=user, received_at__gte=recent).first()


def _entry(entry_id: int | None) -> KnowledgeEntry | None:
    if entry_id is None:
        return None
    return KnowledgeEntry.objects.filter(pk=entry_id, is_active=True).first()


def _register(user, form: IntakeForm, entry_id: int | None, answer_text: str, digest: str = ""):
    """Register the case; with a confirmed knowledge entry also answer it on the spot with the text the
    operator confirmed (the entry's answer, perhaps edited) — only for the demand the operator read
    that answer for, and never for a complaint or a report."""
    entry = answer = None
    if entry_id is not None:
        entry = _entry(entry_id)
        if entry is None:
            raise MinyiError(_("That knowledge entry no longer exists: search again."))
        data = form.cleaned_data
        if not may_answer_directly(data.get("demand_type")):
            raise MinyiError(
                _("A complaint or a report needs a unit to act: register it without the answer.")
            )
        if digest != demand_digest(data.get("title", ""), data.get("description", "")):
            raise MinyiError(
                _(
                    "The demand was changed after the answer was opened: open the answer again "
                    "for the demand as it is now, or register without it."
                )
            )
        answer = (answer_text or "").strip()
        if not answer:
            raise MinyiError(
                _("The answer is empty: write what you told the caller, or register without it.")
            )
    fields = form.case_fields()
    files = fields.pop("attachments") or ()
    case = case_create(actor=user, attachments=files, **fields)
    suggestions.suggestion_for_case(case)  # what the operator was shown, for accuracy in production
    if entry is not None:
        case = case_apply(
            case_id=case.pk, operation="answer", actor=user, note=answer, knowledge_entry=entry.pk
        )
    return case


@staff_view(*CALL_TAKING_ROLES)
def caller_history(request):
    """The caller's earlier cases, looked up by the whole phone number as the operator types it
    (rate-limited, recorded and audited: access/personal_data.py, cases_of_caller)."""
    phone = (request.GET.get("requester_phone") or "")[:40]
    context = {"cases": [], "whole": personal_data.whole_phone(phone) is not None, "refused": ""}
    try:
        context["cases"] = personal_data.cases_of_caller(request.user, phone=phone)
    except TooManyRequests as exc:
        context["refused"] = exc.message
    return render(request, "console/_caller_history.html", context)


@staff_view(*INTAKE.roles)
def knowledge(request):
    """Knowledge-base entries for the intake desk. With `q`: what the operator searched for by hand,
    ranked. Without: the entries that answer the demand typed so far (title and description together),
    none rather than a wrong one. With `preview`: one entry's whole answer to check, edit and confirm."""
    typed = _typed(request)
    title, description = (typed.get("title") or "")[:200], (typed.get("description") or "")[:5000]
    answerer = request.user.has_role(*OPERATIONS["answer"].roles)
    may_answer = answerer and may_answer_directly(typed.get("demand_type"))
    if "preview" in typed:
        entry = _entry(id_from_text(typed.get("preview")))
        context = {
            "entry": entry,
            "answer_text": entry.answer if entry else "",
            "may_answer": may_answer,
            "demand_digest": demand_digest(title, description),
        }
        return render(request, "console/_knowledge_preview.html", context)
    query = (typed.get("q") or "").strip()[:200]
    if query:
        entries = [hit.entry for hit in search(query, limit=5)] if len(query) >= 2 else []
    elif len(title.strip()) + len(description.strip()) >= 2:
        entries = [found.entry for found in answers_for(title=title, description=description, limit=3)]
    else:
        entries = []
    context = {
        "entries": entries,
        "by_hand": bool(query),
        "typed": bool(query or title.strip() or description.strip()),
        "may_answer": may_answer,
        "answer_blocked": answerer and not may_answer,
    }
    return render(request, "console/_knowledge.html", context)


# A knowledge answer closes the case: that answers a question, never a complaint or a report of
# wrongdoing, which need a unit to act however well an entry's words match.
NOT_ANSWERED_DIRECTLY = frozenset({DemandType.COMPLAINT, DemandType.REPORT})


def may_answer_directly(demand_type: str | None) -> bool:
    return demand_type not in NOT_ANSWERED_DIRECTLY


def demand_digest(title: str, description: str) -> str:
    """What the demand said when the operator opened an answer's preview: confirming it after the
    demand was rewritten would close the new demand with the old one's answer."""
    value = f"{(title or '').strip()}\n{(description or '').strip()}"
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _typed(request):
    """What the operator typed so far: the panels send it by POST (a pasted letter is longer than an
    address may be: GET answered 414 from about 450 characters on), GET still works for a short one."""
    return request.POST if request.method == "POST" else request.GET


def _area_of(request) -> Area | None:
    area_id = id_from_text(_typed(request).get("area"))
    return None if area_id is None else Area.objects.filter(pk=area_id).first()


@staff_view(*INTAKE.roles)
def category_suggestion(request):
    """The likeliest categories of the demand typed so far, with the routing each implies."""
    area = _area_of(request)
    typed = _typed(request)
    suggestion = suggestions.suggest(
        title=(typed.get("title") or "")[:200],
        description=(typed.get("description") or "")[:5000],
        area=area,
    )
    return render(request, "console/_category_suggestion.html", {"suggestion": suggestion})


@staff_view(*INTAKE.roles)
def similar(request):
    """Open and recent cases that are probably the same problem as the demand typed so far."""
    typed = _typed(request)
    title, description = (typed.get("title") or "")[:200], (typed.get("description") or "")[:5000]
    found = similar_cases(
        request.user,
        title=title,
        description=description,
        area=_area_of(request),
    )
    context = {"similar": found, "searched": len(title) + len(description) >= 4}
    return render(request, "console/_similar_cases.html", context)
