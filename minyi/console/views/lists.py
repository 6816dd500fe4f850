"""Case lists with filters, and their export (placeholder until the lists land)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from minyi.access import cases as access
from minyi.console.views.common import page_of, staff_view


@staff_view()
def case_list(request):
    cases = access.cases_visible_to(request.user).select_related("category", "area", "lead_unit")
    page = page_of(request, cases.order_by("-received_at"))
    return render(request, "console/cases.html", {"page": page, "rows": [(c, []) for c in page]})


@staff_view()
def case_export(request):
    return HttpResponse(status=501)
