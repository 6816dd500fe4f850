"""批量操作: one action (受理 accept, 交办 assign, 催办 remind) on many cases of a list or a queue.

Each case goes through `cases.services.case_apply` on its own, in its own transaction, exactly as the
single action on the case page: the case's status, the user's role and scope are checked per case
(access/cases.py), so one refusal undoes nothing of the others, and every refusal is kept with its
reason. An id the user may not see is refused as "no such case", like an id that does not exist.

A batch is sent once: the form carries a one-time token, and the run is recorded under the token and
what was sent (console/models.py, BatchRun) before the first case is touched. The same form sent
again (a double click, a reloaded POST) shows the first run's results and acts on nothing; the same
cases sent again from a fresh form are refused case by case (already assigned …), never done twice
by an operation that changes the status.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets

from django import forms
from django.conf import settings
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.access import cases as access
from minyi.cases.services import MAX_HANDLE_DAYS, MAX_TEXT, case_apply
from minyi.cases.workflow import OPERATIONS, Operation, Status
from minyi.console import choices
from minyi.console.models import BatchRun
from minyi.core import clock
from minyi.core.errors import IllegalTransition, MinyiError, NotFound
from minyi.core.ids import id_from_text
from minyi.org.models import Unit, User

# The operations a batch may perform: those that need no more input than one batch can give to all
# its cases alike. Who may perform them is the workflow's declaration, as for one case.
BATCH_OPERATIONS: tuple[str, ...] = ("accept", "assign", "remind")
BATCH_ROLES = frozenset().union(*(OPERATIONS[name].roles for name in BATCH_OPERATIONS))
TOKEN = re.compile(r"[0-9a-f]{32}")
MAX_REF = 40  # an id as sent is kept (and shown back) up to this length
KEEP_DAYS = 30  # a run's result list is kept this long (`minyi worker`); the cases' events for good


def batch_operations_for(user: User, cases) -> list[Operation]:
    """The batch actions offered beside these cases: those the user may perform now on at least one
    of them (the status and `access.permitted`, the rule of the row buttons and the case page)."""
    cases = list(cases)
    return [
        op
        for op in (OPERATIONS[name] for name in BATCH_OPERATIONS)
        if user.has_role(*op.roles)  # a quick no before asking per case
        and any(case.status in op.sources and access.permitted(user, case, op) for case in cases)
    ]


def batch_bar(request, cases) -> dict | None:
    """What the batch bar above a list or a queue needs, or None when no action is offered there."""
    ops = batch_operations_for(request.user, cases)
    if not ops:
        return None
    form = BatchForm(
        operations=ops,
        initial={"operation": ops[0].name, "token": secrets.token_hex(16), "next": request.get_full_path()},
    )
    return {
        "form": form,
        "names": [op.name for op in ops],
        "single": ops[0] if len(ops) == 1 else None,  # then no choice to make: the button says it
        "max": settings.MINYI_BATCH_MAX_CASES,
    }


class BatchForm(forms.Form):
    """The batch bar: the action, and the input of each action (used only for the chosen one)."""

    operation = forms.ChoiceField(
        label=gettext_lazy("Action"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the action to take on the selected cases."),
            "invalid_choice": gettext_lazy("Choose one of the actions offered: accept, assign or remind."),
        },
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    next = forms.CharField(widget=forms.HiddenInput, required=False)
    lead_unit = forms.TypedChoiceField(
        label=gettext_lazy("Lead unit"), coerce=int, required=False, empty_value=None
    )
    co_units = forms.TypedMultipleChoiceField(label=gettext_lazy("Co-units"), coerce=int, required=False)
    handle_days = forms.IntegerField(
        label=gettext_lazy("Handling limit (working days)"),
        min_value=1,
        max_value=MAX_HANDLE_DAYS,
        required=False,
        help_text=gettext_lazy("Leave empty to use the deadline rule."),
    )
    assign_note = forms.CharField(
        label=gettext_lazy("Note to the units"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    remind_note = forms.CharField(
        label=gettext_lazy("Reminder message"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Recorded on each case, for its lead unit."),
    )

    def __init__(self, *args, operations: list[Operation] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        ops = operations or [OPERATIONS[name] for name in BATCH_OPERATIONS]
        self.fields["operation"].choices = [(op.name, op.label) for op in ops]
        units = choices.unit_choices()
        routing = _("As the routing catalogue proposes for each case")
        self.fields["lead_unit"].choices = [("", routing), *units]
        self.fields["co_units"].choices = units
        self.fields["co_units"].widget.attrs["size"] = 4
        self.fields["handle_days"].widget.attrs["placeholder"] = _("by the rules")

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not TOKEN.fullmatch(token):
            raise forms.ValidationError(
                _("This form is out of date: reload the page, select the cases and send again.")
            )
        return token

    @property
    def op(self) -> Operation:
        return OPERATIONS[self.cleaned_data["operation"]]

    def params(self) -> dict:
        """The keyword arguments of `case_apply` for the chosen action (the same as its single form)."""
        data = self.cleaned_data
        if self.op.name != "assign":
            return {}
        params: dict = {"lead_unit": data["lead_unit"], "co_units": data["co_units"]}
        if data["handle_days"]:
            params["handle_days"] = data["handle_days"]
        return params

    def note(self) -> str:
        return self.cleaned_data.get(f"{self.op.name}_note", "")

    def summary(self) -> dict:
        """What the result page repeats of the input: the unit, the days, the note."""
        params, summary = self.params(), {}
        if "lead_unit" in params:
            lead = Unit.objects.filter(pk=params["lead_unit"]).first() if params["lead_unit"] else None
            summary["lead_unit"] = lead.name if lead else ""
            summary["co_units"] = list(
                Unit.objects.filter(pk__in=params["co_units"]).order_by("path").values_list("name", flat=True)
            )
        if "handle_days" in params:
            summary["handle_days"] = params["handle_days"]
        if self.note():
            summary["note"] = self.note()
        return summary


def case_refs(values: list[str]) -> tuple[list[str], str]:
    """The selected cases as sent (each once, in order), and what is wrong with the selection."""
    refs = list(dict.fromkeys(v.strip()[:MAX_REF] for v in values if v.strip()))
    limit = settings.MINYI_BATCH_MAX_CASES
    if not refs:
        return refs, _("Select at least one case: tick it in the list, or tick “all on this page”.")
    if len(refs) > limit:
        return refs, _(
            "%(count)s cases are selected, more than the %(limit)s one batch may hold: "
            "select fewer (for example one page) and send again."
        ) % {"count": len(refs), "limit": limit}
    return refs, ""


def batch_run(*, user: User, form: BatchForm, refs: list[str], back: str = "") -> tuple[BatchRun, bool]:
    """Perform the form's action on each case of `refs` separately; returns the run and whether it
    ran now (False: this very form was sent before, and its first run is returned untouched)."""
    op, params, note = form.op, form.params(), form.note()
    key = hashlib.sha256(
        json.dumps([form.cleaned_data["token"], op.name, refs, params, note], sort_keys=True).encode()
    ).hexdigest()
    try:
        run, created = BatchRun.objects.get_or_create(
            user=user,
            key=key,
            defaults={
                "operation": op.name,
                "summary": {**form.summary(), "total": len(refs)},
                "back": back if len(back) <= 500 else "",
                "created_at": clock.now(),
            },
        )
    except IntegrityError:  # the other copy inserted it between our look-up and our insert
        return BatchRun.objects.get(user=user, key=key), False
    if not created:
        return run, False
    seen = set(
        access.cases_visible_to(user)
        .filter(pk__in=[pk for pk in map(id_from_text, refs) if pk is not None])
        .values_list("pk", flat=True)
    )
    for ref in refs:
        run.results.append(_one(user, op, ref, params, note, seen))
        run.save(update_fields=["results"])
    run.finished_at = clock.now()
    run.save(update_fields=["finished_at"])
    return run, True


def _one(user: User, op: Operation, ref: str, params: dict, note: str, seen: set[int]) -> dict:
    """One case of the batch, in its own transaction (case_apply's)."""
    pk = id_from_text(ref)
    try:
        if pk is None:
            raise NotFound(_("There is no case %(id)s, or it is outside your scope.") % {"id": ref})
        case_apply(case_id=pk, operation=op.name, actor=user, note=note, **params)
    except MinyiError as exc:
        return {"ref": ref, "case": pk if pk in seen else None, "done": False, "reason": refusal(op, exc)}
    return {"ref": ref, "case": pk, "done": True, "reason": ""}


def refusal(op: Operation, exc: MinyiError) -> str:
    """Why one case was refused, in a line of the result list. A wrong status is said shortly (the
    case page lists what is possible instead); a case already brought where the action leads (a
    second run of the same batch) says so."""
    if isinstance(exc, IllegalTransition) and exc.details.get("status") in Status.values:
        status = Status(exc.details["status"])
        values = {"op": op.label, "status": status.label}
        if status == op.target:
            return _("“%(op)s” was done already (the case is “%(status)s”): not done again.") % values
        return _("“%(op)s” is not possible while the case is “%(status)s”.") % values
    return exc.message


def result_rows(user: User, run: BatchRun) -> list[dict]:
    """The run's results with the cases the user sees now (number, title, status, units, deadline)."""
    ids = [r["case"] for r in run.results if r.get("case")]
    cases = {
        case.pk: case for case in access.cases_visible_to(user).filter(pk__in=ids).select_related("lead_unit")
    }
    return [{**r, "case": cases.get(r.get("case"))} for r in run.results]


def forget_before(moment) -> int:
    """Drop the result lists of batches sent before `moment` (the worker calls this)."""
    return BatchRun.objects.filter(created_at__lt=moment).delete()[0]
