"""What this part shows on a case page (console/related.py gathers it): the visit the case came from."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from minyi.access import visits as access
from minyi.console.related import Related


def case_links(user, case) -> list[Related]:
    """The visit whose problem became `case`, if `user` may see that visit."""
    from minyi.visits.models import VisitProblem

    problem = (
        VisitProblem.objects.filter(case_id=case.pk)
        .select_related("visit__household", "visit__campaign")
        .first()
    )
    if problem is None or not access.can_see_visit(user, problem.visit):
        return []
    if case.is_confidential and not access.sees_confidential_problems(user):
        return []  # the visit names the household a report (举报) came from
    visit = problem.visit
    return [
        Related(
            kind=_("Visit record"),
            title=f"{visit.household.address} · {visit.visited_on:%Y-%m-%d}",
            url=reverse("visits:visit", args=[visit.pk]),
            note=visit.campaign.name,
        )
    ]
