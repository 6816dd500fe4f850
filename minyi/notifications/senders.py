"""Pluggable senders for SMS and e-mail. Settings MINYI_SMS_SENDER / MINYI_EMAIL_SENDER name a class
with `send(recipient, subject, body)`; it raises to signal a failure (the message is retried)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("minyi.notifications")


class LogSender:
    """The default: write the message to the log (no gateway is configured)."""

    def send(self, recipient: str, subject: str, body: str) -> None:
        log.info("message to %s: %s %s", recipient, subject, body)


class DjangoEmailSender:
    """E-mail through Django's configured e-mail backend (EMAIL_HOST etc.)."""

    def send(self, recipient: str, subject: str, body: str) -> None:
        from django.core.mail import send_mail

        send_mail(subject or "minyi", body, None, [recipient])


def sender_for(medium: str):
    path = settings.MINYI_SMS_SENDER if medium == "sms" else settings.MINYI_EMAIL_SENDER
    return import_string(path)()
