"""Category suggestion on the demo's own texts (minyi/demo/texts.py): how often the category shown is
right, before (the first of the top three always shown) and after (shown only when confident).

The model is trained as `minyi demo` trains it: on about 2,200 demo cases (15 texts of each of the
148 templates, labelled with their third-level category). Three measures:

- seen wordings: new texts of the same templates (other places, numbers, openings);
- new wordings: each template held out in turn (three folds of templates); the texts of a held-out
  template whose category the model learned from its other templates — what a walk-through types
  in its own words;
- the demo's story: the 13 texts of the heating burst (minyi/demo/analysis.py), category 供热不足.

"right" = the category shown first is the text's category or a parent of it.

    .venv/bin/python bench/suggestion_demo.py     (also run by `make bench`)
"""

from __future__ import annotations

import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PER_TEMPLATE = 15
FOLDS = 3


def score(model, items: list[tuple[str, str]]) -> dict:
    """before: top-1 always shown; after: `model.shown`."""
    right_before = shown = right_after = 0
    for value, code in items:
        ranked = model.top(value)
        right_before += code.startswith(ranked[0][0])
        chosen = model.shown(ranked)
        if chosen:
            shown += 1
            right_after += code.startswith(chosen[0][0])
    n = len(items)
    return {
        "n": n,
        "before_right": right_before / n,
        "after_shown": shown / n,
        "after_right_of_shown": right_after / shown if shown else None,
        "after_wrong_shown": (shown - right_after) / n,
    }


def line(name: str, r: dict) -> str:
    of_shown = f"{r['after_right_of_shown']:.1%}" if r["after_right_of_shown"] is not None else "—"
    return (
        f"  {name}: n={r['n']}; before: shown 100 %, right {r['before_right']:.1%} (wrong shown "
        f"{1 - r['before_right']:.1%}); after: shown {r['after_shown']:.1%}, right {of_shown} of those "
        f"shown (wrong shown {r['after_wrong_shown']:.1%})"
    )


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    os.environ.setdefault("MINYI_DATA_DIR", tempfile.mkdtemp(prefix="minyi-bench-"))
    import django

    django.setup()
    from minyi.analysis import classifier
    from minyi.analysis.suggestions import case_text
    from minyi.demo import analysis, samples

    train = samples.samples(PER_TEMPLATE, seed=1)
    test = samples.samples(3, seed=2)
    started = time.perf_counter()
    model = classifier.train([case_text(s.title, s.description) for s in train], [s.code for s in train])
    print(
        f"suggestion on demo texts: trained on {len(train)} in {time.perf_counter() - started:.0f} s; "
        f"temperature {model.temperature:.2f}, shown from {model.min_confidence:.0%} "
        f"(held-out: {model.info['held_out_shown']:.0%} shown, {model.info['held_out_shown_right']} right)"
    )
    print(line("seen wordings", score(model, [(case_text(s.title, s.description), s.code) for s in test])))

    rng = random.Random(3)
    templates = sorted({s.template for s in train})
    rng.shuffle(templates)
    fold_of = {t: i % FOLDS for i, t in enumerate(templates)}
    held: list[dict] = []
    for fold in range(FOLDS):
        part = [s for s in train if fold_of[s.template] != fold]
        known = {s.code for s in part}
        fitted = classifier.train([case_text(s.title, s.description) for s in part], [s.code for s in part])
        items = [
            (case_text(s.title, s.description), s.code)
            for s in test
            if fold_of[s.template] == fold and s.code in known
        ]
        held.append(score(fitted, items))
    n = sum(r["n"] for r in held)
    pooled = {
        "n": n,
        "before_right": sum(r["before_right"] * r["n"] for r in held) / n,
        "after_shown": sum(r["after_shown"] * r["n"] for r in held) / n,
        "after_wrong_shown": sum(r["after_wrong_shown"] * r["n"] for r in held) / n,
    }
    shown = pooled["after_shown"] * n
    pooled["after_right_of_shown"] = (shown - pooled["after_wrong_shown"] * n) / shown if shown else None
    print(line("new wordings (templates held out)", pooled))

    burst_rng = random.Random(4)
    burst = []
    for title, body in itertools.product(analysis.TITLES, analysis.BODIES):
        fill = {"c": "湖畔花园", "b": burst_rng.randint(1, 12), "u": burst_rng.randint(1, 4)}
        burst.append((case_text(title.format(**fill), body.format(**fill)), "010101"))
    print(line("the demo's heating burst (all title × body pairs)", score(model, burst)))
    confidences = [model.top(value)[0][1] for value, _code in burst]
    print(f"  burst confidence of the first category: median {np.median(confidences):.2f}")


if __name__ == "__main__":
    main()
