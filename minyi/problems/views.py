"""The problem register pages (问题台账, /console/problems/).

The register of one unit (`?unit=<id>`; a unit's own staff land on theirs) with its filters, the
counts by category × status and the Excel export; a problem's page with its status changes and
measures; the unit's measures (改进措施) and its list of categories. Readers of several registers
(supervisors, leaders, heads of units with subordinates) first see one line per unit.

Every object comes through `access/problems.py`; every write is one call of `problems/services.py`.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.access import problems as access
from minyi.console.views.common import page_of, staff_view
from minyi.core import clock
from minyi.core.errors import Conflict, InvalidInput, MinyiError, NotFound
from minyi.problems import exports, selectors, services
from minyi.problems.forms import (
    CategoryForm,
    LinkMeasureForm,
    MeasureEditForm,
    MeasureForm,
    ProblemEditForm,
    ProblemForm,
    RegisterFilterForm,
    StatusForm,
)
from minyi.problems.models import Measure, Problem, ProblemCategory, ProblemEvent, ProblemStatus


def _readable(request) -> None:
    if not access.may_open_register(request.user):
        raise NotFound(_("There is no problem register for you here: it is kept by each unit for itself."))


def _chosen_unit(request):
    """The register shown: `?unit=`, else the user's own unit, else the only one they read; None
    when the user reads several and chose none (the overview)."""
    _readable(request)
    if request.GET.get("unit"):
        return access.access_register_by_unit_id(request.user, request.GET["unit"])
    own = access.kept_unit(request.user)
    if own is not None:
        return own
    units = list(access.readable_units(request.user)[:2])
    return units[0] if len(units) == 1 else None


def _reads_several(user) -> bool:
    ids = access.readable_unit_ids(user)
    return ids is None or len(ids) > 1


def _render(request, template: str, context: dict, status: int = 200):
    """Render a register page with what every one of them shows: the status names, and whether the
    reader may go back to the list of units."""
    context.setdefault("nav", "problems")
    context.setdefault("status_labels", dict(ProblemStatus.choices))
    context["reads_several"] = _reads_several(request.user)
    return render(request, template, context, status=status)


def _fail(form, exc: MinyiError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@staff_view()
def register(request):
    unit = _chosen_unit(request)
    if unit is None or (request.GET.get("all") and _reads_several(request.user)):
        return _overview(request)
    form = RegisterFilterForm(request.GET, unit=unit)
    problems = access.problems_visible_to(request.user).filter(unit=unit)
    problems = selectors.filter_problems(problems, form.cleaned_data) if form.is_valid() else problems.none()
    page = page_of(
        request,
        problems.select_related("category", "case")
        .annotate(n_measures=Count("measures"))
        .order_by("-year", "-sequence"),
    )
    context = {
        "nav": "problems",
        "unit": unit,
        "form": form,
        "page": page,
        "counts": selectors.register_counts(unit.pk, clock.today()),
        "statuses": ProblemStatus.choices,
        "may_keep": access.may_keep(request.user, unit),
    }
    return _render(request, "problems/register.html", context)


def _overview(request):
    user = request.user
    summaries = selectors.unit_summaries(access.problems_visible_to(user), access.measures_visible_to(user))
    return _render(
        request,
        "problems/overview.html",
        {
            "nav": "problems",
            "summaries": summaries,
            "statuses": ProblemStatus.choices,
            "units": access.readable_units(user),
        },
    )


@staff_view()
def export(request):
    """The register (with the page's filters) as an Excel workbook."""
    unit = _chosen_unit(request)
    if unit is None:
        raise NotFound(_("Choose the unit whose register to export."))
    form = RegisterFilterForm(request.GET, unit=unit)
    if not form.is_valid():
        messages.error(request, _("Some filters are not valid: correct them, then export again."))
        return redirect(reverse("problems:register") + f"?unit={unit.pk}")
    problems = selectors.filter_problems(
        access.problems_visible_to(request.user).filter(unit=unit), form.cleaned_data
    )
    return exports.xlsx_response(unit, problems, clock.now())


@staff_view()
def problem_new(request):
    _readable(request)
    unit = access.keeping_unit(request.user)
    if request.method != "POST":
        initial = {"found_on": clock.today()}
        if request.GET.get("case"):  # "enter as a problem" from a case page
            initial.update(source="case", tracking_number=request.GET["case"])
        form = ProblemForm(unit=unit, initial=initial)
        return _render(request, "problems/problem_form.html", {"nav": "problems", "unit": unit, "form": form})
    form = ProblemForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            problem = services.problem_create(actor=request.user, **form.cleaned_data)
        except MinyiError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Problem %(number)s is entered.") % {"number": problem.number})
            return redirect("problems:problem", problem.pk)
    context = {"nav": "problems", "unit": unit, "form": form}
    return _render(request, "problems/problem_form.html", context, status=400)


@staff_view()
def problem_page(request, problem_id: int):
    problem = access.access_problem_by_id(request.user, problem_id)
    return _render(request, "problems/problem.html", _problem_context(request, problem))


def _problem_context(request, problem: Problem, **bound) -> dict:
    may_keep = access.may_keep(request.user, problem.unit)
    linked = list(problem.measures.order_by("done_on", "due_on", "pk"))
    others = Measure.objects.filter(unit=problem.unit).exclude(pk__in=[m.pk for m in linked]).order_by("-pk")
    context = {
        "nav": "problems",
        "unit": problem.unit,
        "problem": problem,
        "case_visible": access.may_see_case_of(request.user, problem),
        "events": ProblemEvent.objects.filter(problem=problem).select_related("actor"),
        "measures": [(m, m.state(clock.today())) for m in linked],
        "may_keep": may_keep,
    }
    if may_keep:
        context["status_form"] = bound.get("status_form") or StatusForm(
            current=problem.status, initial={"version": problem.version}
        )
        context["link_form"] = bound.get("link_form") or LinkMeasureForm(measures=others)
    return context


def _edit_form(problem: Problem) -> ProblemEditForm:
    """The correction form filled from what is stored now (also after a conflict)."""
    initial = {
        "title": problem.title,
        "category": problem.category_id,
        "source": problem.source,
        "tracking_number": problem.case.tracking_number if problem.case_id else "",
        "found_on": problem.found_on,
        "description": problem.description,
        "version": problem.version,
    }
    return ProblemEditForm(unit=problem.unit, keep_category=problem.category_id, initial=initial)


@staff_view()
def problem_edit(request, problem_id: int):
    problem = access.access_problem_by_id(request.user, problem_id)
    access.check_keeps(request.user, problem.unit)
    unit = problem.unit
    if request.method != "POST":
        context = {"nav": "problems", "unit": unit, "form": _edit_form(problem), "problem": problem}
        return _render(request, "problems/problem_form.html", context)
    form = ProblemEditForm(request.POST, unit=unit, keep_category=problem.category_id)
    status, conflict = 400, None
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.problem_update(
                actor=request.user, problem_id=problem.pk, expected_version=version, **data
            )
        except Conflict as exc:
            # Someone saved first: show the entry as it is now, not the stale values that would undo
            # their change if sent again.
            problem = access.access_problem_by_id(request.user, problem.pk)
            form, status, conflict = _edit_form(problem), exc.http_status, exc.message
        except MinyiError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Problem %(number)s is saved.") % {"number": problem.number})
            return redirect("problems:problem", problem.pk)
    context = {"nav": "problems", "unit": unit, "form": form, "problem": problem, "conflict": conflict}
    return _render(request, "problems/problem_form.html", context, status=status)


@require_POST
@staff_view()
def problem_status(request, problem_id: int):
    problem = access.access_problem_by_id(request.user, problem_id)
    access.check_keeps(request.user, problem.unit)
    form = StatusForm(request.POST, current=problem.status)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            updated = services.problem_set_status(
                actor=request.user, problem_id=problem.pk, expected_version=version, **data
            )
        except Conflict as exc:
            # The page was older than the problem: show its current status and history with the
            # reason, and a fresh form (keeping the note typed) for a decision on what is there now.
            problem = access.access_problem_by_id(request.user, problem.pk)
            fresh = StatusForm(
                current=problem.status, initial={"version": problem.version, "note": data["note"]}
            )
            context = _problem_context(request, problem, status_form=fresh)
            context["conflict"] = exc.message
            return _render(request, "problems/problem.html", context, status=exc.http_status)
        except MinyiError as exc:
            _fail(form, exc)
        else:
            messages.success(
                request,
                _("Problem %(number)s is now “%(status)s”.")
                % {"number": updated.number, "status": updated.get_status_display()},
            )
            return redirect("problems:problem", problem.pk)
    context = _problem_context(request, problem, status_form=form)
    return _render(request, "problems/problem.html", context, status=400)


@require_POST
@staff_view()
def problem_measure(request, problem_id: int):
    """Link one of the unit's measures to this problem, or unlink it (`action=unlink`)."""
    problem = access.access_problem_by_id(request.user, problem_id)
    access.check_keeps(request.user, problem.unit)  # a reader gets 403, as for every other write
    linked = request.POST.get("action") != "unlink"
    try:
        measure, changed = services.measure_link(
            actor=request.user, measure_id=request.POST.get("measure"), problem_id=problem.pk, linked=linked
        )
    except MinyiError as exc:
        messages.error(request, exc.message)
    else:
        if changed:
            note = (
                _("Measure “%(measure)s” now addresses this problem.")
                if linked
                else _("Measure “%(measure)s” no longer addresses this problem.")
            )
            messages.success(request, note % {"measure": measure.title})
        else:  # a second click, or a page older than the link: say that nothing happened
            note = (
                _("Measure “%(measure)s” already addresses this problem: nothing changed.")
                if linked
                else _("Measure “%(measure)s” did not address this problem: nothing to unlink.")
            )
            messages.info(request, note % {"measure": measure.title})
    return redirect("problems:problem", problem.pk)


@staff_view()
def measures(request):
    """The unit's measures, and (for its keepers) the form for a new one."""
    unit = _chosen_unit(request)
    if unit is None:
        return redirect("problems:register")
    may_keep = access.may_keep(request.user, unit)
    form = None
    status = 200
    if request.method == "POST":
        access.check_keeps(request.user, unit)
        form = MeasureForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["problem_numbers"] = services.parse_numbers(data.pop("problems"))
            try:
                measure = services.measure_create(actor=request.user, **data)
            except MinyiError as exc:
                _fail(form, exc)
            else:
                messages.success(
                    request, _("The measure “%(measure)s” is recorded.") % {"measure": measure.title}
                )
                return redirect("problems:measure", measure.pk)
        status = 400
    elif may_keep:
        numbers = ""
        if request.GET.get("problem"):  # "new measure for this problem" from a problem page
            problem = access.access_problem_by_id(request.user, request.GET["problem"])
            numbers = problem.number if problem.unit_id == unit.pk else ""
        form = MeasureForm(initial={"problems": numbers})
    items = (
        access.measures_visible_to(request.user)
        .filter(unit=unit)
        .prefetch_related(Prefetch("problems", queryset=Problem.objects.order_by("year", "sequence")))
        .order_by("done_on", "due_on", "pk")
    )
    today = clock.today()
    context = {
        "nav": "problems",
        "unit": unit,
        "page": page_of(request, items),
        "today": today,
        "form": form,
        "may_keep": may_keep,
    }
    context["rows"] = [(m, m.state(today)) for m in context["page"]]
    return _render(request, "problems/measures.html", context, status=status)


def _measure_edit_form(measure: Measure) -> MeasureEditForm:
    """The form filled from what is stored now (also after a conflict)."""
    numbers = ", ".join(measure.problems.order_by("year", "sequence").values_list("number", flat=True))
    return MeasureEditForm(
        initial={
            "title": measure.title,
            "responsible": measure.responsible,
            "due_on": measure.due_on,
            "done_on": measure.done_on,
            "problems": numbers,
            "description": measure.description,
            "version": measure.version,
        }
    )


@staff_view()
def measure_page(request, measure_id: int):
    measure = access.access_measure_by_id(request.user, measure_id)
    may_keep = access.may_keep(request.user, measure.unit)
    status, conflict = 200, None
    if request.method == "POST":
        access.check_keeps(request.user, measure.unit)
        form = MeasureEditForm(request.POST)
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["problem_numbers"] = services.parse_numbers(data.pop("problems"))
            version = data.pop("version")
            try:
                services.measure_update(
                    actor=request.user, measure_id=measure.pk, expected_version=version, **data
                )
            except Conflict as exc:
                # Someone changed it first (a problem linked from its page counts): show the measure
                # as it is now, so that sending the form again cannot drop their change.
                measure = access.access_measure_by_id(request.user, measure.pk)
                form, status, conflict = _measure_edit_form(measure), exc.http_status, exc.message
            except MinyiError as exc:
                _fail(form, exc)
            else:
                messages.success(
                    request, _("The measure “%(measure)s” is saved.") % {"measure": data["title"]}
                )
                return redirect("problems:measure", measure.pk)
    else:
        form = _measure_edit_form(measure)
    context = {
        "nav": "problems",
        "unit": measure.unit,
        "measure": measure,
        "state": measure.state(clock.today()),
        "problems": measure.problems.select_related("category").order_by("year", "sequence"),
        "form": form if may_keep else None,
        "may_keep": may_keep,
        "conflict": conflict,
    }
    return _render(request, "problems/measure.html", context, status=status)


@staff_view()
def categories(request):
    """The unit's list of problem categories: add one, rename one or take it out of use (keepers)."""
    unit = _chosen_unit(request)
    if unit is None:
        return redirect("problems:register")
    may_keep = access.may_keep(request.user, unit)
    form, status = (CategoryForm() if may_keep else None), 200
    if request.method == "POST":
        access.check_keeps(request.user, unit)
        if request.POST.get("category"):
            return _category_change(request)
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.category_create(actor=request.user, name=form.cleaned_data["name"])
            except MinyiError as exc:
                _fail(form, exc)
            else:
                messages.success(request, _("The category “%(name)s” is added.") % form.cleaned_data)
                return redirect("problems:categories")
        status = 400
    items = ProblemCategory.objects.filter(unit=unit).annotate(n=Count("problems"))
    context = {"nav": "problems", "unit": unit, "categories": items, "form": form, "may_keep": may_keep}
    return _render(request, "problems/categories.html", context, status=status)


def _category_change(request):
    """Rename a category or take it out of use (one row's form of the list)."""
    form = CategoryForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Enter the category name."))
        services.category_update(
            actor=request.user, category_id=request.POST["category"], **form.cleaned_data
        )
    except MinyiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The category “%(name)s” is saved.") % form.cleaned_data)
    return redirect("problems:categories")
