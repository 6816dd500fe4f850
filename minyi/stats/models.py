"""What the measures keep: the figures of each closed month (stats/rollups.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthlyMeasures(models.Model):
    """The measures of one closed calendar month over every case — the total and each breakdown, as
    stats.measures.Measured.to_json() — so that pages reading a closed month (环比, 同比, the trend,
    last month's report) need not count a million cases again. `computed_at` says how fresh the
    figures are; `checked_at` when a refresh last found nothing newer to take in."""

    month = models.DateField(_("month"), primary_key=True, help_text=_("Its first day."))
    computed_at = models.DateTimeField(_("computed at"))
    checked_at = models.DateTimeField(_("checked at"))
    data = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("monthly measures")
        verbose_name_plural = _("monthly measures")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
