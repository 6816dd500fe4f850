"""Properties of the case import over arbitrary rows (hypothesis): a file is imported whole — every
row exactly as written — or refused with each problem at its row and column and nothing imported;
with "skip invalid" exactly the valid rows are imported; and export → import gives the values back."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minyi.cases.models import Case
from minyi.core.errors import InvalidInput
from minyi.transfer import exporter, importer
from minyi.transfer.reader import FileProblem
from tests.cases.helpers import new_case
from tests.transfer.helpers import DEFAULT, H

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = ["external_id", "channel", "demand_type", "status", "title", "description", "received_at",
          "requester_name", "requester_phone"]  # fmt: skip
NOW = dt.datetime(2026, 11, 25, 9, 0)

any_text = st.text(max_size=40)
# Words a person types: letters, digits, punctuation, spaces and Chinese, no control characters.
typed = st.text(st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x85"), min_size=1,
                max_size=60).filter(lambda t: t.strip())  # fmt: skip
moment = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=NOW - dt.timedelta(minutes=1))
any_moment = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)).map(
        lambda m: m.strftime("%Y-%m-%d %H:%M:%S")
    ),
    st.sampled_from(
        ["0001-01-01 00:00:00", "9999-12-31 23:59:59", "2026-02-30 10:00:00", "1899-12-31 23:59"]
    ),
    any_text,
)
phone = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)

clean_row = st.fixed_dictionaries(
    {
        "title": typed,
        "description": typed,
        "received_at": moment.map(lambda m: m.strftime("%Y-%m-%d %H:%M:%S")),
        "requester_phone": phone,
    }
)
hostile_row = st.fixed_dictionaries(
    {
        "title": any_text,
        "description": any_text,
        "received_at": any_moment,
        "requester_phone": st.one_of(phone, any_text),
    }
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def as_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([H[f] for f in FIELDS])
    for number, values in enumerate(rows):
        full = {"external_id": f"H-{number}", "channel": "hotline", "demand_type": "complaint",
                "status": "received", "requester_name": "张三", **values}  # fmt: skip
        writer.writerow([full[f] for f in FIELDS])
    return out.getvalue().encode("utf-8-sig")


def rolled_back(check):
    """Run `check` in a transaction that is rolled back: each example starts from the same world."""
    with transaction.atomic():
        try:
            check()
        finally:
            transaction.set_rollback(True)


def import_or_refuse(rows: list[dict], **options):
    try:
        return importer.run(as_csv(rows), "cases.csv", DEFAULT, **options)
    except FileProblem:
        return None  # the file as a whole cannot be read (NUL bytes near its start): nothing imported


@PROPERTY
@given(rows=st.lists(st.one_of(clean_row, hostile_row), min_size=1, max_size=6))
def test_a_file_is_imported_whole_and_exactly_or_refused_row_by_row(world, clock, rows):
    def check():
        report = import_or_refuse(rows)
        if report is None or report.invalid:
            assert Case.objects.count() == 0
            if report is not None:
                assert report.imported == 0 and report.errors
                numbers = set(range(2, len(rows) + 2))
                assert all(p.row in numbers and p.column in H.values() for p in report.errors), report.errors
            return
        assert report.imported == len(rows) == Case.objects.count()
        for number, values in enumerate(rows):
            case = Case.objects.get(external_id=f"H-{number}")
            assert (case.title, case.description) == (values["title"].strip(), values["description"].strip())
            assert case.requester_phone == values["requester_phone"].strip()

    rolled_back(check)


@PROPERTY
@given(rows=st.lists(clean_row, min_size=1, max_size=6))
def test_rows_a_person_would_type_are_all_imported(world, clock, rows):
    def check():
        report = import_or_refuse(rows)
        assert report is not None and report.ok, report and report.errors
        assert report.imported == len(rows)

    rolled_back(check)


@PROPERTY
@given(rows=st.lists(st.one_of(clean_row, hostile_row), min_size=1, max_size=6))
def test_skipping_invalid_rows_imports_exactly_the_valid_ones(world, clock, rows):
    def check():
        report = import_or_refuse(rows, skip_invalid=True)
        if report is None:
            assert Case.objects.count() == 0
            return
        bad = {p.row for p in report.errors}
        assert report.imported == len(rows) - len(bad) == Case.objects.count()
        for number, values in enumerate(rows):
            stored = Case.objects.filter(external_id=f"H-{number}").first()
            assert (stored is None) == (number + 2 in bad)
            if stored:
                assert stored.title == values["title"].strip()

    rolled_back(check)


@PROPERTY
@given(
    rows=st.lists(st.one_of(clean_row, hostile_row), min_size=1, max_size=4),
    fmt=st.sampled_from(["csv", "xlsx"]),
)
def test_export_then_import_gives_the_same_values(world, clock, rows, fmt):
    def check():
        report = import_or_refuse(rows, skip_invalid=True)
        if report is None or not report.imported:
            return
        before = {
            c.external_id: (c.title, c.description, c.received_at, c.requester_phone)
            for c in Case.objects.all()
        }
        out = io.BytesIO()
        exporter.export_cases(Case.objects.all(), out, fmt, DEFAULT, user=None)
        Case.objects.all().delete()
        try:
            again = importer.run(out.getvalue(), f"cases.{fmt}", DEFAULT)
        except InvalidInput as exc:
            raise AssertionError(f"our own export is refused: {exc.message}") from None
        assert again.ok, again.errors
        after = {
            c.external_id: (c.title, c.description, c.received_at, c.requester_phone)
            for c in Case.objects.all()
        }
        assert after == before

    rolled_back(check)


@pytest.mark.parametrize("title", ["'=1+1", "=1+1", "'-5 度", "@SUM(A1)", "'plain", "''=x"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_that_looks_like_a_formula_or_its_guard_survives_export_and_import(world, clock, title, fmt):
    new_case(world.operator, title=title)
    out = io.BytesIO()
    exporter.export_cases(Case.objects.all(), out, fmt, DEFAULT, user=None)
    Case.objects.all().delete()

    assert importer.run(out.getvalue(), f"cases.{fmt}", DEFAULT).imported == 1
    assert Case.objects.get().title == title
