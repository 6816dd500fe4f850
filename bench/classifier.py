"""Category suggestion on the real messages: train on classify_train_segmented.csv only, evaluate on
classify_dev.csv (raw text). Prints training time, macro-F1, accuracy, per-class F1 and the time per
message, one message at a time on one core (as the intake desk asks) and in a batch.

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


if __name__ == "__main__":
    main()
