"""The plain classifier: training, top-3 with confidence, saving, evaluating — and on real messages."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from minyi.analysis import classifier
from tests.analysis.corpus import examples

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "tipdm2020"


@pytest.fixture(scope="module")
def small():
    return classifier.train(*examples())


def test_the_right_category_comes_first_with_three_confidences(small):
    top = small.top("北区小区家里暖气冰凉不热，室温太低")
    assert top[0][0] == "heating"
    assert len(top) == 3 and sum(p for _, p in top) == pytest.approx(1.0, abs=1e-6)
    assert top[0][1] > top[1][1] >= top[2][1] > 0


def test_segmented_and_raw_text_are_read_alike(small):
    raw, segmented = "和平路路面坑洼不平积水", "和平路 路面 坑洼 不平 积水"
    assert small.top(raw) == small.top(segmented)
    assert small.predict([segmented]) == ["roads"]


def test_the_fast_path_for_one_message_gives_the_numbers_of_the_matrices(small):
    texts = ["北区小区家里暖气冰凉不热", "异地就医报销", "道路 坑洼 积水", "天气很好", ""]
    for value in texts:
        assert small.decision_one(value) == pytest.approx(small.decisions([value])[0], abs=1e-4)


def test_a_saved_model_loads_and_answers_the_same(small, tmp_path):
    path = tmp_path / "model.joblib"
    classifier.save(small, path)
    again = classifier.load(path)
    text = "异地就医报销怎么办理"
    assert again.top(text) == small.top(text)
    assert path.with_suffix(".json").is_file() and not path.with_name("model.joblib.partial").exists()


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    import joblib

    other = tmp_path / "other.joblib"
    joblib.dump({"something": "else"}, other)
    with pytest.raises(classifier.TrainingError, match="not a minyi classifier"):
        classifier.load(other)
    with pytest.raises(FileNotFoundError, match="no model file"):
        classifier.load(tmp_path / "missing.joblib")


@pytest.mark.parametrize(
    ("labels", "message"),
    [(["a"] * 5, "At least two categories"), (["a"] * 5 + ["b"], "too few for: b")],
)
def test_examples_that_cannot_train_are_refused_with_the_reason(labels, message):
    with pytest.raises(classifier.TrainingError, match=message):
        classifier.train(["供暖不热"] * len(labels), labels)


def test_evaluation_reports_every_measure(small):
    texts, labels = examples(per_topic=8)
    result = classifier.evaluate(small, texts, labels)
    assert set(result) >= {"macro_f1", "accuracy", "per_class", "n", "ms_per_message"}
    assert result["n"] == 24 and sum(row["support"] for row in result["per_class"].values()) == 24
    assert result["macro_f1"] > 0.9 and result["ms_per_message"] > 0


def _rows(name: str) -> tuple[list[str], list[str]]:
    with (DATA / name).open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def test_real_messages_trained_on_segmented_text_classify_raw_text(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("a plain method: measured once, in the SQLite run")
    if not (DATA / "classify_dev.csv").is_file():
        pytest.skip("the real messages are not in ../shared/data/tipdm2020")
    trained = classifier.train(*_rows("classify_train_segmented.csv"))
    texts, labels = _rows("classify_dev.csv")
    result = classifier.evaluate(trained, texts, labels)
    assert result["macro_f1"] >= 0.925, result  # bench/README.md records the exact figure
    assert min(row["f1"] for row in result["per_class"].values()) >= 0.85
    # Confidence means what it says: the mean top-1 confidence is close to the share that is right.
    confidence = trained.probabilities(texts).max(axis=1).mean()
    assert abs(confidence - result["accuracy"]) < 0.05
