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
