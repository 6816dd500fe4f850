"""In-app notifications (消息), the outbox of SMS/e-mail, and the record of deadline alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message in a user's in-app list."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned to you")  # 新交办
        RETURNED = "returned", _("Returned by a unit")  # 退单
        EXTENSION = "extension", _("Extension")  # 延期
        REMINDER = "reminder", _("Reminder")  # 催办
        SUPERVISION = "supervision", _("Supervision")  # 督办
        INSTRUCTION = "instruction", _("Leader instruction")  # 批示
        REOPENED = "reopened", _("Reopened")  # 重办
        SUSPENSION = "suspension", _("Suspended or resumed")  # 挂起/恢复
        WITHDRAWN = "withdrawn", _("Withdrawn")  # 撤单
        DUE_SOON = "due_soon", _("Due soon")  # 临期预警
        OVERDUE = "overdue", _("Overdue")  # 超期
        CALENDAR = "calendar", _("Calendar")  # 日历维护
        SURGE = "surge", _("Rising topic")  # 上升苗头
        PROJECT_REPORT = "project_report", _("Project monthly report")  # 月调度
        LOGIN_FAILURES = "login_failures", _("Repeated wrong passwords")  # 密码多次错误

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("case"),
    )
    # Where the notification leads when it is not about a case (a project's monthly report …).
    url = models.CharField(_("link"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("time"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.message


class OutboundMessage(models.Model):
    """An SMS or e-mail waiting to be sent. Written in the transaction of the change that causes it,
    sent after commit by whichever process claims it first (conditional update on `status`)."""

    class Medium(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    medium = models.CharField(_("medium"), max_length=8, choices=Medium.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [models.Index(fields=["state", "created_at"], name="outbound_state")]

    def __str__(self) -> str:
        return f"{self.medium} → {self.recipient}"


class DeadlineAlert(models.Model):
    """A yellow or red alert sent for one deadline of one case. The unique constraint is what makes
    "the same deadline never notifies twice" hold even if two workers race past their claims."""

    class Level(models.TextChoices):
        YELLOW = "yellow", _("Due soon")
        RED = "red", _("Overdue")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    clock = models.CharField(_("deadline kind"), max_length=8)  # "sign" or "handle"
    due_at = models.DateTimeField(_("due at"))
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        constraints = [
            models.UniqueConstraint(fields=["case", "clock", "due_at", "level"], name="deadline_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.clock} {self.level}"
