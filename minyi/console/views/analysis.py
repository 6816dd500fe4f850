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
from minyi.analysis import alerts, hot
from minyi.analysis.models import HotIssue, SurgeAlert
from minyi.console.views.common import page_of, staff_view
from minyi.core.errors import MinyiError, NotFound
from minyi.org.roles import CENTRE_ROLES, Role

VIEWERS = tuple(CENTRE_ROLES)  # who sees the analysis page and the dashboard (leaders included)
ALERT_HANDLERS = (Role.DISPATCHER, Role.SUPERVISOR)  # may dismiss an alert
ESCALATORS = (Role.DISPATCHER,)  # may turn it into a case: accepting and assigning is theirs


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
        "may_handle": user.has_role(*ALERT_HANDLERS),
        "may_escalate": user.has_role(*ESCALATORS),
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
    context = {"nav": "analysis", "issue": issue, "page": page, "rows": [(case, None) for case in page]}
    return render(request, "console/hot_issue.html", context)


@require_POST
@staff_view(*ALERT_HANDLERS)
def alert_action(request, alert_id: int, action: str):
    note = (request.POST.get("note") or "").strip()
    try:
        if action == "dismiss":
            if not note:
                raise MinyiError(_("Say why the alert needs no action."))
            alerts.alert_dismiss(alert_id=alert_id, actor=request.user, note=note)
            messages.success(request, _("The alert was dismissed."))
        elif action == "escalate":
            if not request.user.has_role(*ESCALATORS):
                raise MinyiError(_("Only a dispatcher can turn an alert into a case."))
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
