"""API keys of integrations, remembered idempotent requests and seen webhook signatures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.catalog.choices import Channel


class ApiKey(models.Model):
    """A key another system authenticates with. The key itself is shown once, at creation; only its
    SHA-256 is stored. Each key acts as its own account (`user`), whose roles decide through the
    access module what the key may see and do."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    prefix = models.CharField(_("key id"), max_length=12, unique=True)  # public: shown in lists and logs
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key", verbose_name=_("account")
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The secret a channel's webhook signs its bodies with (HMAC-SHA256). Verifying needs the secret
    # itself, so it is stored as given out; it is not the key and opens nothing else.
    signing_secret = models.CharField(_("webhook signing secret"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotentRequest(models.Model):
    """A create request made with an `Idempotency-Key`: the first one's result, replayed for repeats.

    The unique (account, key) row is inserted in the same transaction as the case, so of two
    identical requests racing on several servers one creates the case and the other waits for its
    commit and then replays its answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_unique_key")]

    def __str__(self) -> str:
        return self.key


class WebhookDelivery(models.Model):
    """A webhook signature already accepted: the same signed body is refused if sent again (replay)."""

    signature = models.CharField(max_length=64, unique=True)
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return self.signature
