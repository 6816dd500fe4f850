"""Mapping files: the kept ones are valid, and a wrong one lists every problem at once."""

from __future__ import annotations

import pytest
from django.utils import translation

from minyi.transfer import mapping


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_kept_mappings_are_valid():
    assert {"default", "tipdm2020"} <= set(mapping.available())
    tipdm = mapping.load("tipdm2020")
    assert tipdm.columns["external_id"] == "id" and tipdm.defaults["channel"] == "web"
    assert tipdm.fallbacks["received_at"] == ["replied_at"]
    default = mapping.load("default")
    assert list(default.columns)[:2] == ["external_id", "tracking_number"]


def test_every_problem_of_a_mapping_is_reported_together():
    text = """
    colums = 1
    [columns]
    title = "标题"
    colour = "颜色"
    [defaults]
    status = "handling"
    channel = "fax"
    [values.status]
    "已办" = "done"
    """
    with pytest.raises(mapping.MappingError) as caught:
        mapping.parse(text, name="broken")
    problems = "\n".join(caught.value.problems)
    for expected in (
        "Unknown key “colums”",
        "“colour” is not a case field",
        "status = “handling” cannot be imported",
        "channel = “fax”",
        "“已办” = “done”",
        "must name the column of description",
        "demand_type needs a column",
        "external_id",
    ):
        assert expected in problems, expected


def test_invalid_toml_and_unknown_names_are_explained():
    with pytest.raises(mapping.MappingError, match="not valid TOML"):
        mapping.parse("[columns\n", name="x")
    with pytest.raises(mapping.MappingError, match="default, tipdm2020"):
        mapping.load("nonexistent")
