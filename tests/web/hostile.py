"""Hostile input for the form tests: payloads, the fields of a form class that take text, counts of
what a submission could have written, and the check that a page shows a stored value as text."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
from django import forms
from django.utils.html import escape

from minyi.web.forms import PhoneField

MEGABYTE = "x" * (1024 * 1024)
# Each payload, with the name the test ids show.
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "javascript-url": "javascript:alert(document.cookie)",
    "sql": "'; DROP TABLE cases_case;--",
    "template": "{{7*7}}{% debug %}",
    "nul": "before\x00after",
    "rtl-override": "invoice\u202egpj.exe",
    "emoji": "暖气👍🏽👨‍👩‍👧🔥",
    "formula": "=cmd|' /C calc'!A0",
}
LONG = {"megabyte": MEGABYTE}
ABSURD_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "-2026-01-01", "275760-09-13", "2026-13-01"]
HTML_SPECIAL = re.compile(r"[<>\"']")


def text_fields(form_class: type[forms.Form]) -> list[str]:
    """The fields of a form class a person types text into (neither hidden, nor a file, nor a choice)."""
    found = []
    for name, field in form_class.base_fields.items():
        if isinstance(field.widget, forms.HiddenInput | forms.ClearableFileInput | forms.FileInput):
            continue
        if type(field) is forms.CharField or isinstance(field, PhoneField):
            found.append(name)
    return found


def date_fields(form_class: type[forms.Form]) -> list[str]:
    return [name for name, field in form_class.base_fields.items() if isinstance(field, forms.DateField)]


def assert_shown_as_text(html: str, value: str) -> None:
    """The value appears only escaped: a browser shows it, never runs it."""
    if HTML_SPECIAL.search(value):
        assert value not in html, f"{value!r} is in the page unescaped"
    assert escape(value) in html or escape(value).replace("&#x27;", "&#39;") in html, (
        f"{value!r} is not shown on the page"
    )


def assert_not_evaluated(html: str) -> None:
    """Template syntax typed by someone is shown, never run."""
    assert "{{7*7}}" in html or "{{7*7}}" in html.replace("&#123;", "{")


def csv_cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(body: bytes) -> list[object]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def xlsx_formulas(body: bytes) -> list[str]:
    """The cells a spreadsheet program would compute."""
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def assert_no_formula(cells: list) -> None:
    starters = ("=", "+", "-", "@")
    bad = [c for c in cells if isinstance(c, str) and c.startswith(starters) and "cmd" in c]
    assert not bad, f"cells a spreadsheet would run: {bad}"


def post_each(client, url: str, base: dict, field: str, values: dict[str, str], *, count) -> list:
    """Post the form once per value in `field`; a refusal (anything but a redirect) must be a 4xx
    or the form again, and change nothing that `count()` sees. Returns (name, value) of those that
    were accepted."""
    accepted = []
    for name, value in values.items():
        before = count()
        response = client.post(url, {**base, field: value})
        assert response.status_code in (200, 302, 400, 409), (field, name, response.status_code)
        if response.status_code == 302:
            accepted.append((name, value))
            continue
        assert count() == before, (field, name)
        page = response.content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page, (field, name)
    return accepted
