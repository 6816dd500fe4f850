"""What the API reads and writes, as DRF serializers. They validate the shape of a request; the
services validate its meaning (and raise MinyiError with a message that says what to fix). The
OpenAPI schema is generated from these same classes."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from minyi.access import cases as access
from minyi.access.personal_data import (
    attachment_name,
    event_actor,
    requester_for,
    shown_channel,
    shown_text,
)
from minyi.cases import deadlines
from minyi.cases.models import Attachment, Case, CaseEvent, Satisfaction, SupervisionLevel
from minyi.cases.services import MAX_EXTENSION_DAYS, MAX_HANDLE_DAYS, MAX_TEXT, plain_decimal
from minyi.cases.workflow import OPERATIONS, SYSTEM
from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.core import clock

MAX_FILES = 10  # files one request may carry
# What a client may ask for: not registration (its own endpoint), nor what only the system does (a
# repeat following its master).
OPERATION_NAMES = [name for name, op in OPERATIONS.items() if name != "create" and op.roles != {SYSTEM}]


class Error(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code: invalid, not_found, forbidden, conflict, …")
    message = serializers.CharField(help_text="What is wrong and what to do about it.")
    field = serializers.CharField(required=False)
    fields = serializers.DictField(required=False)
    details = serializers.DictField(required=False)


class Named(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class UnitRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class Requester(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    id_number = serializers.CharField()
    masked = serializers.BooleanField()
    anonymous = serializers.BooleanField()


class AttachmentOut(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "created_at", "url"]

    def get_name(self, item: Attachment) -> str:
        case = self.context.get("case") or item.case
        return attachment_name(self.context["request"].user, case, item)

    def get_url(self, item: Attachment) -> str:
        request = self.context.get("request")
        path = f"/api/v1/attachments/{item.pk}/"
        return request.build_absolute_uri(path) if request else path


class CaseOut(serializers.ModelSerializer):
    """A case as the caller may see it: personal data masked (reveal: GET …/requester/)."""

    channel = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    area = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    lead_unit = serializers.SerializerMethodField()
    co_units = serializers.SerializerMethodField()
    master = serializers.SerializerMethodField()
    light = serializers.SerializerMethodField()
    requester = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id", "tracking_number", "channel", "demand_type", "urgency", "title", "description",
            "status", "status_label", "version", "area", "address", "latitude", "longitude", "category",
            "lead_unit", "co_units", "received_at", "accepted_at", "assigned_at", "signed_at",
            "replied_at", "closed_at", "sign_due_at", "handle_due_at", "light", "reply_text",
            "satisfaction", "resolved", "citizen_rating", "supervision_level", "master", "external_id",
            "is_anonymous", "is_confidential", "needs_contact", "requester",
        ]  # fmt: skip

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Channel.choices,
            allow_null=True,
            help_text="null for a confidential case outside the centre: the channel would point at "
            "who raised it (a grid worker's report names the grid's one worker).",
        )
    )
    def get_channel(self, case: Case) -> str | None:
        return shown_channel(self.context["request"].user, case) or None

    def get_description(self, case: Case) -> str:
        """Outside the centre, a confidential case's description without its reporter's traces."""
        return shown_text(self.context["request"].user, case, case.description)

    @extend_schema_field(Named(allow_null=True))
    def get_area(self, case: Case) -> Named | None:
        return {"code": case.area.code, "name": case.area.name} if case.area_id else None

    @extend_schema_field(Named(allow_null=True))
    def get_category(self, case: Case) -> Named | None:
        return {"code": case.category.code, "name": case.category.name} if case.category_id else None

    @extend_schema_field(UnitRef(allow_null=True))
    def get_lead_unit(self, case: Case) -> UnitRef | None:
        unit = case.lead_unit
        return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit else None

    @extend_schema_field(UnitRef(many=True))
    def get_co_units(self, case: Case) -> list[UnitRef]:
        return [{"id": u.pk, "code": u.code, "name": u.name} for u in case.co_units.all()]

    def get_master(self, case: Case) -> str | None:
        master = case.master if case.master_id else None
        return (
            master.tracking_number
            if master and access.can_see(self.context["request"].user, master)
            else None
        )

    def get_light(self, case: Case) -> str | None:
        light = deadlines.light(case, clock.now())
        return light.value if light else None

    @extend_schema_field(Requester())
    def get_requester(self, case: Case) -> Requester:
        return vars(requester_for(self.context["request"].user, case))


class CaseDetail(CaseOut):
    allowed_operations = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(CaseOut.Meta):
        fields = [*CaseOut.Meta.fields, "allowed_operations", "attachments"]

    @extend_schema_field(AttachmentOut(many=True))
    def get_attachments(self, case: Case) -> list[dict]:
        items = access.attachments_visible_to(self.context["request"].user, case).select_related(
            "uploaded_by"
        )
        return AttachmentOut(items, many=True, context={**self.context, "case": case}).data

    def get_allowed_operations(self, case: Case) -> list[str]:
        return [op.name for op in access.allowed_operations(self.context["request"].user, case)]


class CaseReceipt(serializers.Serializer):
    """The answer to a registration: what the requester needs to follow the demand (tracking number
    and query code 查询码) and where the whole case is read. Not the whole case: drawing all of it for
    every registration cost a third of intake's time (bench/README.md), and most channels only pass
    the two numbers on to the citizen."""

    id = serializers.IntegerField()
    tracking_number = serializers.CharField()
    query_code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    received_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="GET it for the whole case.")

    def get_url(self, case: Case) -> str:
        path = reverse("api:case", args=[case.tracking_number])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^[+-]?[0-9]{1,3}(\.[0-9]{1,6})?$"})
class Coordinate(serializers.DecimalField):
    """Degrees to six places. Text must be a plain decimal number, the rule of every edge
    (cases.services.plain_decimal); DRF alone would take what Decimal reads ("1_0", "３４.７")."""

    def __init__(self, limit: int, **kwargs):
        kwargs.update(max_digits=9, decimal_places=6, required=False, allow_null=True)
        super().__init__(min_value=-limit, max_value=limit, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and data.strip() and not plain_decimal(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


class CaseIn(serializers.Serializer):
    """A new demand. Codes for area and category; the channel is the key's when it has one.

    Beyond each field's type, a demand is refused (400, naming the field) when it gives neither
    requester_name nor requester_phone and is not anonymous, when area or category is not a code of
    GET /api/v1/areas/ or /categories/ (or an area outside the account's scope), or when the phone
    holds other than digits, spaces, "-" and a leading "+"."""

    channel = serializers.ChoiceField(Channel.choices, required=False)
    demand_type = serializers.ChoiceField(DemandType.choices)
    urgency = serializers.ChoiceField(Urgency.choices, required=False, default=Urgency.NORMAL)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=MAX_TEXT)
    area = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text="Area code.")
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    latitude = Coordinate(90)
    longitude = Coordinate(180)
    requester_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    requester_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    requester_id_number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    requester_ref = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="The requester's id in your system."
    )
    is_anonymous = serializers.BooleanField(required=False, default=False)
    is_confidential = serializers.BooleanField(required=False, default=False)
    needs_contact = serializers.BooleanField(required=False, default=False)
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="Category code."
    )
    external_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Your id of this demand: unique per channel.",
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, write_only=True, max_length=MAX_FILES
    )


class OperationIn(serializers.Serializer):
    """An operation on a case. `note` is required by some operations; the other fields are the
    parameters of particular operations (see docs/api.md) and are refused by the others."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The version you last saw: a conflict if it changed.",
    )
    category = serializers.CharField(required=False, max_length=32, help_text="accept, classify")
    demand_type = serializers.ChoiceField(DemandType.choices, required=False, help_text="accept, classify")
    urgency = serializers.ChoiceField(Urgency.choices, required=False, help_text="accept, classify")
    needs_contact = serializers.BooleanField(required=False, help_text="accept, classify, assign, reassign")
    knowledge_entry = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="answer"
    )
    lead_unit = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="assign, reassign"
    )
    co_units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=20,
        help_text="assign, reassign",
    )
    handle_days = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_HANDLE_DAYS, help_text="assign, reassign"
    )
    days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        help_text="request_extension, approve_extension",
    )
    satisfaction = serializers.ChoiceField(Satisfaction.choices, required=False, help_text="callback")
    resolved = serializers.BooleanField(required=False, allow_null=True, help_text="callback")
    stars = serializers.IntegerField(required=False, min_value=1, max_value=5, help_text="rate")
    level = serializers.ChoiceField(
        [c for c in SupervisionLevel.choices if c[0]], required=False, help_text="supervise"
    )
    master = serializers.CharField(required=False, max_length=20, help_text="merge: id or tracking number")
    leader = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="request_instruction: the leader's user id",
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, write_only=True, max_length=MAX_FILES
    )

    def params(self) -> dict:
        """The operation's own parameters: those the client sent (DRF fills absent booleans of a
        form body with False/None, which must not reach the service), without note, version, files."""
        sent = set(self.initial_data)
        return {
            key: value
            for key, value in self.validated_data.items()
            if key in sent and key not in ("note", "expected_version", "attachments")
        }


class OperationOut(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    note_required = serializers.BooleanField()
    target = serializers.CharField(allow_null=True)


class EventOut(serializers.ModelSerializer):
    """One step of the timeline. Integrations see the public timeline only: no staff names, no
    internal notes."""

    operation_label = serializers.CharField(source="get_operation_display")
    actor = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "operation",
            "operation_label",
            "from_status",
            "to_status",
            "actor",
            "unit",
            "note",
            "created_at",
        ]

    def get_actor(self, event: CaseEvent) -> str:
        return self._shown(event).name if self.context.get("staff") else ""

    def get_unit(self, event: CaseEvent) -> str:
        return self._shown(event).unit if self.context.get("staff") else ""

    def get_note(self, event: CaseEvent) -> str:
        case = self.context["case"]
        return shown_text(self.context["request"].user, case, event.note, author=event.actor)

    def _shown(self, event: CaseEvent):
        return event_actor(self.context["request"].user, self.context["case"], event)


class CategoryOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(allow_null=True)
    depth = serializers.IntegerField()
    is_public = serializers.BooleanField()


class AreaOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="For the `area` filter of the case list.")
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    parent = serializers.CharField(allow_null=True)
    households = serializers.IntegerField()


class UnitOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent = serializers.CharField(allow_null=True)


class KnowledgeOut(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    answer = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    score = serializers.FloatField()


class MeasuresOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    received = serializers.IntegerField()
    closed = serializers.IntegerField()
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    called_back = serializers.IntegerField()
    content = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)


class WebhookIn(CaseIn):
    """A demand posted by a channel's front end. The channel is the one in the address."""

    channel = None
    attachments = None
