"""`minyi classifier train --data … --out …` and `evaluate --json` on CSV files."""

from __future__ import annotations

import csv
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.analysis.corpus import examples


def write(path, rows, header=("text", "label")):
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def data(tmp_path):
    texts, labels = examples()
    return write(tmp_path / "train.csv", zip(texts, labels, strict=True))


def test_train_then_evaluate_prints_one_json_object(data, tmp_path, capsys):
    model = tmp_path / "m.joblib"
    call_command("classifier", "train", "--data", str(data), "--out", str(model))
    assert "72 examples, 3 labels" in capsys.readouterr().out
    held_out = write(
        tmp_path / "dev.csv", [("西城社区暖气不热室温低", "heating"), ("和平路坑洼不平", "roads")]
    )
    call_command("classifier", "evaluate", "--model", str(model), "--data", str(held_out), "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 2 and result["accuracy"] == 1.0 and result["macro_f1"] == 1.0
    assert set(result["per_class"]) == {"heating", "roads"} and result["ms_per_message"] > 0


def test_other_column_names_are_given_by_option(tmp_path, capsys):
    texts, labels = examples()
    path = write(tmp_path / "x.csv", zip(labels, texts, strict=True), header=("类别", "内容"))
    call_command(
        "classifier", "train", "--data", str(path), "--out", str(tmp_path / "m"),
        "--text-column", "内容", "--label-column", "类别",
    )  # fmt: skip
    assert "72 examples" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("words,label\n暖气,heating\n".encode(), "no column text (the header has: words, label)"),
        ("text,label\n暖气不热,\n".encode(), "row 2: the label is empty"),
        ("text,label\n暖气,供热\n".encode("gbk"), "is not UTF-8 text"),
        (b"text,label\n", "The data has no rows"),
    ],
)
def test_bad_data_is_refused_with_what_to_fix(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("classifier", "train", "--data", str(path), "--out", str(tmp_path / "m"))
    assert not (tmp_path / "m").exists()


def test_train_needs_either_files_or_the_database(tmp_path):
    with pytest.raises(CommandError, match="either --data"):
        call_command("classifier", "train")
    with pytest.raises(CommandError, match="no model file"):
        call_command(
            "classifier", "evaluate", "--model", str(tmp_path / "none"), "--data", str(tmp_path / "x")
        )
