"""The register's Excel export: the filtered problems, the measures and the counts, read back with
openpyxl; text that would start a formula is defused; outsiders get nothing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from minyi.problems import services
from tests.console.helpers import client_for
from tests.workbooks import open_checked

URL = "/console/problems/export/"


def download(user, query: dict):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL, query)
    assert response.status_code == 200
    # typed cells, no stray apostrophe, columns as wide as their content
    return response, open_checked(response.content, text_columns={"Counts": {"Category"}})


def table(sheet) -> list[dict]:
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_workbook_holds_problems_measures_and_counts(world, register):
    services.measure_update(
        actor=world.insurance_handler,
        measure_id=register.measure.pk,
        title="推行床旁结算",
        responsible="赵静",
        problem_numbers=[register.queue.number, register.from_case.number],
        due_on=dt.date(2026, 12, 31),
        done_on=dt.date(2026, 11, 20),
    )
    response, book = download(world.insurance_handler, {})
    assert response["Content-Disposition"] == 'attachment; filename="minyi-problems-insurance-20261125.xlsx"'
    assert book.sheetnames == ["Problem register", "Improvement measures", "Counts"]
    problems = table(book["Problem register"])
    assert [p["Number"] for p in problems] == ["2026-001", "2026-002", "2026-003", "2026-004"]
    first = problems[0]
    assert first["Case"] == register.case.tracking_number and first["Source"] == "From a case"
    assert first["Found on"] == dt.datetime(2026, 11, 3)  # a date cell
    assert first["Improvement measures"] == "推行床旁结算" and first["Status"] == "To be rectified"
    assert problems[3]["Description"].startswith("'=HYPERLINK")  # not a formula
    measures = table(book["Improvement measures"])
    assert measures == [
        {
            "Measure": "推行床旁结算",
            "Responsible person": "赵静",
            "Due on": dt.datetime(2026, 12, 31),
            "Done on": dt.datetime(2026, 11, 20),
            "State": "Done",
            "Problems addressed": "2026-001, 2026-002",
            "Details": None,
        }
    ]
    counts = {row["Category"]: row for row in table(book["Counts"])}
    assert counts["异地就医结算"]["Total"] == 2 and counts["异地就医结算"]["Being rectified"] == 1
    assert counts["Total"]["Total"] == 4 and counts["Total"]["Measures on these problems"] == 1


def test_the_export_follows_the_filters(world, register):
    _response, book = download(world.insurance_handler, {"source": "review", "status": "open"})
    assert [p["Number"] for p in table(book["Problem register"])] == ["2026-003", "2026-004"]


def test_readers_export_a_chosen_register_and_outsiders_none(world, register):
    _response, book = download(world.leader, {"unit": world.heating.pk})
    assert [p["Title"] for p in table(book["Problem register"])] == ["顶层住户室温偏低"]
    client = client_for(world.heating_handler)
    assert client.get(URL, {"unit": world.insurance.pk}).status_code == 404
    assert client_for(world.leader).get(URL).status_code == 404  # reads several: must choose one
