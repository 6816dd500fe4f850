"""Model selection for the category suggestion on the training set only (docs/analysis/classifier.md,
"Protocol"): 5-fold stratified cross-validation of classify_train_segmented.csv, the same folds for
every candidate, and the paired difference to the current settings with its standard error. A change
is kept only when it gains more than twice that error. classify_dev.csv is not read here.

    .venv/bin/python bench/classifier_select.py                     the candidates below
    .venv/bin/python bench/classifier_select.py '[{"c": 0.5}]'       others (Settings fields)

Not run by `make bench` (several minutes per candidate on a busy machine).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "tipdm2020"
FOLDS = 5
SEED = 100
CANDIDATES = ({"c": 0.5}, {"c": 2.0}, {"nb_alpha": 0.5}, {"head_weight": 1.0})


def main() -> None:
    if not (DATA / "classify_train_segmented.csv").is_file():
        print(f"classifier_select: the real messages are not in {DATA}")
        return
    sys.path.insert(0, str(ROOT))
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from minyi.analysis import classifier

    with (DATA / "classify_train_segmented.csv").open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    token_lists = [classifier.tokens(r["text"]) for r in rows]
    names = sorted({r["label"] for r in rows})
    y = np.array([names.index(r["label"]) for r in rows])
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(y, y))

    def cv(overrides: dict) -> np.ndarray:
        settings = replace(classifier.Settings(), **overrides)
        scores = []
        for fit, test in folds:
            features = classifier.Features(settings)
            x = features.fit_transform([token_lists[i] for i in fit])
            weights, bias = classifier._nbsvm(x, y[fit], len(names), settings)
            decisions = np.asarray(features.transform([token_lists[i] for i in test]) @ weights) + bias
            scores.append(f1_score(y[test], decisions.argmax(axis=1), average="macro"))
        return np.array(scores)

    candidates = json.loads(sys.argv[1]) if len(sys.argv) > 1 else CANDIDATES
    started = time.perf_counter()
    base = cv({})
    print(f"current settings: CV macro-F1 {base.mean():.4f} (folds {np.round(base, 3).tolist()})", flush=True)
    for overrides in candidates:
        scores = cv(overrides)
        gain = scores - base
        error = gain.std(ddof=1) / np.sqrt(len(gain))
        verdict = "keep" if gain.mean() > 2 * error else "no clear gain"
        print(
            f"{json.dumps(overrides)}: CV macro-F1 {scores.mean():.4f}, paired gain {gain.mean():+.4f} "
            f"± {error:.4f} → {verdict}",
            flush=True,
        )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
