"""Category suggestion (分类建议): a text classifier trained on handled demands.

Features: three TF-IDF views of a text's words (jieba, with stop words and punctuation left out, so
that raw text and pre-segmented text without stop words look alike): character 1–3-grams of the
words joined up (robust to unknown words, typos and segmentation), the words themselves (whole terms
such as 公积金, 噪音), and character 1–2-grams of the first characters, which is where the title
stands (a title names the topic more plainly than the story that follows).

Model: NB-SVM (Wang & Manning 2012): for each category, the features are scaled by their naive-Bayes
log-count ratio (how much more often a feature occurs in this category's texts than in the others')
and a linear SVM is trained on them, one category against the rest. The scaling is folded into the
weights, so a prediction is one sparse product. On the real messages this beats a plain SVM by about
one point of macro-F1 (bench/README.md), trains in seconds on a district's own cases, needs nothing
downloaded and answers in a few milliseconds on one CPU core (`top` has a path for one message that
skips building sparse matrices; tests check it gives the same numbers).

Confidence comes from the decision values through a softmax whose temperature is fitted on
cross-validated decisions of the training set, so "80 %" means about four in five in held-out data.
The folds keep near-duplicates together (`wording_groups`: one template filled for other places, a
message posted again): otherwise a copy of each held-out text is in the training part, every
held-out answer is right, and the temperature makes every guess "100 %" — on new wordings too. The
same held-out decisions give `min_confidence`, below which the product shows no suggestion: the
confidence from which the first category was right at least `target_precision` of the time.

No Django here: `train`, `Classifier.top`, `evaluate`, `save`/`load` are plain functions on text and
labels (tests/analysis/test_classifier.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import joblib
import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

from minyi.analysis import text

FORMAT = 3  # of the saved file; load refuses other formats instead of guessing
MIN_PER_CLASS = 2  # stratified folds need at least two examples of each label
MAX_ITERATIONS = 10_000
NEAR_DUPLICATE = 0.5  # cosine (character 2-grams) from which two texts of one label are one wording
MIN_SHOWN = 0.5  # never show a first category that is less likely right than wrong
ALTERNATIVE = 0.1  # beside a confident first category, others are shown from this confidence
MIN_EVIDENCE = 20  # held-out texts at least, from which min_confidence is measured


class TrainingError(ValueError):
    """The examples cannot train a model; the message says what is missing."""


@dataclass(frozen=True)
class Settings:
    """The choices of features and model, chosen by cross-validation on the training set
    (bench/README.md has the table)."""

    head_chars: int = 25  # the title's share of a message: the first characters
    head_weight: float = 0.8
    word_weight: float = 1.0
    min_df: int = 2
    c: float = 1.0  # LinearSVC regularisation
    nb_alpha: float = 1.0  # smoothing of the naive-Bayes ratios
    calibration_folds: int = 3
    target_precision: float = 0.9  # of the first category shown, in held-out data (min_confidence)


def tokens(value: str) -> list[str]:
    """The words a text is read as: jieba words without stop words and punctuation, place codes
    ("A3", "D12") as one placeholder."""
    return [text.CODE.sub("#", w) for w in text.words(value, drop_stop_words=True)]


def _identity(value):
    return value


# (name, analyzer, n-gram range, weight attribute, head) of the three views, in matrix order.
VIEWS = (
    ("chars", "char", (1, 3), None, False),
    ("words", "word", (1, 1), "word_weight", False),
    ("head", "char", (1, 2), "head_weight", True),
)


class Features:
    """The three TF-IDF views, fitted together and stacked into one sparse matrix."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.vectorizers = [
            TfidfVectorizer(
                analyzer=_identity if kind == "word" else "char",
                ngram_range=grams,
                sublinear_tf=True,
                min_df=settings.min_df,
                dtype=np.float32,
            )
            for _name, kind, grams, _w, _head in VIEWS
        ]

    def weight(self, view: int) -> float:
        attribute = VIEWS[view][3]
        return getattr(self.settings, attribute) if attribute else 1.0

    def documents(self, words: list[str], view: int):
        _name, kind, _grams, _w, head = VIEWS[view]
        if kind == "word":
            return words
        joined = "".join(words)
        return joined[: self.settings.head_chars] if head else joined

    def _matrix(self, token_lists: Sequence[list[str]], fit: bool):
        blocks = []
        for view, vectorizer in enumerate(self.vectorizers):
            docs = [self.documents(words, view) for words in token_lists]
            matrix = vectorizer.fit_transform(docs) if fit else vectorizer.transform(docs)
            blocks.append(matrix * self.weight(view))
        return sparse.hstack(blocks).tocsr()

    def fit_transform(self, token_lists: Sequence[list[str]]):
        return self._matrix(token_lists, fit=True)

    def transform(self, token_lists: Sequence[list[str]]):
        return self._matrix(token_lists, fit=False)

    def one(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The non-zero (column, value) pairs of one text: what `transform` gives, computed directly
        (no sparse matrices: three times faster for the one message the intake desk asks about)."""
        columns, values, offset = [], [], 0
        for view, vectorizer in enumerate(self.vectorizers):
            vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
            doc = self.documents(words, view)
            if VIEWS[view][1] == "word":
                grams = doc
            else:
                low, high = VIEWS[view][2]
                doc = doc.lower()
                grams = [doc[i : i + n] for n in range(low, high + 1) for i in range(len(doc) - n + 1)]
            found = [(vocabulary[g], k) for g, k in Counter(grams).items() if g in vocabulary]
            if found:
                index = np.array([j for j, _k in found])
                value = (np.log(np.array([k for _j, k in found], dtype=np.float64)) + 1) * idf[index]
                value *= self.weight(view) / math.sqrt(float((value * value).sum()))
                columns.append(index + offset)
                values.append(value)
            offset += len(idf)
        if not columns:
            return np.zeros(0, dtype=int), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)


@dataclass
class Classifier:
    """A trained model: features, one weight column per label, the softmax temperature and what it
    was made of."""

    features: Features
    weights: np.ndarray  # features × labels, the naive-Bayes ratios folded in
    bias: np.ndarray  # labels
    temperature: float
    labels: list[str]
    min_confidence: float = MIN_SHOWN  # below it, no category is shown (see `shown`)
    info: dict = field(default_factory=dict)

    def decisions(self, texts: Sequence[str]) -> np.ndarray:
        matrix = self.features.transform([tokens(t) for t in texts])
        return np.asarray(matrix @ self.weights) + self.bias

    def decision_one(self, value: str) -> np.ndarray:
        columns, values = self.features.one(tokens(value))
        return values @ self.weights[columns] + self.bias

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return _softmax(self.decisions(texts), self.temperature)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.decisions(texts).argmax(axis=1)]

    def top(self, value: str, k: int = 3) -> list[tuple[str, float]]:
        """The k likeliest labels of one text with their confidence (0–1), likeliest first."""
        probabilities = _softmax(self.decision_one(value)[None, :], self.temperature)[0]
        order = np.argsort(-probabilities)[:k]
        return [(self.labels[i], float(probabilities[i])) for i in order]

    def shown(self, ranked: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
        """What of a ranking is worth showing: nothing unless the first is confident (at least
        `min_confidence`), then the first and those of the others that have a real chance."""
        if not ranked or ranked[0][1] < self.min_confidence:
            return []
        return [ranked[0], *(item for item in ranked[1:] if item[1] >= ALTERNATIVE)]


def _softmax(decisions: np.ndarray, temperature: float) -> np.ndarray:
    z = decisions * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(decisions: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that minimises the log loss of held-out decisions, against targets
    smoothed as Platt (1999) does (the true label 1 − 1/(n + 2), the rest share the remainder): when
    every held-out answer is right, plain log loss only falls as the temperature rises, and every
    guess would become "100 %"."""
    n, k = decisions.shape
    smoothing = 1 / (n + 2)
    target = np.full((n, k), smoothing / max(k - 1, 1))
    target[np.arange(n), truth] = 1 - smoothing

    def log_loss(t: float) -> float:
        p = np.clip(_softmax(decisions, t), 1e-12, None)
        return float(-(target * np.log(p)).sum(axis=1).mean())

    return float(minimize_scalar(log_loss, bounds=(0.1, 50.0), method="bounded").x)


def _min_confidence(confidence: np.ndarray, right: np.ndarray, target: float) -> float:
    """The lowest confidence from which the first category was right at least `target` of the time
    in held-out data, over at least MIN_EVIDENCE texts (a few lucky ones do not set it); 1.0 (never
    shown) when no confidence reaches it."""
    order = np.argsort(-confidence, kind="stable")
    counted = np.arange(1, len(order) + 1)
    share = np.cumsum(right[order]) / counted
    reached = np.flatnonzero((share >= target) & (counted >= MIN_EVIDENCE))
    if not len(reached):
        return 1.0
    return max(MIN_SHOWN, float(confidence[order][reached[-1]]))


def wording_groups(token_lists: Sequence[list[str]], y: np.ndarray) -> np.ndarray:
    """A group number per example: examples of one label whose texts are near-duplicates (cosine of
    character 2-grams at least NEAR_DUPLICATE, linked transitively) share one. Real messages are
    mostly groups of one; each template of the demo's texts is about one group."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, dtype=np.float32)
    x = vectorizer.fit_transform(["".join(words) for words in token_lists])
    groups = np.zeros(len(y), dtype=int)
    offset = 0
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        blocks = []
        for start in range(0, len(rows), 2000):  # bounded memory for a big label
            similar = x[rows[start : start + 2000]] @ x[rows].T
            similar.data = (similar.data >= NEAR_DUPLICATE).astype(np.int8)
            similar.eliminate_zeros()
            blocks.append(similar)
        count, member = connected_components(sparse.vstack(blocks), directed=False)
        groups[rows] = member + offset
        offset += count
    return groups


def _nbsvm(x, y: np.ndarray, n_labels: int, s: Settings) -> tuple[np.ndarray, np.ndarray]:
    """One linear SVM per label on naive-Bayes-scaled features; the scaling folded into the weights."""
    present = (x > 0).astype(np.float32)
    weights, bias = [], []
    for label in range(n_labels):
        mine = y == label
        if not mine.any():  # a label missing from a calibration fold: never its first category
            weights.append(np.zeros(x.shape[1], dtype=np.float32))
            bias.append(-1e3)
            continue
        p = s.nb_alpha + np.asarray(present[mine].sum(axis=0)).ravel()
        q = s.nb_alpha + np.asarray(present[~mine].sum(axis=0)).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
        # Scaled features converge more slowly than liblinear's default 1,000 iterations allow.
        svm = LinearSVC(C=s.c, class_weight="balanced", max_iter=MAX_ITERATIONS)
        svm.fit(x @ sparse.diags(ratio), mine.astype(int))
        weights.append(svm.coef_.ravel() * ratio)
        bias.append(svm.intercept_[0])
    return np.column_stack(weights).astype(np.float32), np.array(bias, dtype=np.float32)


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
    s = settings or Settings()
    started = time.perf_counter()
    names = sorted(set(labels))
    y = np.array([names.index(label) for label in labels])
    token_lists = [tokens(t) for t in texts]
    groups = wording_groups(token_lists, y)
    folds = max(2, min(s.calibration_folds, len(set(groups))))
    held_out = np.zeros((len(y), len(names)), dtype=np.float32)
    known = np.zeros(len(y), dtype=bool)  # its label was in the fold's training part
    splits = StratifiedGroupKFold(folds, shuffle=True, random_state=0).split(y, y, groups)
    for fit_rows, test_rows in splits:
        features = Features(s)
        x = features.fit_transform([token_lists[i] for i in fit_rows])
        weights, bias = _nbsvm(x, y[fit_rows], len(names), s)
        held_out[test_rows] = (
            np.asarray(features.transform([token_lists[i] for i in test_rows]) @ weights) + bias
        )
        known[test_rows] = np.isin(y[test_rows], y[fit_rows])
    features = Features(s)
    weights, bias = _nbsvm(features.fit_transform(token_lists), y, len(names), s)
    # A label whose every example is one wording cannot be held out and learned at once: its rows
    # measure nothing the served model does (it knows every label) and are left out of the fits.
    if known.any():
        temperature = _fit_temperature(held_out[known], y[known])
        confidence = _softmax(held_out[known], temperature)
        top = confidence.argmax(axis=1)
        right = top == y[known]
        min_confidence = _min_confidence(confidence.max(axis=1), right, s.target_precision)
        shown = confidence.max(axis=1) >= min_confidence
    else:
        temperature, min_confidence, right, shown = 1.0, 1.0, np.zeros(0, bool), np.zeros(0, bool)
    info = {
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "examples": len(texts),
        "labels": {name: int(n) for name, n in zip(names, np.bincount(y), strict=True)},
        "held_out_macro_f1": round(float(f1_score(y, held_out.argmax(axis=1), average="macro")), 4),
        "wording_groups": len(set(groups)),
        "min_confidence": round(min_confidence, 4),
        # Of the held-out texts (labels the fold knew): how many got a suggestion, how many shown were right.
        "held_out_shown": round(float(shown.mean()), 4) if len(shown) else 0.0,
        "held_out_shown_right": round(float(right[shown].mean()), 4) if shown.any() else None,
        "training_seconds": round(time.perf_counter() - started, 1),
        "settings": asdict(s),
    }
    return Classifier(features, weights, bias, temperature, names, min_confidence, info)


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
