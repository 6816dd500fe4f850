"""Category suggestion on the real messages: train on classify_train_segmented.csv only, evaluate on
classify_dev.csv (raw text). Prints training time, macro-F1 with its 95 % interval (bootstrap over
the dev messages), accuracy, per-class F1, what the desk would show (the share of messages with a
confident suggestion, and how often it is right) and the time per message, one message at a time on
one core (as the intake desk asks) and in a batch.

The protocol (docs/analysis/classifier.md): settings are chosen by cross-validation on the training
set (bench/classifier_select.py); this script is the one measurement on dev of the chosen model.

    .venv/bin/python bench/classifier.py      (also run by `make bench`)
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "tipdm2020"


def rows(name: str) -> tuple[list[str], list[str]]:
    with (DATA / name).open(encoding="utf-8") as source:
        read = list(csv.DictReader(source))
    return [r["text"] for r in read], [r["label"] for r in read]


def main() -> None:
    if not (DATA / "classify_dev.csv").is_file():
        print(f"classifier: the real messages are not in {DATA}")
        return
    sys.path.insert(0, str(ROOT))
    from minyi.analysis import classifier

    texts, labels = rows("classify_train_segmented.csv")
    started = time.perf_counter()
    trained = classifier.train(texts, labels)
    train_s = time.perf_counter() - started
    if hasattr(os, "sched_setaffinity"):  # one core, as the target says
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    dev_texts, dev_labels = rows("classify_dev.csv")
    result = classifier.evaluate(trained, dev_texts, dev_labels)
    print(
        f"classifier: trained on {len(texts)} in {train_s:.1f} s (held-out macro-F1 "
        f"{trained.info['held_out_macro_f1']}); dev n={result['n']}: macro-F1 {result['macro_f1']}, "
        f"accuracy {result['accuracy']}, {result['ms_per_message']} ms/message one by one on one core, "
        f"{result['ms_per_message_batch']} ms/message in a batch"
    )
    print("  per class F1: " + ", ".join(f"{k} {v['f1']}" for k, v in result["per_class"].items()))
    low, high = bootstrap(trained.predict(dev_texts), dev_labels)
    print(f"  macro-F1 95 % interval (bootstrap of the {len(dev_texts)} dev messages): {low:.3f}–{high:.3f}")
    shown = [trained.shown(trained.top(value)) for value in dev_texts]
    right = [items[0][0] == label for items, label in zip(shown, dev_labels, strict=True) if items]
    print(
        f"  shown at the desk (first category from {trained.min_confidence:.0%}): "
        f"{len(right) / len(shown):.1%} of messages, right {sum(right) / len(right):.1%} of those shown; "
        f"temperature {trained.temperature:.2f}"
    )


def bootstrap(predicted: list[str], labels: list[str], rounds: int = 1000) -> tuple[float, float]:
    import numpy as np
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    predicted_a, labels_a = np.array(predicted), np.array(labels)
    scores = []
    for _ in range(rounds):
        pick = rng.integers(0, len(labels_a), len(labels_a))
        scores.append(f1_score(labels_a[pick], predicted_a[pick], average="macro"))
    return float(np.percentile(scores, 2.5)), float(np.percentile(scores, 97.5))


if __name__ == "__main__":
    main()
