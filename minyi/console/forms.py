"""Forms of the console: the intake form and one small form per workflow operation.

Forms only parse and label input; the services validate it (and say what to fix). An operation's
form turns into `case_apply(..., note=…, **form.params())`.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minyi.access import cases as access
from minyi.cases.models import Satisfaction, SupervisionLevel
from minyi.cases.services import ATTACHMENT_MAX_BYTES, MAX_EXTENSION_DAYS, MAX_HANDLE_DAYS, MAX_TEXT
from minyi.cases.workflow import OPERATIONS
from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.catalog.services import routing_for
from minyi.console import choices
from minyi.core.photos import PHOTO_TYPES
from minyi.org.roles import CALL_TAKING_ROLES
from minyi.web.forms import MultipleFileField, PhoneField, PlaceField, TrackingNumberField

STAFF_CHANNELS = [
    (c.value, c.label)
    for c in (Channel.HOTLINE, Channel.WINDOW, Channel.PETITION, Channel.GRID, Channel.VISIT)
]


class IntakeForm(forms.Form):
    """受理台: one fast form for a call or a window visit."""

    requester_phone = PhoneField(label=_("Caller's phone"), max_length=32, required=False)
    requester_name = forms.CharField(label=_("Name"), max_length=50, required=False)
    is_anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS, initial=Channel.HOTLINE)
    demand_type = forms.ChoiceField(label=_("Type"), choices=DemandType.choices, initial=DemandType.COMPLAINT)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What the caller says"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    area = PlaceField(label=_("Place"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    needs_contact = forms.BooleanField(label=_("The unit must call the requester back"), required=False)
    is_confidential = forms.BooleanField(
        label=_("Keep the requester's identity confidential"), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A call taker hears a caller; a grid worker or a visit secretary writes down what a resident
        # reported to them on the spot: the same form, named for whoever fills it in.
        self.takes_calls = user is None or user.has_role(*CALL_TAKING_ROLES)
        if not self.takes_calls:
            self.fields["requester_phone"].label = _("Requester's phone")
            self.fields["description"].label = _("What the requester reports")
        self.fields["area"].offer()
        self.fields["category"].choices = [("", _("— not yet classified —")), *choices.category_choices()]

    def case_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["category"] = data["category"] or None
        return data


class OperationForm(forms.Form):
    """The note (and the version the user saw) that every operation takes."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, op=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.op, self.case = op, case
        if op is not None and op.note_required:
            self.fields["note"].required = True
            self.fields["note"].widget.attrs["required"] = True
        if op is not None and op.name in NOTE_LABELS:
            self.fields["note"].label = NOTE_LABELS[op.name]

    def params(self) -> dict:
        return {}


NOTE_LABELS = {
    "reject": _("Reason for not accepting"),
    "answer": _("Answer given to the caller"),
    "reply": _("Reply to the requester"),
    "return": _("Why the case is not for your unit"),
    "request_extension": _("Why more time is needed"),
    "deny_extension": _("Reason"),
    "uphold": _("Why the unit must handle it"),
    "supervise": _("Supervision note"),
    "request_instruction": _("What the leader is asked to decide"),
    "instruct": _("Instruction"),
    "reopen": _("What the requester is still dissatisfied with"),
    "withdraw": _("Why the requester withdraws"),
    "suspend": _("Why the case is suspended"),
    "co_reply": _("Opinion of your unit"),
    "callback": _("Callback notes"),
}


class NeedsContactForm(OperationForm):
    """需联系诉求人, decided where the centre hands a case on (accept, classify, assign, reassign):
    the handling units may then reveal the requester's phone (audited) to call them. It starts as the
    case has it: on when the requester asked to be called back or, in the portal, gave a phone number
    under the promise that the unit may call (portal/forms.py)."""

    needs_contact = forms.BooleanField(
        label=_("Needs contact"),
        required=False,
        help_text=_(
            "The handling units may then see the requester's phone number (each look is recorded) "
            "and call them; never for a confidential case."
        ),
    )
    # A checkbox left unticked is not sent at all, like a form that never showed it (a desk row's
    # one-click accept): this marker tells the two apart, so only a shown box changes the case.
    needs_contact_shown = forms.BooleanField(widget=forms.HiddenInput, required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case is not None and not self.is_bound:
            self.initial.setdefault("needs_contact", self.case.needs_contact)

    def contact_decision(self) -> dict:
        """The decision as a parameter of the operation, when the form showed the box."""
        if not self.cleaned_data.get("needs_contact_shown"):
            return {}
        return {"needs_contact": self.cleaned_data["needs_contact"]}


class ClassifyForm(NeedsContactForm):
    category = forms.ChoiceField(label=_("Category"), required=False)
    demand_type = forms.ChoiceField(label=_("Type"), choices=DemandType.choices, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)

    field_order = ["expected_version", "note", "next", "category", "demand_type", "urgency", "needs_contact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *choices.category_choices()]
        if self.case is not None and not self.is_bound:
            self.initial.update(
                category=self.case.category.code if self.case.category_id else "",
                demand_type=self.case.demand_type,
                urgency=self.case.urgency,
            )

    def params(self) -> dict:
        data = self.cleaned_data
        changes = {
            "category": data["category"] or None,
            "demand_type": data["demand_type"] or None,
            "urgency": data["urgency"] or None,
        }
        contact = self.contact_decision()
        if self.case is not None:  # send only what changed
            current = {
                "category": self.case.category.code if self.case.category_id else None,
                "demand_type": self.case.demand_type,
                "urgency": self.case.urgency,
            }
            changes = {k: v for k, v in changes.items() if v is not None and v != current[k]}
            if self.op is not None and self.op.name == "classify" and contact:
                # Accepting records the decision on contact either way; classifying only a change.
                contact = {} if contact["needs_contact"] == self.case.needs_contact else contact
        return {**{k: v for k, v in changes.items() if v is not None}, **contact}


class UnitCheckboxes(forms.CheckboxSelectMultiple):
    """Co-units as checkboxes, none hidden from view: the chosen ones and the routing catalogue's
    proposal (marked as such, not ticked) first, every other unit below under "more units"."""

    template_name = "console/widgets/unit_checkboxes.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposed: set[int] = set()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [option for _group, group, _index in context["widget"]["optgroups"] for option in group]
        for option in options:
            option["proposed"] = option["value"] in self.proposed
        context["widget"]["first"] = [o for o in options if o["selected"] or o["proposed"]]
        context["widget"]["more"] = [o for o in options if not (o["selected"] or o["proposed"])]
        return context


class AssignForm(NeedsContactForm):
    """交办 / 改派: the routing catalogue's lead unit is filled in; the dispatcher may change it.
    Co-units are only those the dispatcher ticks: the catalogue's are shown as a proposal, unticked."""

    lead_unit = forms.TypedChoiceField(
        label=_("Lead unit"),
        coerce=int,
        empty_value=None,
        error_messages={"required": _("Choose the lead unit.")},
    )
    co_units = forms.TypedMultipleChoiceField(
        label=_("Co-units"), coerce=int, required=False, widget=UnitCheckboxes
    )
    handle_days = forms.IntegerField(
        label=_("Handling limit (working days)"),
        min_value=1,
        max_value=MAX_HANDLE_DAYS,
        required=False,
        help_text=_("Leave empty to use the deadline rule."),
    )

    field_order = ["lead_unit", "co_units", "handle_days", "needs_contact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = choices.unit_choices()
        self.fields["lead_unit"].choices = [("", "—"), *units]
        self.fields["co_units"].choices = units
        routing = routing_for(category=self.case.category, area=self.case.area) if self.case else None
        if routing is not None:
            self.fields["co_units"].widget.proposed = {u.pk for u in routing.co_units}

    def params(self) -> dict:
        data = self.cleaned_data
        # The co-units ticked, even none: the service adds the catalogue's only when none are named.
        params = {"lead_unit": data["lead_unit"], "co_units": data["co_units"], **self.contact_decision()}
        if data["handle_days"]:
            params["handle_days"] = data["handle_days"]
        return params


class DaysForm(OperationForm):
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=MAX_EXTENSION_DAYS)

    def params(self) -> dict:
        return {"days": self.cleaned_data["days"]}


class ApproveExtensionForm(DaysForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].required = False
        if self.case is not None and not self.is_bound:
            self.initial["days"] = self.case.extension_days_requested

    def params(self) -> dict:
        days = self.cleaned_data["days"]
        return {"days": days} if days else {}


class ReplyForm(OperationForm):
    attachments = MultipleFileField(
        label=_("Attachments"),
        help_text=_("Photos or documents, up to %(mb)d MB each.") % {"mb": ATTACHMENT_MAX_BYTES // 2**20},
    )
    photos_for_requester = MultipleFileField(
        label=_("Photos for the requester"),
        help_text=_(
            "Shown with the reply on the requester's page in the portal, e.g. the repaired site. Photos "
            "only, without people's faces, ID cards or papers with personal data. Files under "
            "“Attachments” stay internal."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the reply shows photos to the requester, and never to the reporter of a confidential
        # report (services.case_apply refuses them there too).
        op, case = self.op, self.case
        if op is None or not op.photos_for_requester or (case is not None and case.is_confidential):
            del self.fields["photos_for_requester"]
        else:
            self.fields["photos_for_requester"].widget.attrs["accept"] = ",".join(sorted(PHOTO_TYPES))
        if self.op is not None and self.op.name == "reply" and self.case is not None:
            # The reply quality check (答复质量) follows the typing: analysis/replies.py.
            self.fields["note"].widget.attrs.update(
                {
                    "hx-get": reverse("console:reply_check", args=[self.case.pk]),
                    "hx-trigger": "keyup changed delay:900ms",
                    "hx-target": f"#reply-check-{self.case.pk}",
                    "rows": 8,
                }
            )


class CallbackForm(OperationForm):
    # Nothing is ticked in advance: a result the agent did not choose would bias the satisfaction rate.
    satisfaction = forms.ChoiceField(
        label=_("Result"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Choose the result of the callback: satisfied, basically satisfied, dissatisfied "
                "or unreachable."
            )
        },
    )
    resolved = forms.TypedChoiceField(
        label=_("Problem solved?"),
        choices=[("", _("not asked")), ("yes", _("yes")), ("no", _("no"))],
        coerce=lambda v: v == "yes",
        required=False,
        empty_value=None,
    )

    def params(self) -> dict:
        return {"satisfaction": self.cleaned_data["satisfaction"], "resolved": self.cleaned_data["resolved"]}


SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


class ArchiveForm(OperationForm):
    """归档: after a callback that did not find the requester satisfied, only with the reason (the
    service refuses it without one); the page leaves the choice between it and 重办 open."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case is not None and self.case.satisfaction not in SATISFIED:
            note = self.fields["note"]
            note.required = True
            note.widget.attrs["required"] = True
            note.label = _("Why the case is archived although the requester is not satisfied")


class SuperviseForm(OperationForm):
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[(lvl.value, lvl.label) for lvl in SupervisionLevel if lvl != SupervisionLevel.NONE],
        coerce=int,
        initial=SupervisionLevel.ORDINARY,
    )

    def params(self) -> dict:
        return {"level": self.cleaned_data["level"]}


class RequestInstructionForm(OperationForm):
    """请示领导批示: the leaders who may instruct on this case (access.cases.leaders_for)."""

    leader = forms.TypedChoiceField(label=_("Leader"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        leaders = access.leaders_for(self.case) if self.case is not None else []
        self.fields["leader"].choices = [(u.pk, str(u)) for u in leaders]

    def params(self) -> dict:
        return {"leader": self.cleaned_data["leader"]}


class MergeForm(OperationForm):
    master = TrackingNumberField(
        label=_("Master case (tracking number)"), help_text=_("The case this one repeats.")
    )

    def params(self) -> dict:
        return {"master": self.cleaned_data["master"]}


FORMS: dict[str, type[OperationForm]] = {
    "accept": ClassifyForm,
    "classify": ClassifyForm,
    "assign": AssignForm,
    "reassign": AssignForm,
    "request_extension": DaysForm,
    "approve_extension": ApproveExtensionForm,
    "reply": ReplyForm,
    "co_reply": ReplyForm,
    "callback": CallbackForm,
    "archive": ArchiveForm,
    "supervise": SuperviseForm,
    "request_instruction": RequestInstructionForm,
    "merge": MergeForm,
}
assert set(FORMS) <= set(OPERATIONS)


def operation_form(op, case, data=None, files=None, **initial) -> OperationForm:
    form_class = FORMS.get(op.name, OperationForm)
    return form_class(data, files, op=op, case=case, initial={"expected_version": case.version, **initial})
