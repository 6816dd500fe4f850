"""The pages of the livelihood-projects ledger (/console/projects/): the ledger, a project, the monthly
dispatch (月调度) and its report form, the wall chart (挂图作战), the monthly summary (月汇总) with its
Excel and PDF, and the ledger's Excel import and export. Every project comes through
access/projects.py; every write through services.py or workbook.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.access import projects as access
from minyi.access.cases import cases_visible_to
from minyi.cases.numbers import normal_tracking_number
from minyi.console.views.common import staff_view
from minyi.core import clock
from minyi.core.errors import MinyiError, NotFound
from minyi.core.ids import id_from_text
from minyi.projects import dispatch as dispatching
from minyi.projects import exports, progress, services, summary, workbook
from minyi.projects.forms import (
    LedgerFilter,
    LedgerUploadForm,
    LinkCaseForm,
    ReportForm,
    SummaryFilter,
    month_choices,
    parse_month,
)
from minyi.projects.models import Batch, ProgressReport, ReportPhoto, SubItem
from minyi.web.walls import wall_context
from minyi.workcal.services import current_calendar

ROLES = access.VIEWERS
TREND_MONTHS = 12
WALL_PAGE_SECONDS = 20  # how long the wall screen shows one page of the wall chart's rows


@staff_view(*ROLES)
def ledger(request):
    """台账: the projects of a batch the user may see, with their leaders, units and progress."""
    form = LedgerFilter.of(request)
    batch = form.batch_or_latest()
    visible = access.projects_visible_to(request.user)
    projects = form.narrow(visible.filter(batch=batch)) if batch else visible.none()
    projects = (
        projects.select_related("leader", "lead_unit")
        .prefetch_related("co_units")
        .annotate(
            item_count=Count("items", distinct=True),
            done_count=Count("items", filter=Q(items__status=progress.DONE), distinct=True),
        )
        .order_by("id")
    )
    rows = list(projects)
    done = sum(p.done_count for p in rows)
    total = sum(p.item_count for p in rows)
    return render(
        request,
        "projects/ledger.html",
        {
            "nav": "projects",
            "form": form,
            "batch": batch,
            "projects": rows,
            "done": done,
            "total": total,
            "rate": progress.rate(done, total),
            "keeps": access.keeps_ledger(request.user),
            "reports": access.reportable_items(request.user).exists()
            and not access.keeps_ledger(request.user),
        },
    )


@staff_view(*ROLES)
def project(request, project_id: int):
    item = access.access_project_by_id(request.user, project_id)
    return render(request, "projects/project.html", _project_context(request, item))


def _project_context(request, project, *, link_form=None) -> dict:
    today = clock.today()
    month = progress.month_of(today)
    chart = summary.wall_chart(project.batch, type(project).objects.filter(pk=project.pk), current=today)
    items = list(project.items.select_related("unit").order_by("id"))
    reports = (
        ProgressReport.objects.filter(item__project=project)
        .select_related("item", "reported_by")
        .prefetch_related("photos")
        .order_by("-month", "item_id")
    )
    linked = cases_visible_to(request.user).filter(project_links__project=project)
    return {
        "nav": "projects",
        "project": project,
        "co_units": list(project.co_units.all()),
        "items": [(i, access.may_report(request.user, i)) for i in items],
        "chart": chart,
        "reports": reports[:60],
        "linked": linked.order_by("-received_at")[:50],
        "linked_count": linked.count(),
        "trend": _trend(linked, month),
        "may_link": access.may_link_cases(request.user, project),
        "link_form": link_form or LinkCaseForm(),
    }


def _trend(cases, month: dt.date) -> dict:
    """Linked cases received per month over the last TREND_MONTHS months (table and chart)."""
    months = [progress.add_months(month, -n) for n in range(TREND_MONTHS - 1, -1, -1)]
    since = clock.local(clock.now()).replace(
        year=months[0].year, month=months[0].month, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    counts = {
        row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]: row["n"]
        for row in cases.filter(received_at__gte=since)
        .annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = [(m, counts.get(m, 0)) for m in months]
    option = {
        "grid": {"left": 40, "right": 16, "top": 24, "bottom": 28},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [f"{m:%Y-%m}" for m, _n in rows]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "line", "name": _("Linked cases"), "data": [n for _m, n in rows], "smooth": True}
        ],
    }
    return {"rows": rows, "option": option}


@require_POST
@staff_view(*ROLES)
def link_case(request, project_id: int):
    project = access.access_project_by_id(request.user, project_id)
    form = LinkCaseForm(request.POST)
    if form.is_valid():
        try:
            link = services.case_link(
                actor=request.user, project=project, tracking_number=form.cleaned_data["tracking_number"]
            )
        except MinyiError as exc:
            form.add_error("tracking_number", exc.message)
        else:
            messages.success(
                request,
                _("Case %(number)s is linked to this project.") % {"number": link.case.tracking_number},
            )
            return redirect("projects:project", project.pk)
    return render(
        request, "projects/project.html", _project_context(request, project, link_form=form), status=400
    )


@require_POST
@staff_view(*ROLES)
def link_from_case(request):
    """The case page's "link to a livelihood project": back to the case, with what happened."""
    project = access.access_project_by_id(request.user, request.POST.get("project", ""))
    try:
        link = services.case_link(
            actor=request.user, project=project, tracking_number=request.POST.get("tracking_number", "")
        )
    except MinyiError as exc:
        messages.error(request, exc.message)
        case = (
            cases_visible_to(request.user)
            .filter(tracking_number=normal_tracking_number(request.POST.get("tracking_number", "")))
            .first()
        )
        return redirect("console:case", case.pk) if case else redirect("projects:project", project.pk)
    messages.success(
        request, _("Case %(number)s is linked to this project.") % {"number": link.case.tracking_number}
    )
    return redirect("console:case", link.case_id)


@require_POST
@staff_view(*ROLES)
def unlink_case(request, project_id: int, case_id: int):
    project = access.access_project_by_id(request.user, project_id)
    services.case_unlink(actor=request.user, project=project, case_id=case_id)
    messages.success(request, _("The case is no longer linked to this project."))
    return redirect("projects:project", project.pk)


# --- 月调度 ------------------------------------------------------------------------------------------


@staff_view(*ROLES)
def dispatch(request):
    """月调度: the sub-items the user reports (for the centre: every one it sees) and, for a month,
    which reports are filed, due or overdue."""
    today = clock.today()
    month = parse_month(request.GET.get("month")) or progress.month_of(today)
    if access.keeps_ledger(request.user):
        items = SubItem.objects.filter(project__in=access.projects_visible_to(request.user))
    else:
        items = access.reportable_items(request.user)
    mine = items
    items = dispatching.unfinished_before(items, month).select_related("project__batch", "unit")
    filed = {r.item_id: r for r in ProgressReport.objects.filter(item__in=items, month=month)}
    cal = current_calendar()
    rows = []
    for item in items.order_by("project__batch_id", "project_id", "id"):
        due = services.report_due(item.project.batch, month, cal)
        report = filed.get(item.pk)
        state = "filed" if report else ("overdue" if today > due else "due")
        rows.append(
            {
                "item": item,
                "due": due,
                "report": report,
                "state": state,
                "may": access.may_report(request.user, item),
            }
        )
    first = min((i.project.batch.first_month for i in items), default=month)
    # Reports of earlier months still missing, whichever month is shown (what the supervisors chase).
    earlier = [o for o in dispatching.overdue(mine, today) if o.month < month]
    return render(
        request,
        "projects/dispatch.html",
        {
            "nav": "projects",
            "month": month,
            "months": month_choices(first, today),
            "rows": rows,
            "counts": {s: sum(1 for r in rows if r["state"] == s) for s in ("filed", "due", "overdue")},
            "earlier": earlier,
        },
    )


@staff_view(*ROLES)
def report(request, item_id: int):
    """The monthly report form of one sub-item (GET ?month=YYYY-MM shows that month's filing)."""
    item = _item(request.user, item_id)
    access.check_report(request.user, item)
    today = clock.today()
    months = month_choices(item.project.batch.first_month, today)
    chosen = parse_month(request.POST.get("month") or request.GET.get("month")) or progress.month_of(today)
    existing = ProgressReport.objects.filter(item=item, month=chosen).first()
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, months=months)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_file(
                    actor=request.user,
                    item=item,
                    month=parse_month(data["month"]),
                    percent=data["percent"],
                    done=data["done"],
                    problems=data["problems"],
                    next_steps=data["next_steps"],
                    completion=data["completion"],
                    photos=data["photos"],
                )
            except MinyiError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("The report on %(month)s for “%(item)s” is filed.")
                    % {"month": data["month"], "item": item.name},
                )
                return redirect(f"{reverse('projects:dispatch')}?month={data['month']}")
    else:
        initial = {"month": f"{chosen:%Y-%m}"}
        if existing:
            initial.update(
                percent=existing.percent,
                done=existing.done,
                problems=existing.problems,
                next_steps=existing.next_steps,
                completion=existing.completion,
            )
        else:
            initial["percent"] = item.percent
        form = ReportForm(initial=initial, months=months)
    plan = dict(item.milestones.values_list("month", "planned"))
    return render(
        request,
        "projects/report.html",
        {
            "nav": "projects",
            "item": item,
            "form": form,
            "existing": existing,
            "due": services.report_due(item.project.batch, chosen),
            "planned": progress.planned_at(plan, item.deadline, chosen),
            "milestones": item.milestones.all(),
            "earlier": item.reports.order_by("-month")[:6],
        },
        status=400 if request.method == "POST" else 200,
    )


def _item(user, item_id: int) -> SubItem:
    item = (
        SubItem.objects.filter(pk=item_id, project__in=access.projects_visible_to(user))
        .select_related("project__batch", "unit")
        .first()
    )
    if item is None:
        raise NotFound(_("There is no such sub-item, or it is outside your scope."))
    return item


@staff_view(*ROLES)
def photo(request, photo_id: int):
    """A report's photo, only for users who may see its project."""
    item = ReportPhoto.objects.filter(pk=photo_id).select_related("report__item").first()
    if (
        item is None
        or not access.projects_visible_to(request.user).filter(pk=item.report.item.project_id).exists()
    ):
        raise NotFound(_("There is no such photo, or it is outside your scope."))
    response = FileResponse(item.file.open("rb"), filename=item.name)
    response["Content-Type"] = item.content_type
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response


# --- 挂图作战 and 月汇总 -------------------------------------------------------------------------------


@staff_view(*ROLES)
def wall(request):
    """挂图作战: plan versus actual of every project and sub-item over the batch's months."""
    form = LedgerFilter.of(request)
    batch = form.batch_or_latest()
    chart = None
    if batch:
        projects = form.narrow(access.projects_visible_to(request.user).filter(batch=batch))
        chart = summary.wall_chart(batch, projects, current=clock.today())
    context = {
        "nav": "projects",
        "form": form,
        "batch": batch,
        "chart": chart,
        "query": request.GET.urlencode(),
    }
    if request.GET.get("screen") == "1":
        # 大屏: the rows that fit one screen at a time, the next ones after WALL_PAGE_SECONDS (app.js)
        context |= wall_context() | {"page_seconds": WALL_PAGE_SECONDS}
        return render(request, "projects/wall_screen.html", context)
    return render(request, "projects/wall.html", context)


@staff_view(*ROLES)
def monthly(request):
    """月汇总 of a batch for a month (default: the current one), as a page, Excel or PDF, for the
    projects the reader sees (narrowed by leader or unit when chosen)."""
    form = SummaryFilter.of(request)
    batch = form.batch_or_latest()
    today = clock.today()
    if batch is None:
        return render(request, "projects/summary.html", {"nav": "projects", "form": form, "batch": None})
    month = parse_month(request.GET.get("month")) or progress.month_of(today)
    month = max(min(month, progress.month_of(today)), progress.month_of(batch.first_month))
    result = summary.monthly_summary(batch, month, form.narrow(access.projects_visible_to(request.user)))
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        data = exports.summary_xlsx(result) if fmt == "xlsx" else exports.summary_pdf(result)
        name = f"{batch.name}-{month:%Y-%m}-月汇总.{fmt}"
        response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    by_unit = defaultdict(list)
    for row in result.lagging:
        by_unit[row.item.unit.name].append(row)
    return render(
        request,
        "projects/summary.html",
        {
            "nav": "projects",
            "form": form,
            "batch": batch,
            "month": month,
            "months": month_choices(batch.first_month, today),
            "summary": result,
            "lagging_units": sorted(by_unit.items()),
        },
    )


# --- the ledger in Excel -----------------------------------------------------------------------------


@staff_view(*ROLES)
def export(request):
    batches = Batch.objects.all()
    if request.GET.get("batch"):
        batch_id = id_from_text(request.GET["batch"])
        batches = batches.none() if batch_id is None else batches.filter(pk=batch_id)
    data = workbook.export_ledger(batches, access.projects_visible_to(request.user))
    stamp = clock.local(clock.now()).strftime("%Y%m%d-%H%M")
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition_header(True, f"民生实事台账-{stamp}.xlsx")
    return response


@staff_view(*access.KEEPERS)
def import_ledger(request):
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    problems, result = [], None
    if request.method == "POST" and form.is_valid():
        try:
            result = workbook.import_ledger(actor=request.user, data=form.cleaned_data["file"].read())
        except workbook.LedgerInvalid as exc:
            problems = exc.problems
            form.add_error(None, exc.message)
        except MinyiError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                _("Imported %(b)d batch(es), %(p)d projects, %(i)d sub-items, %(r)d monthly reports.")
                % {"b": result.batches, "p": result.projects, "i": result.items, "r": result.reports},
            )
            return redirect("projects:ledger")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "projects/import.html",
        {"nav": "projects", "form": form, "problems": problems},
        status=status,
    )
