"""The status tables of minyi/open311/statuses.py agree with the workflow."""

from __future__ import annotations

import pytest

from minyi.cases.workflow import OPEN, OPERATIONS, Status
from minyi.open311 import statuses
from minyi.open311.statuses import Extended


def test_open_and_closed_follow_the_workflows_open_set():
    for status in Status:
        assert statuses.open311_status(status) == ("open" if status in OPEN else "closed")
    assert statuses.open311_status("replied") == "closed"


@pytest.mark.parametrize(
    "status, extended",
    [
        ("received", "OPEN"),
        ("accepted", "INVESTIGATING"),
        ("assigned", "ACTION_SCHEDULED"),
        ("handling", "IN_PROGRESS"),
        ("extension_requested", "IN_PROGRESS"),
        ("returned", "INTERNAL_REFERRAL"),
        ("suspended", "ACTION_SCHEDULED"),
        ("replied", "FIXED"),
        ("called_back", "FIXED"),
        ("archived", "FIXED"),
        ("rejected", "NOT_COUNCILS_RESPONSIBILITY"),
        ("merged", "DUPLICATE"),
        ("withdrawn", "CLOSED"),
    ],
)
def test_extended_statuses(status, extended):
    assert statuses.extended_status(status) == extended


def test_every_candidate_is_an_operation_of_the_workflow():
    for steps_list in statuses.UPDATE_OPERATIONS.values():
        for steps in steps_list:
            assert steps and all(op in OPERATIONS for op in steps)


def test_the_same_status_adds_material_first():
    assert statuses.candidate_steps(Extended.IN_PROGRESS, "handling")[0] == ("attach",)
    assert statuses.candidate_steps(Extended.OPEN, "received") == (("attach",), ("reopen",))
    assert statuses.candidate_steps(Extended.IN_PROGRESS, "assigned")[0] == ("sign_for",)
    assert statuses.candidate_steps(Extended.DUPLICATE, "received") == ()


def test_first_possible_looks_at_the_first_operation_only():
    assert statuses.first_possible(Extended.FIXED, "assigned", {"sign_for", "return"}) == (
        "sign_for",
        "reply",
    )
    assert statuses.first_possible(Extended.FIXED, "handling", {"reply", "attach"}) == ("reply",)
    assert statuses.first_possible(Extended.FIXED, "assigned", {"return"}) is None


PARSED = [
    ("fixed", "FIXED"),
    ("open", "OPEN"),
    ("Closed", "CLOSED"),
    ("in progress", "IN_PROGRESS"),
    ("done", None),
    ("", None),
]


@pytest.mark.parametrize("given, parsed", PARSED)
def test_parse_extended(given, parsed):
    assert statuses.parse_extended(given) == parsed
