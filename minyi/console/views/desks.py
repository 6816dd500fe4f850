"""The desks (台): a role's queues of cases with counts, drawn from console/desks.py."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from minyi.access import cases as access
from minyi.access import projects as projects_access
from minyi.cases import deadlines
from minyi.cases.workflow import OPERATIONS, WITH_UNIT
from minyi.console.batch import batch_bar
from minyi.console.desks import (
    BY_KEY,
    COLUMNS,
    SORTS,
    SUPERVISION,
    Desk,
    fill_columns,
    queue_cases,
    queue_counts,
)
from minyi.console.views.common import page_of, staff_view
from minyi.core import clock
from minyi.projects.dispatch import overdue
from minyi.projects.models import SubItem
from minyi.workcal.services import current_calendar


def desk_context(request, desk: Desk) -> dict:
    now = clock.now()
    queue = desk.queue(request.GET.get("queue"))
    sort = request.GET.get("sort") if request.GET.get("sort") in queue.sorts else None
    page = page_of(request, queue_cases(request.user, queue, now, sort))
    rows = [(case, _quick_ops(request.user, case, queue)) for case in page]
    if queue.show_repeat:
        for case, _quick in rows:
            _attach_repeat(request.user, case)
    if queue.columns:
        fill_columns(request.user, queue, [case for case, _quick in rows], current_calendar(), now)
    return {
        "desk": desk,
        "queue": queue,
        "counts": queue_counts(request.user, desk, now),
        "page": page,
        "rows": rows,
        "batch": batch_bar(request, page),
        "columns": [_heading(queue, key, sort) for key in queue.columns],
    }


def _heading(queue, column: str, sort: str | None) -> dict:
    """The heading of a queue's own column: its key, label and title and, where the queue sorts by
    it, the sort a click asks for and the order shown now (aria-sort)."""
    label, title = COLUMNS[column]
    heading = {"key": column, "label": label, "title": title}
    offered = [key for key in queue.sorts if SORTS[key].column == column]
    if offered:
        shown = sort or next((key for key in offered if SORTS[key].order == queue.order), None)
        heading["next"] = next((key for key in offered if key != shown), offered[0])
        heading["aria_sort"] = SORTS[shown].direction if shown else "none"
    return heading


def _quick_ops(user, case, queue) -> list:
    ops = [OPERATIONS[name] for name in queue.quick]
    return [op for op in ops if case.status in op.sources and access.permitted(user, case, op)]


def _attach_repeat(user, case) -> None:
    """What the row of a possible repeat shows: the case it probably repeats (if the user sees it),
    why (shared words, place, time apart) and whether "merge into this one" is offered
    (access.cases.may_merge_into: the same rule as the merge itself)."""
    master = case.suspected_master
    case.repeat_of = master if master is not None and access.can_see(user, master) else None
    case.repeat_why = repeat_reasons(case.repeat_reason or {}) if case.repeat_of else []
    case.repeat_merge = case.repeat_of is not None and access.may_merge_into(user, case, master)


def repeat_reasons(reason: dict) -> list[str]:
    """The flag's reasons in words: "shared words: 暖气、不热", "same grid", "12 minutes apart"."""
    words = []
    if reason.get("shared"):
        words.append(_("shared words: %(words)s") % {"words": "、".join(reason["shared"])})
    place = PLACE_WORDS.get(reason.get("place", ""))
    if place:
        words.append(str(place))
    minutes = reason.get("minutes", -1)
    if minutes is not None and minutes >= 0:
        if minutes < 120:
            words.append(ngettext("%(n)d minute apart", "%(n)d minutes apart", minutes) % {"n": minutes})
        elif minutes < 48 * 60:
            hours = minutes // 60
            words.append(ngettext("%(n)d hour apart", "%(n)d hours apart", hours) % {"n": hours})
        else:
            days = minutes // (24 * 60)
            words.append(ngettext("%(n)d day apart", "%(n)d days apart", days) % {"n": days})
    if reason.get("same_requester"):
        words.append(_("same requester"))
    return words


PLACE_WORDS = {
    "grid": gettext_lazy("same grid"),
    "near": gettext_lazy("less than 300 m apart"),
    "community": gettext_lazy("same community"),
    "street": gettext_lazy("same street"),
}


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
