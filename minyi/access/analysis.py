"""Who may see the analysis (民意分析, the dashboard) and act on its rising-topic alerts. The views ask
here for what to show; the alert services check here before they act."""

from __future__ import annotations

from django.utils.translation import gettext as _

from minyi.core.errors import NotPermitted
from minyi.org.models import User
from minyi.org.roles import CENTRE_ROLES, Role

VIEWERS = tuple(CENTRE_ROLES)  # the analysis page and the dashboard (leaders included)
ALERT_HANDLERS = (Role.DISPATCHER, Role.SUPERVISOR)  # may dismiss an alert
ALERT_ESCALATORS = (Role.DISPATCHER,)  # may turn it into a case: accepting and assigning is theirs


def may_dismiss_alert(actor) -> bool:
    return isinstance(actor, User) and actor.has_role(*ALERT_HANDLERS)


def may_escalate_alert(actor) -> bool:
    return isinstance(actor, User) and actor.has_role(*ALERT_ESCALATORS)


def check_dismiss_alert(actor) -> None:
    if not may_dismiss_alert(actor):
        raise NotPermitted(_("Only a dispatcher or a supervisor can dismiss an alert."))


def check_escalate_alert(actor) -> None:
    if not may_escalate_alert(actor):
        raise NotPermitted(_("Only a dispatcher can turn an alert into a case."))
