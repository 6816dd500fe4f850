"""POST /api/v1/webhooks/{channel}/: a demand from a channel's front end, signed (see api/webhooks.py).

The sender may retry: a body with the same `external_id` returns the case registered the first
time (200) instead of a second case; the exact same signed request sent again is refused (409).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from minyi.api import parsers, webhooks
from minyi.api.serializers import CaseReceipt, WebhookIn
from minyi.api.views.common import errors
from minyi.cases.models import Case
from minyi.cases.services import case_create
from minyi.catalog.choices import Channel
from minyi.core.errors import InvalidInput, NotFound

SIGNATURE_HEADERS = [
    OpenApiParameter("X-Minyi-Key-Id", str, OpenApiParameter.HEADER, required=True),
    OpenApiParameter("X-Minyi-Timestamp", int, OpenApiParameter.HEADER, required=True),
    OpenApiParameter(
        "X-Minyi-Signature", str, OpenApiParameter.HEADER, required=True, description="sha256=<hex HMAC>"
    ),
    OpenApiParameter("channel", str, OpenApiParameter.PATH, enum=Channel.values),
]


class ChannelWebhook(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []  # the raw body is what was signed

    @extend_schema(
        operation_id="webhooks_receive",
        summary="A demand posted by a channel's front end, signed with the channel key's secret",
        parameters=SIGNATURE_HEADERS,
        request={"application/json": WebhookIn},
        responses={200: CaseReceipt, 201: CaseReceipt, **errors(400, 401, 404, 409)},
        auth=[],
    )
    def post(self, request, channel: str):
        if channel not in Channel.values:
            raise NotFound(_("There is no channel “%(channel)s”.") % {"channel": channel})
        body = request.body
        key, digest = webhooks.verify(channel, request.headers, body)
        request.user = key.user  # the account the case is registered by
        payload = parsers.loads(body)  # the API's JSON parser, on the bytes that were signed
        if not isinstance(payload, dict):
            raise InvalidInput(_("The body must be a JSON object in UTF-8."))
        given = WebhookIn(data=payload)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        with transaction.atomic():
            delivery = webhooks.remember(key, digest)
            external_id = data.get("external_id", "")
            earlier = external_id and Case.objects.filter(channel=channel, external_id=external_id).first()
            if earlier and earlier.created_by_id == key.user_id:
                case, status = earlier, 200
            else:
                case, status = case_create(actor=key.user, channel=channel, **data), 201
            delivery.case = case
            delivery.save(update_fields=["case"])
        return Response(CaseReceipt(case, context={"request": request}).data, status=status)
