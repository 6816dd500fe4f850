"""Category suggestion (分类建议): a text classifier trained on handled demands.

The model is a linear support-vector machine over three TF-IDF views of `text.features_text`:
character 1–3-grams of the whole text (robust to unknown words, typos and segmentation), jieba words
(whole terms such as 公积金, 噪音), and character 1–2-grams of the first characters, which is where the
title stands (a title names the topic more plainly than the story that follows). Pre-segmented and
raw text give the same features because the normal form drops whitespace.

Why this and not a neural model: it trains in seconds on a district's own few thousand cases, runs in
about a millisecond per message on one CPU core, needs nothing downloaded, and on the real messages
it is as good as the published figures (bench/README.md). Confidence comes from the decision values
through a softmax whose temperature is fitted on cross-validated decisions of the training set, so
"80 %" means about four in five in held-out data.

No Django here: `train`, `Classifier.top`, `evaluate`, `save`/`load` are plain functions on text and
labels (tests/analysis/test_classifier.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import joblib
import numpy as np
from scipy.optimize import minimize_scalar
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from minyi.analysis import text

FORMAT = 1  # of the saved file; load refuses other formats instead of guessing
MIN_PER_CLASS = 2  # stratified folds need at least two examples of each label


class TrainingError(ValueError):
    """The examples cannot train a model; the message says what is missing."""


@dataclass(frozen=True)
class Settings:
    """The choices of features and model, chosen by cross-validation on the training set."""

    head_chars: int = 25  # the title's share of a message: the first characters
    head_weight: float = 0.8
    word_weight: float = 1.0
    char_min_df: int = 2
    c: float = 1.0  # LinearSVC regularisation
    calibration_folds: int = 3


def _words(value: str) -> list[str]:
    return text.words(value, drop_stop_words=True)


def _identity(value):
    return value


class Features:
    """The three TF-IDF views, fitted together and stacked into one sparse matrix."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.chars = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=settings.char_min_df
        )
        self.words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
        self.head = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)

    def _views(self, texts: Sequence[str]) -> tuple[list[str], list[list[str]], list[str]]:
        normal = [text.features_text(t) for t in texts]
        return normal, [_words(t) for t in normal], [t[: self.settings.head_chars] for t in normal]

    def fit_transform(self, texts: Sequence[str]):
        normal, words, heads = self._views(texts)
        s = self.settings
        return hstack(
            [
                self.chars.fit_transform(normal),
                self.words.fit_transform(words) * s.word_weight,
                self.head.fit_transform(heads) * s.head_weight,
            ]
        ).tocsr()

    def transform(self, texts: Sequence[str]):
        normal, words, heads = self._views(texts)
        s = self.settings
        return hstack(
            [
                self.chars.transform(normal),
                self.words.transform(words) * s.word_weight,
                self.head.transform(heads) * s.head_weight,
            ]
        ).tocsr()


@dataclass
class Classifier:
    """A trained model: features, the linear model, the softmax temperature and what it was made of."""

    features: Features
    model: LinearSVC
    temperature: float
    labels: list[str]
    info: dict = field(default_factory=dict)

    def decisions(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.decision_function(self.features.transform(texts))

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return _softmax(self.decisions(texts), self.temperature)

    def predict(self, texts: Sequence[str]) -> list[str]:
        classes = self.model.classes_
        return [str(classes[i]) for i in self.decisions(texts).argmax(axis=1)]

    def top(self, value: str, k: int = 3) -> list[tuple[str, float]]:
        """The k likeliest labels of one text with their confidence (0–1), likeliest first."""
        probabilities = self.probabilities([value])[0]
        order = np.argsort(-probabilities)[:k]
        return [(str(self.model.classes_[i]), float(probabilities[i])) for i in order]


def _softmax(decisions: np.ndarray, temperature: float) -> np.ndarray:
    if decisions.ndim == 1:  # two classes: LinearSVC gives one column
        decisions = np.column_stack([-decisions, decisions])
    z = decisions * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(decisions: np.ndarray, y: np.ndarray, classes: np.ndarray) -> float:
    """The softmax temperature that minimises the log loss of held-out decisions."""
    index = {c: i for i, c in enumerate(classes)}
    truth = np.array([index[v] for v in y])

    def log_loss(t: float) -> float:
        p = _softmax(decisions, t)
        return float(-np.log(np.clip(p[np.arange(len(truth)), truth], 1e-12, None)).mean())

    return float(minimize_scalar(log_loss, bounds=(0.1, 50.0), method="bounded").x)


def check_examples(labels: Sequence[str]) -> None:
    """Refuse examples that cannot train a useful model, saying why."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    if len(counts) < 2:
        raise TrainingError(f"At least two categories are needed to learn from; found {len(counts)}.")
    thin = sorted(label for label, n in counts.items() if n < MIN_PER_CLASS)
    if thin:
        raise TrainingError(
            f"Each category needs at least {MIN_PER_CLASS} examples; too few for: {', '.join(thin[:10])}."
        )


def train(texts: Sequence[str], labels: Sequence[str], settings: Settings | None = None) -> Classifier:
    """Fit the model on the examples, and the softmax temperature on cross-validated decisions."""
    if len(texts) != len(labels):
        raise TrainingError(f"{len(texts)} texts but {len(labels)} labels.")
    check_examples(labels)
    settings = settings or Settings()
    started = time.perf_counter()
    y = np.asarray(labels, dtype=object)
    features = Features(settings)
    x = features.fit_transform(texts)
    model = LinearSVC(C=settings.c, class_weight="balanced")
    folds = min(settings.calibration_folds, min(np.unique(y, return_counts=True)[1]))
    held_out = cross_val_predict(
        LinearSVC(C=settings.c, class_weight="balanced"),
        x,
        y,
        cv=StratifiedKFold(folds, shuffle=True, random_state=0),
        method="decision_function",
    )
    model.fit(x, y)
    temperature = _fit_temperature(held_out, y, model.classes_)
    info = {
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "examples": len(texts),
        "labels": {str(c): int(n) for c, n in zip(*np.unique(y, return_counts=True), strict=True)},
        "held_out_macro_f1": round(
            float(f1_score(y, model.classes_[held_out.argmax(axis=1)], average="macro")), 4
        ),
        "training_seconds": round(time.perf_counter() - started, 1),
        "settings": asdict(settings),
    }
    return Classifier(features, model, temperature, [str(c) for c in model.classes_], info)


def evaluate(classifier: Classifier, texts: Sequence[str], labels: Sequence[str]) -> dict:
    """Macro-F1, accuracy, per-class precision/recall/F1/support, n and the time per message."""
    if not texts:
        raise TrainingError("There is nothing to evaluate: the data has no rows.")
    started = time.perf_counter()
    predicted = classifier.predict(texts)
    batch_ms = (time.perf_counter() - started) * 1000 / len(texts)
    sample = list(texts[:200])
    started = time.perf_counter()
    for value in sample:  # one at a time, as the intake desk asks
        classifier.top(value)
    single_ms = (time.perf_counter() - started) * 1000 / len(sample)
    names = sorted(set(labels) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=names, zero_division=0
    )
    return {
        "macro_f1": round(float(f1_score(labels, predicted, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "n": len(texts),
        "ms_per_message": round(single_ms, 3),
        "ms_per_message_batch": round(batch_ms, 3),
        "per_class": {
            name: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)
        },
    }


def save(classifier: Classifier, path: Path) -> None:
    """Write the model to one file (compressed), atomically: a reader never sees half a model."""
    buffer = io.BytesIO()
    joblib.dump({"format": FORMAT, "classifier": classifier}, buffer, compress=3)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(buffer.getvalue())
    partial.replace(path)
    path.with_suffix(".json").write_text(json.dumps(classifier.info, ensure_ascii=False, indent=2))


def load(path: Path) -> Classifier:
    """Read a model written by `save`. Only load files you wrote: the format is a pickle."""
    if not path.is_file():
        raise FileNotFoundError(f"There is no model file at {path}.")
    data = joblib.load(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TrainingError(f"{path} is not a minyi classifier of format {FORMAT}; train it again.")
    return data["classifier"]
