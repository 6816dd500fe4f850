"""The case (工单), its append-only event log (流转记录) and its attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.cases.workflow import OPERATIONS, Status
from minyi.catalog.choices import LIMIT_UNIT_CHOICES, Channel, DemandType, Urgency


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意
    UNREACHABLE = "unreachable", _("Unreachable")  # 未接通/联系不上


class SupervisionLevel(models.IntegerChoices):
    NONE = 0, _("None")
    ORDINARY = 1, _("Ordinary")  # 一般督办
    YELLOW = 2, _("Yellow card")  # 黄牌督办
    RED = 3, _("Red card")  # 红牌督办


class Case(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    query_code = models.CharField(_("query code"), max_length=8)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    demand_type = models.CharField(_("demand type"), max_length=16, choices=DemandType.choices)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))

    area = models.ForeignKey(
        "org.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    requester_name = models.CharField(_("requester name"), max_length=50, blank=True)
    requester_phone = models.CharField(_("requester phone"), max_length=32, blank=True)
    requester_id_number = models.CharField(_("requester ID number"), max_length=32, blank=True)
    # The requester's id in the source system: a WeChat openid, the user id of an imported message
    # board… Tells one person's demands apart when no phone is known.
    requester_ref = models.CharField(_("requester reference"), max_length=64, blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_confidential = models.BooleanField(_("confidential"), default=False)  # 保密
    needs_contact = models.BooleanField(
        _("needs contact"), default=False, help_text=_("The handling unit must contact the requester.")
    )

    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    co_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("co-units"), blank=True, related_name="co_cases"
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    # Bumped by every operation that changes the status or the assignment; a form sends the version
    # it showed, and a stale one is refused as a conflict instead of overwriting someone's work.
    version = models.PositiveIntegerField(_("version"), default=1)

    received_at = models.DateTimeField(_("received at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    # Whether the current signature came before its sign-for deadline (响应率); None without one.
    signed_on_time = models.BooleanField(_("signed for in time"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Deadlines (时限): the rule's limits as applied, then the moments, recomputed by each operation.
    sign_limit = models.PositiveIntegerField(_("sign-for limit"), null=True, blank=True)
    sign_unit = models.CharField(
        _("sign-for limit unit"), max_length=16, choices=LIMIT_UNIT_CHOICES, blank=True
    )
    handle_limit = models.PositiveIntegerField(_("handling limit"), null=True, blank=True)
    handle_unit = models.CharField(
        _("handling limit unit"), max_length=16, choices=LIMIT_UNIT_CHOICES, blank=True
    )
    handle_started_at = models.DateTimeField(_("handling clock started at"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("sign-for deadline"), null=True, blank=True)
    sign_warn_at = models.DateTimeField(_("sign-for warning"), null=True, blank=True)
    handle_due_at = models.DateTimeField(_("handling deadline"), null=True, blank=True)
    handle_warn_at = models.DateTimeField(_("handling warning"), null=True, blank=True)
    handle_due_original_at = models.DateTimeField(_("original handling deadline"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspended_from = models.CharField(_("status before suspension"), max_length=20, blank=True)
    # The next moment the worker must look at this case's deadlines (yellow or red); None: nothing due.
    alert_at = models.DateTimeField(_("next deadline alert"), null=True, blank=True)

    reply_text = models.TextField(_("reply"), blank=True)
    replied_on_time = models.BooleanField(_("replied on time"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=24, choices=Satisfaction.choices, blank=True
    )
    resolved = models.BooleanField(_("resolved (per requester)"), null=True, blank=True)
    # The requester's own rating in the portal (1-5 stars), beside the callback agent's satisfaction.
    citizen_rating = models.PositiveSmallIntegerField(_("citizen rating"), null=True, blank=True)
    citizen_rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    extension_days_requested = models.PositiveSmallIntegerField(
        _("extension requested (working days)"), null=True, blank=True
    )

    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)  # 重办次数
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)  # 退单次数
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    remind_count = models.PositiveSmallIntegerField(_("reminders"), default=0)
    supervision_level = models.PositiveSmallIntegerField(
        _("supervision level"), choices=SupervisionLevel.choices, default=SupervisionLevel.NONE
    )

    master = models.ForeignKey(
        "self",
        verbose_name=_("master case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    # 疑似重复件: the case this one probably repeats, found when it was registered
    # (analysis/repeat_flags.py), with the score and why (shared words, place, minutes apart). A
    # proposal for the dispatcher, not a merge: `master` is set only by the merge itself.
    suspected_master = models.ForeignKey(
        "self",
        verbose_name=_("suspected master case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suspected_repeats",
    )
    repeat_score = models.FloatField(_("repeat score"), null=True, blank=True)
    repeat_reason = models.JSONField(_("why a repeat"), default=dict, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="case_status_received"),
            models.Index(fields=["lead_unit", "status"], name="case_unit_status"),
            models.Index(fields=["status", "handle_due_at"], name="case_status_handle_due"),
            # The callback desk's queue, oldest reply first: by replied_at alone the database walks
            # years of archived replies to find the few thousand waiting for a call.
            models.Index(fields=["status", "replied_at"], name="case_status_replied"),
            models.Index(fields=["area", "-received_at"], name="case_area_received"),
            models.Index(fields=["category", "-received_at"], name="case_category_received"),
            models.Index(fields=["received_at"], name="case_received"),
            models.Index(fields=["replied_at"], name="case_replied"),  # 办结量, on-time rate, trends
            # Orders due in a period (on-time rate, response rate: stats/measures.py)
            models.Index(fields=["handle_due_at"], name="case_handle_due"),
            models.Index(fields=["sign_due_at"], name="case_sign_due"),
            models.Index(fields=["signed_at"], name="case_signed"),
            models.Index(fields=["requester_phone"], name="case_requester_phone"),
            models.Index(fields=["alert_at"], name="case_alert_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="case_unique_external_id",
            ),
            models.CheckConstraint(condition=~Q(master=models.F("id")), name="case_not_own_master"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def is_open(self) -> bool:
        from minyi.cases.workflow import OPEN

        return self.status in OPEN


class CaseEvent(models.Model):
    """One action on a case. Append-only: the timeline, audits and measures read from it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    operation = models.CharField(
        _("operation"), max_length=24, choices=[(n, o.label) for n, o in OPERATIONS.items()]
    )
    from_status = models.CharField(_("from status"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=50, blank=True)  # for citizens and the system
    actor_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="event_case_time"),
            models.Index(fields=["operation", "created_at"], name="event_operation_time"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.get_operation_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Case events are append-only: write a new event instead of changing one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Case events are append-only and cannot be deleted.")


class InstructionRequest(models.Model):
    """请示领导批示: the centre (a supervisor or a dispatcher) asks a named leader for an instruction on
    a case. Open until that leader gives one. Written only by the operations `request_instruction`
    and `instruct` (cases/services.py); the leader home lists a leader's open requests."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="instruction_requests", verbose_name=_("case")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("leader")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    note = models.TextField(_("what to decide"))
    answered_at = models.DateTimeField(_("instruction given at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for a leader's instruction")
        verbose_name_plural = _("requests for a leader's instruction")
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["leader", "answered_at"], name="instruction_awaiting")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "leader"],
                condition=models.Q(answered_at__isnull=True),
                name="instruction_one_open_per_leader",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.leader}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case.received_at:%Y/%m}/{instance.case.tracking_number}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    event = models.ForeignKey(
        CaseEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
        verbose_name=_("event"),
    )
    file = models.FileField(_("file"), upload_to=_attachment_path)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"))
    # A photo the handling unit sent with its reply for the requester to see in the portal (never a
    # document, never on a confidential report: services.case_apply). Every other file is internal.
    for_requester = models.BooleanField(_("shown to the requester"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class TrackingCounter(models.Model):
    """The last tracking-number sequence used in a month (period "YYYYMM")."""

    period = models.CharField(max_length=6, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tracking number counter")
        verbose_name_plural = _("tracking number counters")

    def __str__(self) -> str:
        return f"{self.period}: {self.value}"
