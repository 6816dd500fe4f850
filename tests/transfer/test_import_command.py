"""`minyi import cases`: validation per row and column, all or nothing, --skip-invalid with its
error file, --dry-run, re-runs that never duplicate, and the historic event log of each status."""

from __future__ import annotations

import datetime as dt
import itertools
import time

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from minyi.cases.models import Case, CaseEvent
from minyi.cases.services import tracking_numbers_drawn
from minyi.cases.workflow import OPERATIONS
from tests.conftest import at
from tests.transfer.helpers import H, read_csv, row, write_csv, write_xlsx


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(path, *args, **options):
    """call_command; returns (stdout, stderr, CommandError or None)."""
    import io

    out, err = io.StringIO(), io.StringIO()
    options.setdefault("mapping", "default")
    try:
        call_command("import", "cases", str(path), *args, stdout=out, stderr=err, **options)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_archived_rows_become_cases_with_their_times_and_a_consistent_event_log(world, clock, tmp_path):
    path = write_csv(
        tmp_path / "old.csv",
        [
            row(),
            row(
                external_id="X-2",
                category="城乡建设 / 供热",
                lead_unit="热力公司",
                area="110199001001",
                status="已归档",
                satisfaction="满意",
                accepted_at="2025-12-01 10:00:00",
                assigned_at="2025-12-01 11:00:00",
                is_anonymous="否",
                needs_contact="是",
            ),
        ],
    )
    out, err, failed = run(path)
    assert failed is None, err
    assert "Rows read: 2; imported: 2; already present: 0; invalid: 0" in out
    plain = Case.objects.get(external_id="X-1")
    assert plain.channel == "hotline" and plain.status == "archived"
    assert plain.received_at == at("2025-12-01 09:00") and plain.replied_at == at("2025-12-03 10:00")
    assert plain.closed_at == at("2025-12-05 11:00")
    assert plain.tracking_number.startswith("202512-") and len(plain.query_code) == 6
    assert plain.alert_at is None and plain.handle_due_at is None and plain.replied_on_time is None
    assert plain.requester_name == "张三" and plain.requester_phone == "13812341234"
    steps = [(e.operation, e.from_status, e.to_status) for e in plain.events.all()]
    assert steps == [
        ("create", "", "received"),
        ("answer", "received", "replied"),  # neither a unit nor an acceptance known: answered directly
        ("callback", "replied", "called_back"),
        ("archive", "called_back", "archived"),
    ]
    answer = plain.events.get(operation="answer")
    assert answer.note == "已协调热力公司排查管网，温度已恢复。" and answer.created_at == plain.replied_at
    for event in plain.events.all():
        assert event.actor is None and event.actor_label == "导入"
        assert event.data["imported"] is True and event.data["source"] == "old.csv"
        op = OPERATIONS[event.operation]
        assert not event.from_status or event.from_status in op.sources

    unit = Case.objects.get(external_id="X-2")
    assert unit.category == world.heating_cat and unit.lead_unit == world.heating
    assert unit.area == world.east_community and unit.satisfaction == "satisfied" and unit.needs_contact
    assert unit.accepted_at == at("2025-12-01 10:00") and unit.assigned_at == at("2025-12-01 11:00")
    assert [e.operation for e in unit.events.all()] == [
        "create", "accept", "assign", "sign_for", "reply", "callback", "archive",
    ]  # fmt: skip
    assert unit.events.get(operation="reply").actor_unit == world.heating


def test_each_importable_status_ends_where_the_workflow_leads(world, clock, tmp_path):
    rows = [
        row(external_id="R", status="received", replied_at="", closed_at="", reply_text=""),
        row(external_id="P", status="replied", closed_at=""),
        row(external_id="C", status="called_back", satisfaction="不满意"),
        row(external_id="J", status="rejected", reply_text="不属于受理范围", replied_at=""),
        row(external_id="W", status="withdrawn", reply_text="诉求人撤回", replied_at=""),
    ]
    _out, err, failed = run(write_csv(tmp_path / "s.csv", rows))
    assert failed is None, err
    cases = {c.external_id: c for c in Case.objects.all()}
    for ext, case in cases.items():
        events = list(case.events.all())
        assert events[-1].to_status == case.status, ext
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status, (ext, after.operation)
            assert after.created_at >= before.created_at
    received = cases["R"]
    assert received.status == "received" and received.closed_at is None and received.accepted_at is None
    assert [e.operation for e in received.events.all()] == ["create"]
    assert cases["P"].closed_at is None and cases["P"].status == "replied"
    assert cases["C"].satisfaction == "dissatisfied" and cases["C"].closed_at is None
    rejected = cases["J"]
    assert [e.operation for e in rejected.events.all()] == ["create", "reject"]
    assert rejected.events.get(operation="reject").note == "不属于受理范围"
    assert rejected.closed_at == at("2025-12-05 11:00")
    assert [e.operation for e in cases["W"].events.all()] == ["create", "withdraw"]


def test_rerunning_the_same_file_imports_nothing_new(world, clock, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(external_id=f"A{i}") for i in range(5)])
    run(path)
    counter = tracking_numbers_drawn("202512")
    out, _err, failed = run(path)
    assert failed is None
    assert "imported: 0; already present: 5; invalid: 0" in out
    assert Case.objects.count() == 5 and CaseEvent.objects.count() == 20  # create, answer, callback, archive
    assert tracking_numbers_drawn("202512") == counter == 5  # no numbers drawn for nothing


def test_one_bad_row_imports_nothing_and_names_row_column_value(world, clock, tmp_path):
    rows = [
        row(external_id="G1"),
        row(external_id="B1", received_at="2025-13-45 09:00"),  # row 3
        row(external_id="B2", category="不存在的分类"),  # row 4
        row(external_id="B3", lead_unit="没有这个单位"),  # row 5
        row(external_id="B4", title="", description=""),  # row 6
        row(external_id="G1"),  # row 7: repeats row 2's id
        row(external_id="B5", status="handling"),  # row 8
        row(external_id="B6", replied_at="2025-11-01 09:00:00"),  # row 9: reply before receipt
        row(external_id="B7", received_at=""),  # row 10
    ]
    _out, err, failed = run(write_csv(tmp_path / "bad.csv", rows))
    assert failed is not None and "8 rows are invalid: nothing was imported" in str(failed)
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0
    assert tracking_numbers_drawn("202511") == tracking_numbers_drawn("202512") == 0
    lines = err.splitlines()

    def said(number: int, column: str) -> str:
        found = [line for line in lines if line.startswith(f"row {number}, column “{column}”")]
        assert found, (number, column, err)
        return found[0]

    assert "2025-13-45" in said(3, H["received_at"]) and "not a date and time" in said(3, H["received_at"])
    assert "There is no category “不存在的分类”" in said(4, H["category"])
    assert "There is no unit “没有这个单位”" in said(5, H["lead_unit"])
    assert "title is empty" in said(6, H["title"]) and "description is empty" in said(6, H["description"])
    assert "also in row 2" in said(7, H["external_id"])
    assert "received, replied, called_back, archived, rejected, withdrawn" in said(8, H["status"])
    assert "before received at" in said(9, H["replied_at"])
    assert "received time is empty" in said(10, H["received_at"])


def test_skip_invalid_imports_the_good_rows_and_writes_the_bad_ones(world, clock, tmp_path):
    rows = [row(external_id="G1"), row(external_id="B1", received_at="gestern"), row(external_id="G2")]
    path = write_csv(tmp_path / "mixed.csv", rows)
    out, _err, failed = run(path, skip_invalid=True)
    assert failed is None
    assert "imported: 2; already present: 0; invalid: 1" in out
    assert set(Case.objects.values_list("external_id", flat=True)) == {"G1", "G2"}
    bad = read_csv(tmp_path / "mixed.errors.csv")
    assert len(bad) == 1 and bad[0][H["external_id"]] == "B1" and bad[0][H["received_at"]] == "gestern"
    assert H["received_at"] in bad[0]["error"] and "not a date and time" in bad[0]["error"]


def test_skip_invalid_writes_an_excel_error_file_where_asked(world, clock, tmp_path):
    path = write_xlsx(tmp_path / "mixed.xlsx", [row(external_id="G1"), row(external_id="B1", status="??")])
    target = tmp_path / "problems.xlsx"
    run(path, skip_invalid=True, errors=str(target))
    sheet = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert sheet[0][-1] == "error" and sheet[1][list(sheet[0]).index(H["external_id"])] == "B1"
    assert "Unknown value" in sheet[1][-1]
    assert Case.objects.get().external_id == "G1"


def test_dry_run_validates_and_writes_nothing(world, clock, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(external_id="A"), row(external_id="B")])
    out, _err, failed = run(path, dry_run=True)
    assert failed is None and "Dry run" in out and "Rows read: 2; imported: 0" in out
    assert not Case.objects.exists()


def test_excel_dates_and_numbers_are_read_as_such(world, clock, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [row(external_id=12345, received_at=dt.datetime(2025, 12, 1, 9, 0, 7), requester_phone=13812341234)],
    )
    _out, err, failed = run(path)
    assert failed is None, err
    case = Case.objects.get()
    assert case.external_id == "12345" and case.requester_phone == "13812341234"
    assert case.received_at == at("2025-12-01 09:00:07")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("picture.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        ("noise.xlsx", b"PK\x03\x04" + bytes(reversed(range(256))) * 8),
        ("empty.csv", b""),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
        ("table.ods", b"whatever"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(world, clock, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    _out, _err, failed = run(path)
    assert failed is not None
    message = str(failed)
    assert name in message
    assert any(
        w in message for w in ("not an Excel workbook", "not a CSV text file", "is empty", ".xls)", ".xlsx")
    )
    assert not Case.objects.exists()


def test_a_header_without_the_needed_columns_is_refused(world, clock, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    _out, _err, failed = run(path)
    assert failed is not None and f"“{H['title']}”" in str(failed) and "“foo”" in str(failed)


def test_formula_like_text_is_kept_as_text_and_formula_cells_are_refused(world, clock, tmp_path):
    csv_path = write_csv(tmp_path / "f.csv", [row(external_id="F1", title='=HYPERLINK("http://x","点我")')])
    _out, err, failed = run(csv_path)
    assert failed is None, err
    assert (
        Case.objects.get(external_id="F1").title == '=HYPERLINK("http://x","点我")'
    )  # text, never evaluated

    book = openpyxl.Workbook()
    ws = book.active
    fields = ["external_id", "channel", "demand_type", "status", "title", "description", "received_at",
              "replied_at"]  # fmt: skip
    ws.append([H[f] for f in fields])
    r = row(external_id="F2")
    ws.append([r[f] for f in fields])
    ws["E2"] = "=1+1"  # a real formula in the title cell
    book.save(tmp_path / "f.xlsx")
    _out, err, failed = run(tmp_path / "f.xlsx")
    assert failed is not None and "formula" in err and f"column “{H['title']}”" in err
    assert not Case.objects.filter(external_id="F2").exists()


def test_a_title_over_200_characters_is_shortened_with_a_warning(world, clock, tmp_path):
    long = "暖" * 250
    out, _err, failed = run(write_csv(tmp_path / "t.csv", [row(title=long)]))
    assert failed is None
    case = Case.objects.get()
    assert len(case.title) == 200 and case.title.endswith("…") and case.title.startswith("暖" * 199)
    assert "warning: row 2" in out and "shortened" in out


def test_a_mapping_can_make_a_long_title_an_error(world, clock, tmp_path):
    strict = tmp_path / "strict.toml"
    source = _default_mapping_path().read_text(encoding="utf-8")
    strict.write_text(
        source.replace('title_too_long = "truncate"', 'title_too_long = "error"'), encoding="utf-8"
    )
    _out, err, failed = run(write_csv(tmp_path / "t.csv", [row(title="暖" * 201)]), mapping=str(strict))
    assert failed is not None and "shorten it to 200" in err
    assert not Case.objects.exists()


def _default_mapping_path():
    from minyi.transfer.mapping import MAPPINGS_DIR

    return MAPPINGS_DIR / "default.toml"


def test_hash_ids_recognise_a_row_without_an_id_column(world, clock, tmp_path):
    source = _default_mapping_path().read_text(encoding="utf-8")
    source = source.replace('external_id = "column"', 'external_id = "hash"').replace(
        'external_id = "外部编号"', ""
    )
    (tmp_path / "hash.toml").write_text(source, encoding="utf-8")
    rows = [row(title="一"), row(title="二")]
    fields = [f for f in rows[0] if f != "external_id"]
    path = write_csv(tmp_path / "h.csv", rows, fields)
    run(path, mapping=str(tmp_path / "hash.toml"))
    ids = set(Case.objects.values_list("external_id", flat=True))
    assert len(ids) == 2 and all(i.startswith("sha1:") for i in ids)
    out, _err, _failed = run(path, mapping=str(tmp_path / "hash.toml"))
    assert "imported: 0; already present: 2" in out


def test_a_gbk_csv_from_chinese_excel_is_read(world, clock, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [row(title="路灯不亮")], encoding="gb18030")
    _out, err, failed = run(path)
    assert failed is None, err
    assert Case.objects.get().title == "路灯不亮"


def test_ten_thousand_rows_import_quickly_and_in_monthly_number_ranges(world, clock, tmp_path):
    start = dt.datetime(2024, 1, 1, 8, 0)
    rows = []
    for i in range(10_000):
        received = start + dt.timedelta(hours=2 * i)
        rows.append(
            row(
                external_id=f"N{i:05d}",
                title=f"第{i}号诉求",
                category="0101" if i % 2 else "",
                lead_unit="heating" if i % 3 else "",
                received_at=received.strftime("%Y-%m-%d %H:%M:%S"),
                replied_at=(received + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S"),
                closed_at=(received + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S"),
            )
        )
    path = write_csv(tmp_path / "big.csv", rows)
    began = time.monotonic()
    out, err, failed = run(path)
    seconds = time.monotonic() - began
    assert failed is None, err
    assert "imported: 10000" in out
    assert Case.objects.count() == 10_000
    assert seconds < 60, seconds  # ~10 s on SQLite here; the aim is under 20 s
    first_jan = Case.objects.filter(received_at__lt=at("2024-02-01 00:00")).order_by("received_at")
    numbers = list(first_jan.values_list("tracking_number", flat=True))
    assert numbers[0] == "202401-000001" and numbers[-1] == f"202401-{len(numbers):06d}"
    assert CaseEvent.objects.filter(operation="archive").count() == 10_000


def times(day: str) -> dict[str, str]:
    return {"received_at": f"{day} 09:00:00", "replied_at": f"{day} 15:00:00", "closed_at": f"{day} 18:00:00"}


def test_importing_drops_the_stored_figures_of_the_months_it_filled(world, clock, tmp_path):
    from minyi.stats import rollups
    from minyi.stats.models import MonthlyMeasures

    path = write_csv(tmp_path / "a.csv", [row(external_id="A1", **times("2026-09-01"))])
    run(path)
    rollups.refresh()  # now is 25 November: September and October are stored
    assert set(MonthlyMeasures.objects.values_list("month", flat=True)) == {
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 1),
    }
    late = write_csv(tmp_path / "b.csv", [row(external_id="B1", **times("2026-10-10"))])
    run(late)
    assert list(MonthlyMeasures.objects.values_list("month", flat=True)) == [dt.date(2026, 9, 1)]
    rollups.refresh()
    stored = MonthlyMeasures.objects.get(month=dt.date(2026, 10, 1)).data["total"]
    assert stored["received"] == 1
