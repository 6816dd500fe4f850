"""What this part shows on a case page (console/related.py gathers it)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from minyi.access import problems as access
from minyi.console.related import Related


def case_links(user, case) -> list[Related]:
    """The register entries (问题台账) made from `case` that `user` may read."""
    problems = (
        access.problems_of_case(user, case).select_related("unit").order_by("unit__name", "year", "sequence")
    )
    return [
        Related(
            kind=_("Problem register"),
            title=f"{p.number} {p.title}",
            url=reverse("problems:problem", args=[p.pk]),
            note=f"{p.unit.name} · {p.get_status_display()}",
        )
        for p in problems
    ]
