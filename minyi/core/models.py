"""What the core keeps: the heartbeat of each running `minyi worker` (for monitoring, see health.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per worker process (host and pid), updated at the end of each of its rounds. Several
    workers on several machines each upsert their own row by `name`, so they never contend."""

    name = models.CharField(max_length=200, unique=True)  # "host:pid"
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()  # the end of its last round
    interval = models.PositiveIntegerField()  # seconds between its rounds: how old is too old
    rounds = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        indexes = [models.Index(fields=["-beat_at"], name="heartbeat_newest")]

    def __str__(self) -> str:
        return self.name
