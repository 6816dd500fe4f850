"""What the console keeps of its own: the runs of batch actions (console/batch.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchRun(models.Model):
    """One batch action (批量操作) a user sent from a list or a queue, and what it did to each case.

    The row is inserted before the first case is touched, under a key made of the form's one-time
    token and what was sent: the same form sent twice (a double click, a reload of the POST) finds
    the row and shows its results instead of acting again; two copies racing on several servers meet
    at the unique (user, key). `results` grows by one entry per case, in the order sent:
    {"ref": the id as sent, "case": the case's id when the user may see it, "done": bool,
    "reason": why it was refused}."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)  # SHA-256 of the form's token and what it sent
    operation = models.CharField(_("operation"), max_length=24)
    summary = models.JSONField(default=dict)  # what the batch was told: the unit, the days, the note
    back = models.CharField(max_length=500, blank=True)  # the list or queue it was sent from
    results = models.JSONField(default=list)
    created_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("batch action")
        verbose_name_plural = _("batch actions")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="batch_run_unique_key")]

    def __str__(self) -> str:
        return f"{self.operation} ({len(self.results)})"
