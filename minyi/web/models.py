from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """Hits of one key (an action and a client address) within one fixed window. Kept in the
    database so that every application server counts the same hits (see web/ratelimit.py)."""

    key = models.CharField(_("key"), max_length=120)
    window_start = models.DateTimeField(_("window start"))
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"


class LoginFailures(models.Model):
    """Wrong passwords in a row for one account (from any address), from one address (for any user
    names) or from one trusted device (a browser with a user's device cookie): what the login limits
    of web/logins.py read. Kept in the database so that every application
    server counts the same failures; an administrator unlocks by deleting the row."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("Account")
        ADDRESS = "address", _("IP address")
        DEVICE = "device", _("Trusted device")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # The user name as typed (it need not exist), the client address, or a device's id and user name.
    name = models.CharField(_("user name or address"), max_length=150)
    failures = models.PositiveIntegerField(_("wrong passwords in a row"), default=0)
    last_failure_at = models.DateTimeField(_("last wrong password"), null=True, blank=True)
    alerted_at = models.DateTimeField(_("administrators alerted"), null=True, blank=True)

    class Meta:
        verbose_name = _("login failures")
        verbose_name_plural = _("login failures")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="login_failures_unique")]
        indexes = [models.Index(fields=["last_failure_at"], name="login_failures_last")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}: {self.failures}"
