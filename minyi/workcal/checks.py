"""Warn administrators when the working-day calendar lacks a year that deadlines will need."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext as _


@checks.register(checks.Tags.database)
def calendar_year_missing(app_configs, databases=None, **kwargs) -> list[checks.CheckMessage]:
    from minyi.workcal.services import years_needing_entry

    if not databases:  # only `migrate` and `check --database …` ask checks to touch the database
        return []
    try:
        missing = years_needing_entry()
    except DatabaseError:  # not migrated yet: nothing to say
        return []
    return [
        checks.Warning(
            _("The holiday calendar for %(year)d is not known yet.") % {"year": year},
            hint=_(
                "Enter that year's statutory holidays and make-up working days under 节假日调整 in the "
                "admin; until then deadlines count Monday to Friday as working days."
            ),
            id="workcal.W001",
        )
        for year in missing
    ]
