"""`minyi hotspots --input FILE …` (minyi/analysis/management/commands/hotspots.py), through call_command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.analysis.test_hotspots import BACKGROUND

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"

NOISE = [
    (
        "A2区丽发新城小区附近搅拌站噪音扰民",
        "丽发新城小区旁边的混凝土搅拌站每天夜里作业，噪音很大，居民无法入睡。",
    ),
    ("丽发新城小区旁搅拌站夜间施工噪音太大", "住在丽发新城小区，搅拌站半夜还在运输作业，噪音扰民严重。"),
    ("投诉丽发新城小区边上的混凝土搅拌站扰民", "丽发新城小区业主长期受搅拌站噪音和粉尘影响，夜里睡不着。"),
]
OTHER = BACKGROUND  # unrelated messages of other places: the word frequencies of a real board


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def write_csv(path: Path, rows: list[dict], *, bom: bool = False, columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8")
    return path


def sample_rows() -> list[dict]:
    rows = []
    for i, (title, detail) in enumerate(NOISE * 2):  # six people, three wordings
        rows.append(
            {
                "id": str(100 + i),
                "title": title,
                "detail": detail,
                "created_at": f"2019-11-0{1 + i}T08:30:00",
                "user": f"U{i}",
                "supports": str(i),
                "opposes": "0",
            }
        )
    for i, (title, detail) in enumerate(OTHER):
        rows.append(
            {
                "id": str(200 + i),
                "title": title,
                "detail": detail,
                "created_at": f"2019-10-{10 + i}T10:00:00",
                "user": f"V{i}",
                "supports": "",
                "opposes": "",
            }
        )
    return rows


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("hotspots", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_lists_the_issue_with_its_figures(tmp_path):
    path = write_csv(tmp_path / "messages.csv", sample_rows(), bom=True)
    out, _ = run("--input", str(path), "--top", "5", "--json")
    issues = json.loads(out)
    assert len(issues) == 1
    issue = issues[0]
    assert issue["count"] == issue["people"] == 6
    assert issue["message_ids"] == [str(100 + i) for i in range(6)]
    assert issue["start"] == "2019-11-01T08:30:00" and issue["end"] == "2019-11-06T08:30:00"
    assert issue["supports"] == 15
    assert "丽发新城小区" in issue["places"] and "搅拌站" in issue["keywords"]
    assert "丽发新城" in issue["title"]
    assert "\\u" not in out  # Chinese as written (ensure_ascii=False)


def test_optional_columns_may_be_missing(tmp_path):
    path = write_csv(tmp_path / "m.csv", sample_rows(), columns=["id", "title", "detail", "created_at"])
    [issue] = json.loads(run("--input", str(path), "--top", "3", "--json")[0])
    assert issue["count"] == issue["people"] == 6  # no user column: every message is its own voice
    assert issue["supports"] == 0


def test_since_and_until_keep_the_messages_of_those_days(tmp_path):
    path = write_csv(tmp_path / "m.csv", sample_rows())
    [issue] = json.loads(
        run("--input", str(path), "--since", "2019-10-01", "--until", "2019-11-04", "--json")[0]
    )
    assert issue["message_ids"] == ["100", "101", "102", "103"]
    assert json.loads(run("--input", str(path), "--since", "2019-12-01", "--json")[0]) == []


def test_the_table_is_readable(tmp_path):
    path = write_csv(tmp_path / "m.csv", sample_rows())
    out, _ = run("--input", str(path), "--top", "3")
    assert out.splitlines()[0] == "1 hot issues among 18 messages."
    assert " 1. " in out and "丽发新城小区" in out and "100, 101, 102, 103, 104, 105" in out


def test_a_missing_column_is_named_and_nothing_is_printed(tmp_path):
    path = write_csv(tmp_path / "m.csv", sample_rows(), columns=["id", "title", "detail", "user"])
    out = io.StringIO()
    with pytest.raises(CommandError, match="created_at"):
        call_command("hotspots", "--input", str(path), "--json", stdout=out)
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("created_at", "2019-13-45", "created_at"),
        ("supports", "many", "supports"),
        ("opposes", "-3", "opposes"),
        ("id", "", "id"),
    ],
)
def test_a_bad_value_is_named_with_its_row(tmp_path, column, value, expected):
    rows = sample_rows()
    rows[2][column] = value
    path = write_csv(tmp_path / "m.csv", rows)
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("hotspots", "--input", str(path), "--json", stdout=out)
    message = str(raised.value)
    assert re.search(r"row 4\b|第 4 行", message) and expected in message
    assert out.getvalue() == ""


def test_a_repeated_id_is_refused(tmp_path):
    rows = sample_rows()
    rows[3]["id"] = rows[0]["id"]
    path = write_csv(tmp_path / "m.csv", rows)
    with pytest.raises(CommandError, match="row 5.*row 2"):
        run("--input", str(path), "--json")


def test_a_row_without_created_at_is_left_out_with_a_warning(tmp_path):
    rows = sample_rows()
    rows[0]["created_at"] = ""
    path = write_csv(tmp_path / "m.csv", rows)
    out, err = run("--input", str(path), "--json")
    assert "row 2" in err
    [issue] = json.loads(out)
    assert "100" not in issue["message_ids"] and issue["count"] == 5


def test_a_file_that_is_not_text_is_refused(tmp_path):
    # Neither UTF-8 nor what Excel saves a Chinese CSV as (GB18030): a workbook given as the CSV.
    path = tmp_path / "book.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe\x80\xff")
    with pytest.raises(CommandError, match="UTF-8"):
        run("--input", str(path))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="nofile.csv"):
        run("--input", str(tmp_path / "nofile.csv"))


def test_since_after_until_is_refused(tmp_path):
    path = write_csv(tmp_path / "m.csv", sample_rows())
    with pytest.raises(CommandError, match="after"):
        run("--input", str(path), "--since", "2019-12-01", "--until", "2019-11-01")


def test_real_messages_give_concrete_issues_in_one_place():
    if not REAL.is_file():
        pytest.skip(f"the real messages are not at {REAL}")
    with REAL.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    issues = json.loads(run("--input", str(REAL), "--top", "10", "--json")[0])
    assert len(issues) == 10
    heats = [i["heat"] for i in issues]
    assert heats == sorted(heats, reverse=True)
    for issue in issues:
        members = [rows[m] for m in issue["message_ids"]]
        assert issue["count"] == len(members) >= 2
        assert issue["people"] == len({m["user"] for m in members}) >= 2
        assert issue["start"] == min(m["created_at"] for m in members)
        assert issue["end"] == max(m["created_at"] for m in members)
        # The places shown are found in the messages' own text.
        for place in issue["places"]:
            assert any(place in m["title"] + m["detail"] for m in members), (place, issue["title"])
    titles = " / ".join(i["title"] for i in issues)
    # Three known repeats of this file, each one problem in one place, are among the top ten …
    assert "204路" in titles and "五一桥" in titles and "东方水岸明珠" in titles, titles
    # … and the bridge's six messages (two wordings, three people) are one issue.
    bridge = next(i for i in issues if "五一桥" in i["title"])
    assert (bridge["count"], bridge["people"]) == (6, 3)
    assert "K7县" in bridge["places"]


def test_a_message_boards_own_export_is_read_as_it_comes(tmp_path):
    # Chinese column names, times as a spreadsheet writes them, saved by Excel as GB18030.
    names = {
        "id": "留言编号",
        "user": "留言用户",
        "title": "留言主题",
        "created_at": "留言时间",
        "detail": "留言详情",
    }
    names |= {"supports": "点赞数", "opposes": "反对数"}
    rows = []
    for row in sample_rows():
        moment = dt.datetime.fromisoformat(row["created_at"])
        stamp = f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment.minute:02d}:00"
        rows.append({names[k]: (stamp if k == "created_at" else v) for k, v in row.items()})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "board.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    [issue] = json.loads(run("--input", str(path), "--top", "3", "--json")[0])
    assert issue["count"] == issue["people"] == 6 and issue["supports"] == 15
    assert issue["start"] == "2019-11-01T08:30:00"
