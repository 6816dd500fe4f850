"""The plain classifier: training, top-3 with confidence, saving, evaluating — and on real messages."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
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


def test_shown_is_nothing_below_the_models_confidence_and_only_likely_others_beside_it(small):
    assert small.shown([("heating", small.min_confidence - 0.01), ("roads", 0.005)]) == []
    assert small.shown([]) == []
    first = ("heating", max(small.min_confidence, 0.8))
    assert small.shown([first, ("roads", 0.15), ("insurance", 0.05)]) == [first, ("roads", 0.15)]


def test_min_confidence_is_where_the_first_category_was_right_often_enough_over_enough_texts():
    confidence = np.linspace(0.99, 0.5, 200)
    right = np.array([True] * 100 + [True, False] * 50)  # all right above 0.75, half right below
    threshold = classifier._min_confidence(confidence, right, 0.9)
    assert confidence[160] < threshold <= confidence[99]
    assert classifier._min_confidence(confidence, right, 0.5) == classifier.MIN_SHOWN
    # Five right answers out of five are too few to show that nine in ten are right: never shown.
    assert classifier._min_confidence(confidence[:5], right[:5], 0.9) == 1.0
    assert classifier._min_confidence(confidence[:30], right[:30], 0.9) == confidence[29]
    assert classifier._min_confidence(confidence, ~right, 0.9) == 1.0


def test_near_duplicates_of_one_label_share_a_wording_group_and_labels_never_do():
    texts = [
        "幸福小区3号楼家中暖气摸着只是温的，室温只有14度左右，老人冻得受不了，已持续3天",
        "阳光花园8号楼家中暖气摸着只是温的，室温只有13度左右，老人冻得受不了，已持续3天",
        "和平路路面坑洼不平，下雨积水，车辆无法通行",
        "幸福小区3号楼家中暖气摸着只是温的，室温只有14度左右，老人冻得受不了，已持续3天",
    ]
    groups = classifier.wording_groups([classifier.tokens(t) for t in texts], np.array([0, 0, 0, 1]))
    assert groups[0] == groups[1] and len({groups[0], groups[2], groups[3]}) == 3


def test_demo_texts_new_wordings_get_no_confident_wrong_category(django_db_setup):
    """Issue 16: trained on the demo's templated cases, the confidence was fitted on held-out copies
    of the training texts (all right): every guess said "100 %", and the intake desk showed a wrong
    category as certain for any wording of its own. Now near-duplicates are held out together and
    only a confident first category is shown. The demo's texts of 城乡建设 and 环境保护, every third
    template held out in turn (what a walk-through types in its own words)."""
    from minyi.analysis.suggestions import case_text
    from minyi.demo import samples

    texts = [s for s in samples.samples(6, seed=1) if s.code[:2] in ("01", "02")]
    templates = sorted({s.template for s in texts})
    wrong_first = wrong_shown = shown = n = 0
    for fold in range(3):
        out = set(templates[fold::3])
        train = [s for s in texts if s.template not in out]
        model = classifier.train([case_text(s.title, s.description) for s in train], [s.code for s in train])
        assert model.temperature < 40 and model.min_confidence >= classifier.MIN_SHOWN
        known = {s.code for s in train}
        for s in texts:
            if s.template in out and s.code in known:
                ranked = model.top(case_text(s.title, s.description))
                items = model.shown(ranked)
                n += 1
                wrong_first += not s.code.startswith(ranked[0][0])
                shown += bool(items)
                wrong_shown += bool(items) and not s.code.startswith(items[0][0])
    assert wrong_first / n > 0.3  # new wordings are hard for a model of templates: shown before …
    assert wrong_shown / n <= 0.1  # … now mostly not shown
    assert shown > 0  # while it still suggests where it is sure


def test_a_perfectly_separated_training_set_does_not_make_every_guess_certain(small):
    assert small.info["held_out_macro_f1"] == 1.0
    assert small.temperature < 40  # the smoothed fit stays finite (the bound was 50)
    assert small.top("小区里有人遛狗不拴绳")[0][1] < 0.9


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
    # What the desk shows (first category at least min_confidence) is right at least 90 % of the time.
    shown = [(trained.shown(trained.top(value)), label) for value, label in zip(texts, labels, strict=True)]
    right = [items[0][0] == label for items, label in shown if items]
    assert len(right) / len(texts) > 0.8 and sum(right) / len(right) >= 0.9
