"""批量操作: the batch bar's POST (one action on the ticked cases, each case on its own) and the page
that lists what it did to each case (console/batch.py)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.cases.workflow import OPERATIONS
from minyi.console.batch import BATCH_ROLES, BatchForm, batch_run, case_refs, result_rows
from minyi.console.models import BatchRun
from minyi.console.views.common import safe_next, staff_view
from minyi.core.errors import NotFound


@require_POST
@staff_view(*BATCH_ROLES)
def batch_action(request):
    """Refuses the whole batch (400, nothing done) when the input is wrong; otherwise acts on each
    case and shows the results at their own address, so a reload does not send the batch again."""
    back = safe_next(request, reverse("console:cases"))
    form = BatchForm(request.POST)
    refs, refs_error = case_refs(request.POST.getlist("cases"))
    if not form.is_valid() or refs_error:
        errors = [refs_error] if refs_error else []
        for name, field_errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            errors += [f"{label}：{e}" if label else str(e) for e in field_errors]
        return render(request, "console/batch.html", {"errors": errors, "back": back}, status=400)
    run, ran_now = batch_run(user=request.user, form=form, refs=refs, back=back)
    if not ran_now:
        messages.warning(
            request, _("This batch was sent before: nothing was done again. Here is what it did then.")
        )
    return redirect("console:batch_result", run.pk)


@staff_view()
def batch_result(request, run_id: int):
    """The results of one of the user's own batches, case by case (other users' are not found)."""
    run = BatchRun.objects.filter(pk=run_id, user=request.user).first()
    if run is None:
        raise NotFound(_("There is no such batch action among yours."))
    rows = result_rows(request.user, run)
    done = sum(1 for row in rows if row["done"])
    return render(
        request,
        "console/batch.html",
        {
            "run": run,
            "op": OPERATIONS[run.operation],
            "rows": rows,
            "done": done,
            "refused": len(rows) - done,
            "unfinished": run.finished_at is None,
            "back": run.back or reverse("console:cases"),
        },
    )
