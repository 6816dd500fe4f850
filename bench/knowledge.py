"""Knowledge answers at the intake desk (issue 16): `.venv/bin/python bench/knowledge.py [--grid]`.

A knowledge base made of real messages (TipDM 2020, read from ../shared/data, never copied into the
project): each entry of bench/gold/knowledge_entries.csv is one message whose official reply is a
reusable policy answer (question = its title, answer = its reply). Each demand of
bench/gold/knowledge_demands.csv is another message, typed at the intake desk as title and
description, labelled with the entry that answers it or none, and assigned to the "tune" or "holdout"
split (seeded, in the file).

For every demand it reports what the operator is shown first:
- before: the old intake desk (the first of `search(description or title)`, shown expanded);
- after: the first of `answers_for(title=…, description=…)`, or nothing.
Measures per split: precision of the shown answers, the share of demands shown a WRONG entry (target
≤ 2 %), recall of the right answers. Thresholds are chosen on "tune" only (`--grid` prints the grid on
tune); the holdout figures are printed last.

Runs in a subprocess with a fresh SQLite database in a temporary directory.
"""

from __future__ import annotations

import csv
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"
GOLD = ROOT / "bench" / "gold"


def read_gold():
    with DATA.open(encoding="utf-8", newline="") as f:
        messages = {row["id"]: row for row in csv.DictReader(f)}
    with (GOLD / "knowledge_entries.csv").open(encoding="utf-8", newline="") as f:
        entries = [row["message_id"] for row in csv.DictReader(f)]
    with (GOLD / "knowledge_demands.csv").open(encoding="utf-8", newline="") as f:
        demands = [
            (row["message_id"], row["entry_message_id"] or None, row["split"]) for row in csv.DictReader(f)
        ]
    return messages, entries, demands


def measure(shown: dict[str, str | None], demands, split: str) -> dict[str, float]:
    rows = [(d, gold) for d, gold, s in demands if s == split]
    n = len(rows)
    shown_n = sum(1 for d, _ in rows if shown[d] is not None)
    right = sum(1 for d, gold in rows if shown[d] is not None and shown[d] == gold)
    wrong = shown_n - right
    answerable = sum(1 for _, gold in rows if gold)
    return {
        "demands": n,
        "answerable": answerable,
        "shown": shown_n,
        "right": right,
        "wrong": wrong,
        "precision": right / shown_n if shown_n else 1.0,
        "wrong_share": wrong / n if n else 0.0,
        "recall": right / answerable if answerable else 0.0,
    }


def line(label: str, m: dict[str, float]) -> str:
    return (
        f"| {label} | {m['demands']} ({m['answerable']} answerable) | {m['shown']} | "
        f"{m['precision']:.1%} | {m['wrong']} = {m['wrong_share']:.1%} | {m['right']} = {m['recall']:.1%} |"
    )


def child(grid: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from minyi.knowledge import relevance as rel
    from minyi.knowledge.models import KnowledgeEntry
    from minyi.knowledge.search import _ranked, _valid_entries, answers_for, key_words, search, words

    messages, entry_ids, demands = read_gold()
    pk_to_message = {}
    for message_id in entry_ids:
        m = messages[message_id]
        entry = KnowledgeEntry.objects.create(question=m["title"][:200], answer=m["reply"])
        pk_to_message[entry.pk] = message_id

    def typed(message_id):
        m = messages[message_id]
        return m["title"][:200], m["detail"][:5000]

    before, after, seconds = {}, {}, []
    for message_id, _, _ in demands:
        title, description = typed(message_id)
        hits = search(description or title, limit=5)  # the old desk: description wins, title ignored
        before[message_id] = pk_to_message[hits[0].entry.pk] if hits else None
        t0 = time.perf_counter()
        found = answers_for(title=title, description=description, limit=1)
        seconds.append(time.perf_counter() - t0)
        after[message_id] = pk_to_message[found[0].entry.pk] if found else None

    if grid:
        # Every candidate's relevance once, then thresholds tried on the tune split only.
        judged = {}
        for message_id, _, split in demands:
            if split != "tune":
                continue
            title, description = typed(message_id)
            query = list(dict.fromkeys(words(title) + key_words(description)))[:40]
            pairs = []
            for hit in _ranked(query, _valid_entries(), limit=30):
                e = hit.entry
                pairs.append(
                    (
                        pk_to_message[e.pk],
                        rel.relevance(
                            title=title,
                            description=description,
                            question=e.question,
                            tags=e.tags,
                            answer=e.answer,
                        ),
                    )
                )
            judged[message_id] = pairs
        print("| q-cov | d-cov | weight | missing | shown | precision | wrong | recall |")
        print("|---|---|---|---|---|---|---|---|")
        for q, d, w, x in itertools.product(
            (0.5, 0.6, 0.7, 0.8, 0.9),
            (0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
            (12.0, 16.0, 20.0, 24.0, 28.0),
            (5.0, 6.0, 7.0, 8.0, 99.0),
        ):
            shown = {}
            for message_id, pairs in judged.items():
                ok = [
                    (r.question_coverage * r.demand_coverage * r.covered_weight, m)
                    for m, r in pairs
                    if r.question_coverage >= q
                    and r.demand_coverage >= d
                    and r.covered_weight >= w
                    and r.missing_weight < x
                ]
                shown[message_id] = max(ok)[1] if ok else None
            m = measure(shown, [x for x in demands if x[2] == "tune"], "tune")
            print(
                f"| {q} | {d} | {w} | {x} | {m['shown']} | {m['precision']:.1%} | {m['wrong_share']:.1%} | "
                f"{m['recall']:.1%} |"
            )
        print()

    print(
        f"thresholds: question coverage ≥ {rel.MIN_QUESTION_COVERAGE}, demand coverage ≥ "
        f"{rel.MIN_DEMAND_COVERAGE}, covered weight ≥ {rel.MIN_COVERED_WEIGHT}, heaviest missing word < "
        f"{rel.MAX_MISSING_WEIGHT}; "
        f"{len(entry_ids)} entries, {len(demands)} demands"
    )
    print("| split, code | demands | shown | precision of shown | wrong shown | right shown (recall) |")
    print("|---|---|---|---|---|---|")
    for split in ("tune",) if grid else ("tune", "holdout"):  # holdout last, and never while tuning
        print(line(f"{split}, before", measure(before, demands, split)))
        print(line(f"{split}, after", measure(after, demands, split)))
    seconds.sort()
    print(
        f"\nanswers_for per demand: median {seconds[len(seconds) // 2] * 1000:.1f} ms, "
        f"max {seconds[-1] * 1000:.1f} ms (SQLite, {len(entry_ids)} entries)"
    )


def main() -> None:
    if not DATA.exists():
        print(f"knowledge: {DATA} not found; skipped")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(grid="--grid" in sys.argv)
        return
    with tempfile.TemporaryDirectory(prefix="minyi-bench-knowledge-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["MINYI_DATA_DIR"] = tmp
        result = subprocess.run(
            [sys.executable, __file__, "child", *sys.argv[1:]], env=env, cwd=ROOT, check=False
        )
        if result.returncode:
            sys.exit(result.returncode)


if __name__ == "__main__":
    main()
