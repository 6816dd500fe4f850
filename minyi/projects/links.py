"""The livelihood projects a case is linked to, for its case page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from minyi.access.projects import projects_visible_to
from minyi.console.related import Related


def case_links(user, case) -> list[Related]:
    projects = projects_visible_to(user).filter(case_links__case=case).select_related("batch")
    return [
        Related(
            _("Livelihood project"),
            f"{p.number}. {p.name}",
            reverse("projects:project", args=[p.pk]),
            p.batch.name,
        )
        for p in projects
    ]


def linkable_projects(user, case) -> list:
    """The projects the user may link this case to from its case page (the centre: every project of
    the batches still reporting that it is not linked to yet)."""
    from minyi.access.projects import keeps_ledger

    if not keeps_ledger(user):
        return []
    projects = projects_visible_to(user).exclude(case_links__case=case).exclude(status="done")
    return list(projects.select_related("batch").order_by("-batch__first_month", "id"))
