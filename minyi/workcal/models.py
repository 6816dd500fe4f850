"""The administrator's override table for the working-day calendar (节假日调整).

The State Council publishes next year's holidays around November; until the `chinesecalendar`
package knows that year, administrators enter the holidays and make-up working days here. An
override always wins over the package.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayOverride(models.Model):
    day = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"), help_text=_("Ticked: a working day (e.g. a make-up Saturday). Unticked: a day off.")
    )
    note = models.CharField(_("note"), max_length=100, blank=True, help_text=_("For example: 春节, 调休上班"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'上班' if self.is_workday else '休息'} {self.note}".strip()
