"""The declaration itself: complete, reachable, documented."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from minyi.cases.services import EFFECTS
from minyi.cases.workflow import OPERATIONS, TERMINAL, Status, markdown_table, operations_from, transitions

DOCS = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"


def test_every_status_is_reachable_from_registration():
    graph = transitions()
    reached, frontier = {Status.RECEIVED}, [Status.RECEIVED]
    while frontier:
        for nxt in graph[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(Status)


def test_terminal_statuses_allow_only_a_leaders_instruction_and_the_requesters_rating():
    for status in TERMINAL:
        expected = ["instruct", "rate"] if status == Status.ARCHIVED else ["instruct"]
        assert [op.name for op in operations_from(status)] == expected


def test_every_operation_has_an_effect():
    assert set(EFFECTS) == set(OPERATIONS) - {"create"}


def test_the_documented_table_is_the_declared_one():
    with translation.override("en"):
        table = markdown_table()
    assert table in DOCS.read_text(encoding="utf-8"), (
        "run `minyi workflow` and paste it into docs/workflow.md"
    )
