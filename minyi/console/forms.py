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
from minyi.console import choices
from minyi.web.forms import MultipleFileField, PhoneField

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
    area = forms.TypedChoiceField(label=_("Place"), coerce=int, required=False, empty_value=None)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    needs_contact = forms.BooleanField(label=_("The unit must call the requester back"), required=False)
    is_confidential = forms.BooleanField(
        label=_("Keep the requester's identity confidential"), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "—"), *choices.area_choices()]
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


class ClassifyForm(OperationForm):
    category = forms.ChoiceField(label=_("Category"), required=False)
    demand_type = forms.ChoiceField(label=_("Type"), choices=DemandType.choices, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)

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
        if self.case is not None:  # send only what changed
            current = {
                "category": self.case.category.code if self.case.category_id else None,
                "demand_type": self.case.demand_type,
                "urgency": self.case.urgency,
            }
            changes = {k: v for k, v in changes.items() if v is not None and v != current[k]}
        return {k: v for k, v in changes.items() if v is not None}


class AssignForm(OperationForm):
    """交办 / 改派: the routing catalogue's proposal is filled in; the dispatcher may change it."""

    lead_unit = forms.TypedChoiceField(label=_("Lead unit"), coerce=int, required=False, empty_value=None)
    co_units = forms.TypedMultipleChoiceField(label=_("Co-units"), coerce=int, required=False)
    handle_days = forms.IntegerField(
        label=_("Handling limit (working days)"),
        min_value=1,
        max_value=MAX_HANDLE_DAYS,
        required=False,
        help_text=_("Leave empty to use the deadline rule."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = choices.unit_choices()
        self.fields["lead_unit"].choices = [("", "—"), *units]
        self.fields["co_units"].choices = units
        self.fields["co_units"].widget.attrs["size"] = 6

    def params(self) -> dict:
        data = self.cleaned_data
        params = {"lead_unit": data["lead_unit"], "co_units": data["co_units"]}
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
    satisfaction = forms.ChoiceField(
        label=_("Result"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        initial=Satisfaction.SATISFIED,
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
    master = forms.CharField(
        label=_("Master case (tracking number)"), max_length=20, help_text=_("The case this one repeats.")
    )

    def params(self) -> dict:
        return {"master": self.cleaned_data["master"].strip()}


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
    "supervise": SuperviseForm,
    "request_instruction": RequestInstructionForm,
    "merge": MergeForm,
}
assert set(FORMS) <= set(OPERATIONS)


def operation_form(op, case, data=None, files=None, **initial) -> OperationForm:
    form_class = FORMS.get(op.name, OperationForm)
    return form_class(data, files, op=op, case=case, initial={"expected_version": case.version, **initial})
