"""discovery, services, services/{code}, and the 404s of unknown formats, paths and jurisdictions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from minyi.catalog.models import Category
from tests.open311.helpers import (
    ATTRIBUTE_FIELDS,
    DEFINITION_FIELDS,
    DISCOVERY_FIELDS,
    ENDPOINT_FIELDS,
    FORMATS,
    SERVICE_FIELDS,
    VALUE_FIELDS,
    call,
    error_of,
    expect_error,
    rows,
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_endpoint_and_both_formats(client, world, fmt):
    body = call(client, "GET", "discovery", fmt)
    if fmt == "xml":
        assert body.tag == "discovery"
        assert {el.tag for el in body} == DISCOVERY_FIELDS
        (endpoint,) = body.find("endpoints")
        assert endpoint.tag == "endpoint"
        assert {el.tag for el in endpoint} == ENDPOINT_FIELDS
        assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
        assert all(f.tag == "format" for f in endpoint.find("formats"))
        url, changeset = endpoint.findtext("url"), body.findtext("changeset")
    else:
        assert set(body) == DISCOVERY_FIELDS
        (endpoint,) = body["endpoints"]
        assert set(endpoint) == ENDPOINT_FIELDS
        assert endpoint["formats"] == ["text/xml", "application/json"]
        url, changeset = endpoint["url"], body["changeset"]
    assert url == "http://testserver/open311/v2/"
    assert changeset.endswith("+08:00")


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_public_active_categories_grouped_by_top_level(client, world, fmt):
    Category.objects.filter(code="0201").update(is_public=False)
    Category.objects.filter(code="0102").update(is_active=False)
    services = rows(call(client, "GET", "services", fmt), fmt, root="services", item="service")
    assert all(set(s) == SERVICE_FIELDS for s in services)
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {"01", "0101", "010101", "02"}  # hidden 0201 and inactive 0102 are left out
    heating = by_code["0101"]
    assert heating["service_name"] == "供热"
    assert heating["group"] == "城乡建设"
    assert heating["description"] == "城乡建设 / 供热"
    assert heating["metadata"] == "true"
    assert heating["type"] == "realtime"
    assert by_code["010101"]["group"] == "城乡建设"
    assert by_code["010101"]["description"] == "城乡建设 / 供热 / 供热不足"


def test_a_hidden_parent_hides_its_children(client, world):
    Category.objects.filter(code="01").update(is_public=False)
    services = rows(call(client, "GET", "services", "json"), "json", root="services", item="service")
    assert {s["service_code"] for s in services} == {"02", "0201"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_the_three_attributes(client, world, fmt):
    body = call(client, "GET", "services/0101", fmt)
    if fmt == "xml":
        assert body.tag == "service_definition"
        assert {el.tag for el in body} == DEFINITION_FIELDS
        assert body.findtext("service_code") == "0101"
        attributes = []
        for el in body.find("attributes"):
            assert el.tag == "attribute"
            assert {c.tag for c in el} == ATTRIBUTE_FIELDS
            values = []
            for v in el.find("values"):
                assert v.tag == "value"
                assert {c.tag for c in v} == VALUE_FIELDS
                values.append(v.findtext("key"))
            attributes.append((el.findtext("code"), el.findtext("datatype"), el.findtext("required"), values))
    else:
        assert set(body) == DEFINITION_FIELDS
        assert body["service_code"] == "0101"
        attributes = []
        for el in body["attributes"]:
            assert set(el) == ATTRIBUTE_FIELDS
            assert el["variable"] is True
            assert all(set(v) == VALUE_FIELDS for v in el["values"])
            required = "true" if el["required"] else "false"
            attributes.append((el["code"], el["datatype"], required, [v["key"] for v in el["values"]]))
    assert attributes == [
        (
            "demand_type",
            "singlevaluelist",
            "false",
            ["inquiry", "help", "complaint", "report", "suggestion", "praise"],
        ),
        ("urgency", "singlevaluelist", "false", ["normal", "urgent", "major"]),
        ("area_code", "string", "false", []),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_or_hidden_service_is_404(client, world, fmt):
    assert "9999" in expect_error(client, "GET", "services/9999", fmt, status=404)
    Category.objects.filter(code="0201").update(is_public=False)
    expect_error(client, "GET", "services/0201", fmt, status=404)


@pytest.mark.parametrize("path", ["services.html", "services/0101.txt", "discovery.yaml", "requests.csv"])
def test_unknown_format_is_a_404_in_xml(client, world, path):
    response = client.get(f"/open311/v2/{path}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/xml")
    code, description = error_of(ET.fromstring(response.content), "xml")
    assert code == 404
    assert "use .xml or .json" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_path_is_the_spec_404(client, world, fmt):
    expect_error(client, "GET", "nothing/here", fmt, status=404)
    expect_error(client, "GET", "services/0101/extra", fmt, status=404)


def test_the_base_path_without_resource_is_a_404(client, world):
    response = client.get("/open311/v2/")
    assert response.status_code == 404
    assert b"<errors>" in response.content


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_foreign_jurisdiction_is_404_ours_and_none_are_fine(client, world, settings, fmt):
    settings.MINYI_OPEN311_JURISDICTION = "shifanqu.gov.cn"
    description = expect_error(client, "GET", "services", fmt, {"jurisdiction_id": "other.gov"}, status=404)
    assert "other.gov" in description
    call(client, "GET", "services", fmt, {"jurisdiction_id": "shifanqu.gov.cn"})
    call(client, "GET", "services", fmt, {"jurisdiction_id": ""})  # empty: as if not given
    call(client, "GET", "services", fmt)


def test_jurisdiction_is_ignored_when_not_configured(client, world):
    call(client, "GET", "services", "json", {"jurisdiction_id": "anything.gov"})


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_method_is_405_in_the_spec_format(client, world, fmt):
    response = client.post(f"/open311/v2/services.{fmt}")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
