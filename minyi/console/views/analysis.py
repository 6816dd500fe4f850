"""民意分析 (analysis page): the hot issues of the last 30 days and the open surge alerts, with the
alerts' actions (dismiss, turn into a supervised case) for dispatchers and supervisors, and each hot
issue's cases. The methods are in minyi/analysis/; this view only shows what the daily job found."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.access import cases as access
from minyi.access.analysis import ALERT_HANDLERS, VIEWERS, may_dismiss_alert, may_escalate_alert
from minyi.analysis import alerts, hot
from minyi.analysis.models import HotIssue, SurgeAlert
from minyi.console.batch import batch_bar
from minyi.console.views.common import page_of, staff_view
from minyi.core.errors import MinyiError, NotFound


@staff_view(*VIEWERS)
def analysis(request):
    user = request.user
    context = {
        "nav": "analysis",
        "hot_issues": hot.latest_hot_issues(),
        "alerts": alerts.open_alerts(),
        "recent": SurgeAlert.objects.exclude(status=SurgeAlert.Status.OPEN)
        .select_related("case", "handled_by")
        .order_by("-handled_at")[:10],
        "may_handle": may_dismiss_alert(user),
        "may_escalate": may_escalate_alert(user),
    }
    return render(request, "console/analysis.html", context)


@staff_view(*VIEWERS)
def hot_issue(request, issue_id: int):
    """The cases behind one hot issue, those the user may see."""
    issue = HotIssue.objects.filter(pk=issue_id).first()
    if issue is None:
        raise NotFound(_("There is no such hot issue."))
    cases = access.cases_visible_to(request.user).filter(pk__in=issue.case_ids)
    page = page_of(request, cases.select_related("category", "lead_unit", "area").order_by("received_at"))
    context = {
        "nav": "analysis",
        "issue": issue,
        "page": page,
        "rows": [(case, None) for case in page],
        "batch": batch_bar(request, page),  # the cases of one problem, often assigned together
    }
    return render(request, "console/hot_issue.html", context)


@require_POST
@staff_view(*ALERT_HANDLERS)
def alert_action(request, alert_id: int, action: str):
    note = (request.POST.get("note") or "").strip()
    try:
        if action == "dismiss":
            alerts.alert_dismiss(alert_id=alert_id, actor=request.user, note=note)
            messages.success(request, _("The alert was dismissed."))
        elif action == "escalate":
            alert = alerts.alert_escalate(alert_id=alert_id, actor=request.user, note=note)
            messages.success(
                request, _("Case %(number)s was made and assigned.") % {"number": alert.case.tracking_number}
            )
            return redirect(reverse("console:case", args=[alert.case_id]))
        else:
            raise NotFound(_("There is no such action."))
    except MinyiError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("console:analysis"))
