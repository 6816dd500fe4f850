"""The case list (案件查询) with its filters, and its export to CSV or Excel.

Both read the same GET parameters through console/filters.py, starting from the cases the user may
see (access/cases.py): the export can never hold a case the list would not show.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from minyi.access import cases as access
from minyi.cases.models import Case
from minyi.console import exports
from minyi.console.batch import batch_bar
from minyi.console.filters import CaseFilterForm, filter_cases
from minyi.console.views.common import page_of, staff_view
from minyi.core import clock


def _filtered(request) -> tuple[CaseFilterForm, QuerySet[Case] | None]:
    """The filter form of the request and the cases it selects (None while a filter is invalid)."""
    form = CaseFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, filter_cases(
        access.cases_visible_to(request.user), form.cleaned_data, clock.now(), reader=request.user
    )


@staff_view()
def case_list(request):
    form, cases = _filtered(request)
    page = None if cases is None else page_of(request, cases.select_related("category", "area", "lead_unit"))
    return render(
        request,
        "console/cases.html",
        {
            "nav": "cases",
            "form": form,
            "page": page,
            "rows": [(case, []) for case in page] if page else [],
            "batch": batch_bar(request, page) if page else None,
            "export_formats": exports.FORMATS,
        },
    )


@staff_view()
def case_export(request):
    """?format=csv|xlsx plus the list's filters; refused (back to the list) when too many cases match."""
    back = reverse("console:cases") + _without(request.GET, "format", "page")
    fmt = request.GET.get("format", "")
    if fmt not in exports.FORMATS:
        messages.error(request, _("Choose the format of the export: CSV or Excel."))
        return redirect(back)
    _form, cases = _filtered(request)
    if cases is None:
        messages.error(request, _("Some filters are not valid: correct them, then export again."))
        return redirect(back)
    count, limit = cases.count(), settings.MINYI_EXPORT_MAX_ROWS
    if count > limit:
        messages.error(
            request,
            _(
                "%(count)s cases match, more than the %(limit)s an export may hold: "
                "narrow the filters (for example the received dates) and export again."
            )
            % {"count": count, "limit": limit},
        )
        return redirect(back)
    write = exports.csv_response if fmt == "csv" else exports.xlsx_response
    return write(cases, request.user, clock.now())


def _without(params, *names: str) -> str:
    """The query string (with its "?") without the named parameters."""
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return "?" + params.urlencode() if params else ""
