"""`Idempotency-Key` on creating requests: the same key with the same body gives the same answer
(no second case); the same key with another body is a conflict.

The key's row is inserted in the transaction that creates the case. Two identical requests racing
on several servers: PostgreSQL makes the second insert wait for the first transaction and then fail
on the unique (account, key); SQLite queues writers (BEGIN IMMEDIATE). The loser then replays the
winner's stored answer. A request that fails stores nothing, so it may be retried with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from minyi.api.models import IdempotentRequest
from minyi.core import clock
from minyi.core.errors import Conflict, InvalidInput

HEADER = "Idempotency-Key"
MAX_KEY = 255


def fingerprint(request) -> str:
    """SHA-256 of method, path and the parsed body (key order does not matter; files by content)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    fields = {}
    for name in sorted(request.data):
        values = request.data.getlist(name) if hasattr(request.data, "getlist") else [request.data[name]]
        fields[name] = [_value(v) for v in values] if hasattr(request.data, "getlist") else _value(values[0])
    digest.update(json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def _value(value: object) -> object:
    if hasattr(value, "chunks"):
        file_digest = hashlib.sha256()
        for chunk in value.chunks():
            file_digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": file_digest.hexdigest()}
    return value


def _replay(record: IdempotentRequest, print_: str) -> Response:
    if record.fingerprint != print_:
        raise Conflict(
            _(
                "This Idempotency-Key was used for a different request: use a new key for a new "
                "request, or send exactly the same body to get the first answer again."
            ),
            field=HEADER,
        )
    return Response(record.response, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def once(request, create: Callable[[], tuple[int, dict]]) -> Response:
    """Run `create` (which returns status and body) at most once per Idempotency-Key of the caller."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        status, body = create()
        return Response(body, status=status)
    if len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput(
            _("The Idempotency-Key must be 1-255 printable characters, e.g. a UUID."), field=HEADER
        )
    if not hasattr(request.data, "items"):
        raise InvalidInput(_("The body must be a JSON object (or a form)."))
    print_ = fingerprint(request)
    mine = IdempotentRequest.objects.filter(user=request.user, key=key)
    if record := mine.first():
        return _replay(record, print_)
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                user=request.user,
                key=key,
                fingerprint=print_,
                status_code=0,
                response={},
                created_at=clock.now(),
            )
            status, body = create()
            record.status_code, record.response = status, body
            record.save(update_fields=["status_code", "response"])
    except IntegrityError:
        record = mine.first()
        if record is None:  # not our key's row: a genuine integrity error
            raise
        return _replay(record, print_)
    return Response(body, status=status)


def forget_before(moment) -> int:
    """Drop answers older than the replay window (the worker calls this)."""
    return IdempotentRequest.objects.filter(created_at__lt=moment).delete()[0]
