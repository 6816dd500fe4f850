"""Cases through the API: list (the console's filters), create (with Idempotency-Key), read, the
timeline, every workflow operation, attachments and the audited reveal of the requester.

Every case is obtained through the access module and every change goes through the services, so
the API allows exactly what the console allows.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from minyi.access import cases as access
from minyi.access.personal_data import requester_reveal
from minyi.api import idempotency
from minyi.api.parsers import JSONParser
from minyi.api.serializers import (
    MAX_FILES,
    OPERATION_NAMES,
    CaseDetail,
    CaseIn,
    CaseOut,
    CaseReceipt,
    EventOut,
    OperationIn,
    OperationOut,
    Requester,
)
from minyi.api.views.common import CASE_REF, DATE, DeclaredParameters, case_for, errors
from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create
from minyi.cases.workflow import OPERATIONS, target_status
from minyi.catalog.choices import Channel
from minyi.console.filters import CaseFilterForm, filter_cases
from minyi.core import clock
from minyi.core.errors import InvalidInput, NotFound
from minyi.portal.timeline import PUBLIC_OPERATIONS, REASONS, REPLIES
from minyi.web.downloads import INLINE_TYPES, attachment_response

RELATED = ("area", "category", "lead_unit", "master")
DOWNLOAD = "The file: a JPEG, PNG, WebP or GIF photo as itself, any other file as application/octet-stream."


# What the schema says of a list filter beyond its type: the refusals the console's filter form makes
# (a 400 naming the parameter), so that a client can tell a valid request from the schema.
REFERENCE_ID = "the id of an active %s in GET /api/v1/%s/; another number is refused (400)"
DATE_RANGE = "a date (YYYY-MM-DD) from 1990-01-01 to 2199-12-31"
FILTER_SCHEMAS = {
    "q": {"type": "string", "maxLength": 200},
    "unit": {"type": "integer", "minimum": 1},
    "area": {"type": "integer", "minimum": 1},
    "received_from": DATE,
    "received_to": DATE,
}
FILTER_RULES = {
    "unit": REFERENCE_ID % ("unit", "units") + "; the cases it leads",
    "area": REFERENCE_ID % ("area", "areas") + "; the cases in it and the areas below it",
    "category": "a category code in GET /api/v1/categories/ (another is refused, 400); the cases in "
    "it and the categories below it",
    "received_from": DATE_RANGE,
    "received_to": DATE_RANGE + "; not before received_from",
}


def _filter_parameters() -> list[OpenApiParameter]:
    """The list's query parameters, read from the console's filter form (one definition)."""
    parameters = []
    for name, field in CaseFilterForm.base_fields.items():
        kind = FILTER_SCHEMAS.get(name, OpenApiTypes.STR)
        enum = None
        if type(field).__name__ in ("ChoiceField", "MultipleChoiceField") and field.choices:
            enum = [value for value, _label in field.choices if value] or None
        description = str(field.help_text or field.label)
        if name in FILTER_RULES:
            description = f"{description}: {FILTER_RULES[name]}."
        parameters.append(
            OpenApiParameter(
                name,
                kind,
                OpenApiParameter.QUERY,
                description=description,
                enum=enum,
                many=type(field).__name__ == "MultipleChoiceField",
                explode=True,
            )
        )
    return parameters


def _form_error(form: CaseFilterForm) -> InvalidInput:
    field, messages = next(iter(form.errors.items()))
    return InvalidInput(f"{field}: {messages[0]}", field=field)


def _case_data(request, case: Case, serializer=CaseDetail) -> dict:
    fresh = Case.objects.select_related(*RELATED).prefetch_related("co_units", "attachments").get(pk=case.pk)
    return serializer(fresh, context={"request": request}).data


class CaseList(DeclaredParameters, GenericAPIView):
    serializer_class = CaseOut
    parser_classes = [JSONParser, MultiPartParser]
    query_parameters = tuple(_filter_parameters())

    @extend_schema(
        operation_id="cases_list",
        summary="Cases you may see, filtered as in the console's case list",
        parameters=list(query_parameters),
        responses={200: CaseOut(many=True), **errors(400, 401, 404)},
    )
    def get(self, request):
        form = CaseFilterForm(request.query_params)
        if not form.is_valid():
            raise _form_error(form)
        cases = filter_cases(
            access.cases_visible_to(request.user), form.cleaned_data, clock.now(), reader=request.user
        )
        page = self.paginate_queryset(cases.select_related(*RELATED).prefetch_related("co_units"))
        return self.get_paginated_response(CaseOut(page, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="cases_create",
        summary="Register a new demand (send an Idempotency-Key to retry safely)",
        request={"application/json": CaseIn, "multipart/form-data": CaseIn},
        parameters=[
            OpenApiParameter(
                idempotency.HEADER,
                str,
                OpenApiParameter.HEADER,
                description="Any unique string (a UUID): a retry with the same key and body returns "
                "the same case.",
            )
        ],
        responses={201: CaseReceipt, **errors(400, 401, 403, 409)},
    )
    def post(self, request):
        return idempotency.once(request, lambda: self._create(request))

    def _create(self, request) -> tuple[int, dict]:
        given = CaseIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        key = request.auth if hasattr(request.auth, "channel") else None
        channel = data.pop("channel", "") or (key.channel if key else "") or Channel.API
        if key is not None and key.channel and channel != key.channel:
            raise InvalidInput(
                _("This key registers demands of the channel “%(channel)s” only.") % {"channel": key.channel},
                field="channel",
            )
        case = case_create(
            actor=request.user, channel=channel, attachments=data.pop("attachments", ()), **data
        )
        return 201, CaseReceipt(case, context={"request": request}).data


class CaseRead(DeclaredParameters, APIView):
    @extend_schema(
        operation_id="cases_read",
        summary="One case, with what you may do with it now",
        parameters=[CASE_REF],
        responses={200: CaseDetail, **errors(400, 401, 404)},
    )
    def get(self, request, ref: str):
        return Response(_case_data(request, case_for(request.user, ref)))


class CaseEvents(DeclaredParameters, GenericAPIView):
    serializer_class = EventOut

    @extend_schema(
        operation_id="cases_events",
        summary="The case's timeline (public steps only for integrations)",
        parameters=[CASE_REF],
        responses={200: EventOut(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, ref: str):
        case = case_for(request.user, ref)
        staff = access.sees_internal_timeline(request.user)
        events = case.events.select_related("actor", "actor_unit").order_by("created_at", "id")
        if not staff:
            events = events.filter(operation__in=PUBLIC_OPERATIONS)
        data = EventOut(events, many=True, context={"request": request, "staff": staff, "case": case}).data
        if not staff:  # public notes only: replies and reasons, as the portal shows them
            for row in data:
                if row["operation"] not in REPLIES | REASONS:
                    row["note"] = ""
        page = self.paginate_queryset(data)
        return self.get_paginated_response(page)


class CaseOperations(DeclaredParameters, APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="cases_operations",
        summary="The operations you may perform on the case now",
        parameters=[CASE_REF],
        responses={200: OperationOut(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, ref: str):
        case = case_for(request.user, ref)
        return Response(
            [
                {
                    "name": op.name,
                    "label": str(op.label),
                    "note_required": op.note_required,
                    "target": (target_status(op, case) or case.status),
                }
                for op in access.allowed_operations(request.user, case)
            ]
        )


class CaseOperate(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="cases_operate",
        summary="Perform a workflow operation (accept, assign, sign_for, reply, callback …)",
        parameters=[
            CASE_REF,
            OpenApiParameter("operation", str, OpenApiParameter.PATH, enum=OPERATION_NAMES),
        ],
        request={"application/json": OperationIn, "multipart/form-data": OperationIn},
        responses={200: CaseDetail, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, ref: str, operation: str):
        if operation not in OPERATIONS or operation not in OPERATION_NAMES:
            raise NotFound(_("There is no operation “%(op)s”.") % {"op": operation})
        case = case_for(request.user, ref)
        given = OperationIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        case = case_apply(
            case_id=case.pk,
            operation=operation,
            actor=request.user,
            expected_version=data.get("expected_version"),
            note=data.get("note", ""),
            attachments=data.get("attachments", ()),
            **given.params(),
        )
        return Response(_case_data(request, case))


class AttachmentsIn(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=MAX_FILES)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CaseAttachments(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="cases_attach",
        summary="Add photos or documents to a case (补充材料)",
        parameters=[CASE_REF],
        request={"multipart/form-data": AttachmentsIn},
        responses={201: CaseDetail, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, ref: str):
        case = case_for(request.user, ref)
        given = AttachmentsIn(data=request.data)
        given.is_valid(raise_exception=True)
        case = case_apply(
            case_id=case.pk,
            operation="attach",
            actor=request.user,
            note=given.validated_data.get("note", ""),
            attachments=given.validated_data["files"],
        )
        return Response(_case_data(request, case), status=201)


class CaseRequester(DeclaredParameters, APIView):
    query_parameters = (OpenApiParameter("purpose", str, OpenApiParameter.QUERY),)

    @extend_schema(
        operation_id="cases_requester",
        summary="Reveal the requester's personal data (audited; centre staff and contact-needing units)",
        parameters=[CASE_REF, *query_parameters],
        responses={200: Requester, **errors(400, 401, 403, 404)},
    )
    def get(self, request, ref: str):
        case = case_for(request.user, ref)
        purpose = request.query_params.get("purpose", "").replace("\x00", "")[:200]
        return Response(vars(requester_reveal(request.user, case, purpose=purpose or "API")))


class AttachmentDownload(DeclaredParameters, APIView):
    @extend_schema(
        operation_id="attachments_read",
        summary="Download an attachment of a case you may see",
        responses={
            # Photos are sent as what they are (shown inline), any other file as a download.
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description=DOWNLOAD)
                for content_type in (*sorted(INLINE_TYPES), "application/octet-stream")
            },
            **errors(400, 401, 404),
        },
    )
    def get(self, request, attachment_id: int):
        return attachment_response(request.user, attachment_id)
