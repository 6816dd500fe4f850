"""Recording notifications (in the caller's transaction) and delivering SMS/e-mail (after commit)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from minyi.core import clock
from minyi.notifications.models import Notification, OutboundMessage
from minyi.notifications.senders import sender_for
from minyi.org.models import Unit, User
from minyi.org.roles import Role

log = logging.getLogger("minyi.notifications")

UNIT_STAFF = (Role.UNIT_HANDLER, Role.UNIT_HEAD)
MAX_ATTEMPTS = 5


def unit_staff(unit: Unit | None, roles: Iterable[str] = UNIT_STAFF) -> list[User]:
    if unit is None:
        return []
    return list(User.objects.filter(is_active=True, unit=unit, grants__role__in=list(roles)).distinct())


def role_holders(*roles: str) -> list[User]:
    return list(User.objects.filter(is_active=True, grants__role__in=roles).distinct())


def notify(
    users: Iterable[User], *, kind: str, message: str, case=None, url: str = "", sms: bool = False
) -> list[Notification]:
    """Record in-app notifications (and queue SMS) inside the caller's transaction.

    Rows written with the change cannot be lost or sent for a change that rolled back; delivery of
    SMS happens after commit (`deliver_pending`, also run by `minyi worker`).
    """
    now = clock.now()
    unique = {u.pk: u for u in users}.values()
    notes = Notification.objects.bulk_create(
        [
            Notification(user=u, case=case, url=url, kind=kind, message=message[:300], created_at=now)
            for u in unique
        ]
    )
    if sms:
        queued = OutboundMessage.objects.bulk_create(
            [
                OutboundMessage(
                    medium=OutboundMessage.Medium.SMS, recipient=u.phone, body=message, created_at=now
                )
                for u in unique
                if u.phone
            ]
        )
        if queued:
            transaction.on_commit(deliver_pending)
    return notes


def deliver_pending(limit: int = 100) -> int:
    """Send pending messages. Each is claimed with a conditional update, so several workers (and the
    on-commit hook of a request) can run at once and none sends a message twice."""
    sent = 0
    candidates = list(
        OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in candidates:
        claimed = OutboundMessage.objects.filter(pk=pk, state=OutboundMessage.State.PENDING).update(
            state=OutboundMessage.State.SENDING, claimed_at=clock.now()
        )
        if not claimed:
            continue
        message = OutboundMessage.objects.get(pk=pk)
        try:
            sender_for(message.medium).send(message.recipient, message.subject, message.body)
        except Exception as exc:  # a gateway failure of any kind: retry later, up to MAX_ATTEMPTS
            attempts = message.attempts + 1
            OutboundMessage.objects.filter(pk=pk).update(
                state=OutboundMessage.State.FAILED
                if attempts >= MAX_ATTEMPTS
                else OutboundMessage.State.PENDING,
                attempts=attempts,
                last_error=str(exc)[:300],
            )
            log.warning("sending %s to %s failed: %s", message.medium, message.recipient, exc)
            continue
        OutboundMessage.objects.filter(pk=pk).update(
            state=OutboundMessage.State.SENT, sent_at=clock.now(), attempts=message.attempts + 1
        )
        sent += 1
    return sent


def release_stale_claims(older_than_seconds: int = 600) -> int:
    """Messages claimed by a process that died before sending go back to pending."""
    cutoff = clock.now() - dt.timedelta(seconds=older_than_seconds)
    return OutboundMessage.objects.filter(
        Q(state=OutboundMessage.State.SENDING), Q(claimed_at__lt=cutoff)
    ).update(state=OutboundMessage.State.PENDING)


def mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=clock.now())


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
