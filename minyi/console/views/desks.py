"""The desks (台): a role's queues of cases with counts, drawn from console/desks.py."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render

from minyi.access import cases as access
from minyi.access import projects as projects_access
from minyi.cases import deadlines
from minyi.cases.workflow import OPERATIONS, WITH_UNIT
from minyi.console.desks import BY_KEY, SUPERVISION, Desk, queue_cases, queue_counts
from minyi.console.views.common import page_of, staff_view
from minyi.core import clock
from minyi.projects.dispatch import overdue
from minyi.projects.models import SubItem


def desk_context(request, desk: Desk) -> dict:
    now = clock.now()
    queue = desk.queue(request.GET.get("queue"))
    page = page_of(request, queue_cases(request.user, queue, now))
    rows = [(case, _quick_ops(request.user, case, queue)) for case in page]
    return {
        "desk": desk,
        "queue": queue,
        "counts": queue_counts(request.user, desk, now),
        "page": page,
        "rows": rows,
    }


def _quick_ops(user, case, queue) -> list:
    ops = [OPERATIONS[name] for name in queue.quick]
    return [op for op in ops if case.status in op.sources and access.permitted(user, case, op)]


def render_desk(request, desk: Desk, template: str = "console/desk.html", **extra):
    context = desk_context(request, desk) | extra
    if request.htmx and request.htmx.target == "queue":
        return render(request, "console/_queue.html", context)
    return render(request, template, context)


def desk_view(key: str):
    desk = BY_KEY[key]

    @staff_view(*desk.roles)
    def view(request):
        return render_desk(request, desk)

    view.__name__ = f"{key}_desk"
    return view


dispatch = desk_view("dispatch")
workbench = desk_view("workbench")
callback = desk_view("callback")


@staff_view(*SUPERVISION.roles)
def supervision(request):
    """督办台: the queues, and per lead unit how many of its cases are red, yellow or supervised."""
    now = clock.now()
    visible = access.cases_visible_to(request.user).filter(status__in=WITH_UNIT)
    by_unit = (
        visible.values("lead_unit_id", "lead_unit__name")
        .annotate(
            red=Count("pk", filter=deadlines.light_q(deadlines.Light.RED, now)),
            yellow=Count("pk", filter=deadlines.light_q(deadlines.Light.YELLOW, now)),
            supervised=Count("pk", filter=Q(supervision_level__gt=0)),
            open=Count("pk"),
        )
        .filter(Q(red__gt=0) | Q(yellow__gt=0) | Q(supervised__gt=0))
        .order_by("-red", "-yellow", "lead_unit__name")
    )
    return render_desk(
        request,
        SUPERVISION,
        "console/supervision.html",
        by_unit=list(by_unit),
        overdue_reports=_overdue_reports(request.user),
    )


def _overdue_reports(user) -> list[tuple[str, list]]:
    """月调度: the livelihood-project reports overdue, by responsible unit (for those who see projects)."""
    if not projects_access.may_open_projects(user):
        return []
    by_unit: dict[str, list] = {}
    for row in overdue(SubItem.objects.filter(project__in=projects_access.projects_visible_to(user))):
        by_unit.setdefault(row.item.unit.name, []).append(row)
    return sorted(by_unit.items(), key=lambda kv: (-len(kv[1]), kv[0]))
