"""Contract test: schemathesis generates requests for every operation of the published OpenAPI
schema and sends them to the application in process; no request may cause a server error, and
every response must be one the schema documents: its status code, its content type, its headers and
its body's shape (schemathesis' response checks).

The schema must also tell valid requests from invalid ones, as the server does: requests that break
it (a `page_size=null`, a date that is no date) are generated for the lists and must be refused, and
for the operations whose rules the schema states in full, a request it allows must not be refused
(`page=0` refused while the schema allowed it was such a disagreement). Rules a schema cannot state
(a code that must exist, "a name or a phone") are in the descriptions, and not checked that way.

The requests are sent with the keys of several accounts (every role, a unit's own system, a
read-only leader screen), with broken credentials (which must be refused, 401/403), and signed and
unsigned to the channel webhook. A stateful run follows links (create a case, then read it, list its
operations and perform them). MINYI_CONTRACT_EXAMPLES sets the examples per operation (default 40).
What only a real server answers (413, 414 and 431 from gunicorn and minyi's worker) is checked
against this schema by tests/web/test_server_limits.py.
"""

from __future__ import annotations

import copy
import json
import os
import zlib
from collections import Counter
from itertools import cycle

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation

from minyi.api.keys import create_key
from minyi.api.webhooks import sign
from minyi.core import clock as minyi_clock
from minyi.demo.stories import site_photo
from tests.cases.helpers import do, new_case

EXAMPLES = int(os.environ.get("MINYI_CONTRACT_EXAMPLES", "40"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Operations whose every rule on a request is in the schema: a request it allows is not refused
# (404 for an id that names nothing, 401/403 for an account that may not, 409 stay possible).
FULLY_DESCRIBED = {
    "GET /api/v1/categories/",
    "GET /api/v1/areas/",
    "GET /api/v1/units/",
    "GET /api/v1/knowledge/",
    "GET /api/v1/cases/{ref}/",
    "GET /api/v1/cases/{ref}/events/",
    "GET /api/v1/cases/{ref}/operations/",
    "GET /api/v1/cases/{ref}/requester/",
    "GET /api/v1/attachments/{attachment_id}/",
}
# Lists read by query parameters alone: requests outside the schema are generated for them.
LISTS = {
    "GET /api/v1/cases/",
    "GET /api/v1/categories/",
    "GET /api/v1/areas/",
    "GET /api/v1/units/",
    "GET /api/v1/knowledge/",
    "GET /api/v1/measures/",
}
WEBHOOK = "POST /api/v1/webhooks/{channel}/"
# Credentials that identify nobody: each must be refused, whatever the request.
BROKEN = {
    "missing": {},
    "unknown key": {"Authorization": "Bearer minyi_deadbeef_" + "x" * 32},
    "malformed key": {"Authorization": "Bearer minyi_"},
    "empty bearer": {"Authorization": "Bearer "},
    "other scheme": {"Authorization": "Basic YWRtaW46YWRtaW4="},
}
# A case created through the API links to the operations on it, by tracking number (OpenAPI links).
CASE_LINKS = {
    name: {"operationId": operation_id, "parameters": {"ref": "$response.body#/tracking_number"}}
    for name, operation_id in (
        ("ReadCase", "cases_read"),
        ("CaseEvents", "cases_events"),
        ("CaseOperations", "cases_operations"),
        ("Attach", "cases_attach"),
        ("Operate", "cases_operate"),
        ("Requester", "cases_requester"),
    )
}


@pytest.fixture
def district(world, clock):
    """Two cases (one handled far enough to have an attachment), the keys of several accounts, and
    the WSGI application in process, inside the test's transaction."""
    keys = {
        "every role": create_key(
            "contract",
            roles=["dispatcher", "operator", "supervisor", "callback_agent", "leader", "unit_head:all"],
        )[1],
        "unit system": create_key("contract-heating", unit=world.heating)[1],
        "leader screen": create_key("contract-leader", roles=["leader"])[1],
    }
    channel_key, _raw = create_key("contract-wechat", channel="wechat")
    case = new_case(world.operator, category="010101", area=world.east_grid)
    do(do(case, "accept", world.dispatcher), "assign", world.dispatcher)
    do(case, "attach", world.dispatcher, attachments=[site_photo(case)])
    other = new_case(world.operator, title="路灯不亮")
    # Read before the signals are changed: the test client puts them back when it is done.
    published = Client().get("/api/v1/openapi.json").json()
    # As Django's test client does, keep the request signals from closing the test's connection
    # (on PostgreSQL they would close it, since the test's transaction is open).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    # Generated ids hardly ever exist: two requests in three go to real cases and attachments.
    photo = case.attachments.get().pk
    real = {
        "ref": cycle([str(case.pk), case.tracking_number, None, str(other.pk), None, other.tracking_number]),
        "attachment_id": cycle([photo, None, photo]),
    }
    yield {
        # Generated demands nearly always lack a requester: one in two gets a real one.
        "demand": {"requester_phone": "13812341234", "area": world.east_grid.code},
        "ours": cycle([True, True, False]),
        "keys": keys,
        "channel_key": channel_key,
        "real": real,
        "app": get_wsgi_application(),
        "published": published,
    }
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def load_schema(district, *, links: bool = False):
    raw = copy.deepcopy(district["published"])
    if links:
        raw["paths"]["/api/v1/cases/"]["post"]["responses"]["201"]["links"] = CASE_LINKS
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = district["app"]  # requests go to the application in process, as from_wsgi does
    return schema


def use_real_values(case, district, *, ids: bool = True) -> None:
    """Put real ids (and, in a demand, a requester) in place of generated ones, in turn."""
    for name, values in district["real"].items() if ids else ():
        if name in (case.path_parameters or {}) and (value := next(values)) is not None:
            case.path_parameters[name] = value
    # Chosen by the body itself, not in turn: a stateful scenario must replay the same way.
    demand = case.method == "POST" and isinstance(case.body, dict) and "title" in case.body
    if demand and zlib.crc32(repr(sorted(case.body.items(), key=str)).encode()) % 2:
        case.body.update(district["demand"])


def signed(channel_key, case, ours) -> dict:
    """The generated webhook body, serialised and signed with the channel key, as a sender would;
    the channel in the path is the key's one when `ours` says so."""
    if ours:
        case.path_parameters["channel"] = channel_key.channel
    body = json.dumps(case.body, ensure_ascii=False).encode()
    timestamp = str(int(minyi_clock.now().timestamp()))
    return {
        "data": body,
        "headers": {
            "X-Minyi-Key-Id": channel_key.prefix,
            "X-Minyi-Timestamp": timestamp,
            "X-Minyi-Signature": sign(channel_key.signing_secret, timestamp, body),
        },
    }


def fuzz(
    schema, send, *, examples: int = EXAMPLES, mode=GenerationMode.POSITIVE, only: set[str] | None = None
) -> dict[str, Counter]:
    """Every operation (or those labelled in `only`) with `examples` generated requests, valid ones
    or, in negative mode, ones the schema forbids; `send(case)` returns the response. Returns the
    status codes seen per operation."""
    statuses: dict[str, Counter] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if only is not None and operation.label not in only:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = send(case)
            statuses.setdefault(case.operation.label, Counter())[response.status_code] += 1

        check()
    print({label: dict(seen) for label, seen in statuses.items()})
    return statuses


def test_every_operation_is_in_the_schema(district):
    schema = load_schema(district)
    labels = {op.ok().label for op in schema.get_all_operations()}
    assert {
        "GET /api/v1/cases/",
        "POST /api/v1/cases/",
        "GET /api/v1/cases/{ref}/",
        "GET /api/v1/cases/{ref}/events/",
        "GET /api/v1/cases/{ref}/operations/",
        "POST /api/v1/cases/{ref}/operations/{operation}/",
        "POST /api/v1/cases/{ref}/attachments/",
        "GET /api/v1/cases/{ref}/requester/",
        "GET /api/v1/attachments/{attachment_id}/",
        "GET /api/v1/categories/",
        "GET /api/v1/areas/",
        "GET /api/v1/units/",
        "GET /api/v1/knowledge/",
        "GET /api/v1/measures/",
        WEBHOOK,
    } == labels


@pytest.mark.parametrize("account", ["every role", "unit system", "leader screen"])
def test_no_generated_request_causes_a_server_error(district, account):
    schema = load_schema(district)
    headers = {"Authorization": f"Bearer {district['keys'][account]}"}

    def send(case):
        use_real_values(case, district)
        if case.operation.label == WEBHOOK:  # a webhook ignores the bearer key: it must be signed
            return case.call_and_validate(
                checks=CHECKS, **signed(district["channel_key"], case, next(district["ours"]))
            )
        checks = CHECKS + [positive_data_acceptance] * (case.operation.label in FULLY_DESCRIBED)
        return case.call_and_validate(headers=headers, checks=checks)

    statuses = fuzz(schema, send)
    # The generated requests got through (authenticated, valid enough) to the real work, not only
    # to refusals: listing and reading succeeded at least sometimes, and signed webhooks passed the
    # signature check (then to be accepted or refused for their content).
    for label in ("GET /api/v1/cases/", "GET /api/v1/categories/"):
        assert statuses[label][200] > 0, (label, statuses[label])
    assert sum(statuses[WEBHOOK].values()) > statuses[WEBHOOK][401], statuses[WEBHOOK]
    if account == "every role":
        assert statuses["GET /api/v1/cases/{ref}/"][200] > 0, statuses["GET /api/v1/cases/{ref}/"]
    if account == "leader screen":  # reads everything, may change nothing
        assert statuses["POST /api/v1/cases/"][201] == 0, statuses["POST /api/v1/cases/"]
        assert statuses["POST /api/v1/cases/{ref}/operations/{operation}/"][200] == 0


def forbidden(case) -> bool:
    """Does this negative case still break the schema once sent? Schemathesis may call a case negative
    for a header alone, which the test replaces with a valid key, or for optional query parameters
    left empty, which the schema allows (allowEmptyValue: not given); such a case is a valid request."""
    negative = {loc for loc, info in case.meta.components.items() if info.mode == GenerationMode.NEGATIVE}
    negative.discard(ParameterLocation.HEADER)
    if negative == {ParameterLocation.QUERY} and case.query and all(v == "" for v in case.query.values()):
        return False
    return bool(negative)


def test_requests_the_schema_forbids_are_refused(district):
    """Negative mode on the lists: a parameter of the wrong type, out of its range or not in its
    enum must get a documented refusal (400), never the default page quietly."""
    schema = load_schema(district)
    headers = {"Authorization": f"Bearer {district['keys']['every role']}"}

    def send(case):
        checks = [*CHECKS, negative_data_rejection] if forbidden(case) else CHECKS
        return case.call_and_validate(headers=headers, checks=checks)

    statuses = fuzz(schema, send, examples=max(EXAMPLES // 2, 5), mode=GenerationMode.NEGATIVE, only=LISTS)
    assert set(statuses) == LISTS
    assert all(seen[400] > 0 for seen in statuses.values()), statuses


@pytest.mark.parametrize("credentials", list(BROKEN))
def test_broken_credentials_are_refused_never_a_server_error(district, credentials):
    schema = load_schema(district)

    def send(case):
        use_real_values(case, district)
        # The generated webhook headers are an unsigned request: refused the same way.
        response = case.call_and_validate(headers=BROKEN[credentials], checks=CHECKS)
        # 404: a path no route matches (attachments/-1/), or a webhook of no channel.
        assert response.status_code in (401, 403, 404), (
            case.operation.label,
            response.status_code,
            response.text[:300],
        )
        return response

    statuses = fuzz(schema, send, examples=max(EXAMPLES // 4, 5))
    assert all(set(seen) <= {401, 403, 404} for seen in statuses.values()), statuses


def test_linked_requests_follow_a_created_case(district):
    """Stateful: a case created by POST /cases/ is read, listed, attached to and operated on."""
    schema = load_schema(district, links=True)
    headers = {"Authorization": f"Bearer {district['keys']['every role']}"}
    created: set[str] = set()
    linked: Counter = Counter()

    class Machine(schema.as_state_machine()):
        def setup(self):
            # Each scenario starts from the same district: what one created is rolled back.
            self.scenario = transaction.atomic()
            self.scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.scenario.__exit__(None, None, None)

        def before_call(self, case):
            use_real_values(case, district, ids=False)  # the ids come from the links

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs, recorder=self.recorder)

        def after_call(self, response, case):
            super().after_call(response, case)
            if case.operation.label == "POST /api/v1/cases/" and response.status_code == 201:
                created.add(response.json()["tracking_number"])
            elif case.path_parameters and case.path_parameters.get("ref") in created:
                linked[case.operation.label, response.status_code] += 1

    Machine.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=8,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    print(dict(linked))
    # Cases created in a scenario were then worked on through the links, and found.
    assert sum(n for (_label, status), n in linked.items() if status < 300) > 0, linked
