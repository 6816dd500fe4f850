"""Signed channel webhooks (渠道推送): a WeChat/H5 front, an SMS gateway or a grid app posts a demand.

The sender signs `<timestamp>.<body>` with HMAC-SHA256 and the channel key's signing secret and
sends three headers:

    X-Minyi-Key-Id:    the key id (the 8 characters after "minyi_" in the key)
    X-Minyi-Timestamp: seconds since 1970-01-01 UTC
    X-Minyi-Signature: sha256=<hex digest>

A timestamp further than MINYI_WEBHOOK_TOLERANCE_SECONDS from our clock is refused (an old request
replayed later), and so is a signature already accepted (the same request replayed at once).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minyi.api.models import ApiKey, WebhookDelivery
from minyi.core import clock
from minyi.core.errors import Conflict, MinyiError


class SignatureRefused(MinyiError):
    code = "bad_signature"
    http_status = 401


class Replayed(Conflict):
    code = "replayed"


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The signature header value for a body (what senders compute; tests and docs use it too)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


KEY_ID = re.compile(r"^[0-9a-f]{8}$")
TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
SIGNATURE = re.compile(r"^sha256=([0-9a-fA-F]{64})$")


def verify(channel: str, headers, body: bytes) -> tuple[ApiKey, str]:
    """The channel key that signed this body and the signature's digest (lower-case hex, what
    replays are recognised by), or SignatureRefused saying what is wrong."""
    key_id = headers.get("X-Minyi-Key-Id", "")
    timestamp = headers.get("X-Minyi-Timestamp", "")
    signature = SIGNATURE.match(headers.get("X-Minyi-Signature", ""))
    if not (KEY_ID.match(key_id) and TIMESTAMP.match(timestamp) and signature):
        raise SignatureRefused(
            _("Send the headers X-Minyi-Key-Id, X-Minyi-Timestamp and X-Minyi-Signature (see docs/api.md).")
        )
    digest = signature.group(1).lower()
    key = (
        ApiKey.objects.select_related("user")
        .filter(prefix=key_id, channel=channel, revoked_at=None)
        .exclude(signing_secret="")
        .first()
    )
    if key is None or not key.user.is_active:
        raise SignatureRefused(_("There is no active key %(id)s for this channel.") % {"id": key_id})
    skew = abs(clock.now().timestamp() - int(timestamp))
    if skew > settings.MINYI_WEBHOOK_TOLERANCE_SECONDS:
        raise SignatureRefused(
            _(
                "The timestamp is %(skew)d seconds away from our clock (at most %(max)d): "
                "sign the request anew."
            )
            % {"skew": skew, "max": settings.MINYI_WEBHOOK_TOLERANCE_SECONDS}
        )
    if not hmac.compare_digest(
        sign(key.signing_secret, timestamp, body).encode(), f"sha256={digest}".encode()
    ):
        raise SignatureRefused(
            _(
                "The signature does not match: sign “<timestamp>.<body>” with HMAC-SHA256 "
                "and the channel's secret."
            )
        )
    return key, digest


def remember(key: ApiKey, digest: str) -> WebhookDelivery:
    """Record an accepted signature in the caller's transaction; the same one again is a replay
    (a racing twin waits for this transaction on the unique signature, then is refused)."""
    try:
        with transaction.atomic():
            return WebhookDelivery.objects.create(signature=digest, api_key=key, created_at=clock.now())
    except IntegrityError:
        raise Replayed(_("This signed request was received already (replay refused).")) from None


def forget_before(moment) -> int:
    return WebhookDelivery.objects.filter(created_at__lt=moment).delete()[0]
