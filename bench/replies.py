"""Reply quality on the real TipDM 2020 replies: `.venv/bin/python bench/replies.py [path/to/csv]`.

Scores every reply of messages_with_replies.csv (read from ../shared/data, never copied into the
project) with `minyi.analysis.replies.assess_reply` and prints, as Markdown for
docs/analysis/replies.md: the score in bands, how often each part is present and each warning fires,
working days to reply, relevance of true pairs against shuffled pairs (with the built-in IDF and with a
table learnt from the file), and the time per reply.
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minyi.analysis.replies import (  # noqa: E402 (the path above makes the package importable)
    WARNING_MESSAGES,
    ReplyAssessment,
    assess_reply,
    builtin_weights,
    document_frequencies,
)

DATA = ROOT.parent / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the file's times are local without a zone
BANDS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))
SHUFFLE_SEED = 2020


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def demand_of(row: dict[str, str]) -> str:
    return f"{row['title']}\n{row['detail']}"


def local(text: str) -> datetime | None:
    """A time of the file in Beijing time; None for the two rows where one is missing."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI) if text else None


def share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f} %"


def quartiles(values: list[float]) -> str:
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return f"{q1:.2f} / {q2:.2f} / {q3:.2f}"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    rows = load(path)
    n = len(rows)
    # jieba's dictionary and the built-in IDF load once per process (about 1 s): not a reply's time.
    builtin_weights()
    assess_reply(demand="垃圾清运", reply="您好")

    results: list[ReplyAssessment] = []
    times_ms: list[float] = []
    for row in rows:
        began = time.perf_counter()
        results.append(
            assess_reply(
                demand=demand_of(row),
                reply=row["reply"],
                received_at=local(row["created_at"]),
                replied_at=local(row["replied_at"]),
            )
        )
        times_ms.append((time.perf_counter() - began) * 1000)

    print(f"# Reply quality on {path.name}: {n} replies\n")
    p95 = statistics.quantiles(times_ms, n=20)[-1]
    print(
        f"Time per reply: mean {statistics.mean(times_ms):.2f} ms, 95th percentile {p95:.2f} ms, "
        f"slowest {max(times_ms):.1f} ms.\n"
    )
    print_bands(results)
    print_parts(results)
    print_warnings(results)
    print_timeliness(results)
    print_relevance(rows, results)


def print_bands(results: list[ReplyAssessment]) -> None:
    n = len(results)
    print("| score | replies | share |\n|---|---|---|")
    for low, high in BANDS:
        count = sum(low <= r.score <= high for r in results)
        print(f"| {low}–{high} | {count} | {share(count, n)} |")
    print(f"\nMedian score {statistics.median(r.score for r in results):.0f}.\n")


def print_parts(results: list[ReplyAssessment]) -> None:
    n = len(results)
    parts = {
        "addresses the requester": sum(r.completeness.addressed for r in results),
        "answers (substance)": sum(r.completeness.answered for r in results),
        "states a basis (cited or vague)": sum(r.completeness.based for r in results),
        "cites a law, policy or document": sum(bool(r.basis.citations) for r in results),
        "says what happens next": sum(r.completeness.next_step is not None for r in results),
        "says the matter is resolved": sum(r.completeness.resolved is not None for r in results),
        "gives a contact": sum(r.completeness.contact is not None for r in results),
        "follows up (next step, resolved or contact)": sum(r.completeness.follows_up for r in results),
    }
    print("| part | replies | share |\n|---|---|---|")
    for name, count in parts.items():
        print(f"| {name} | {count} | {share(count, n)} |")
    print()


def print_warnings(results: list[ReplyAssessment]) -> None:
    n = len(results)
    counts = Counter(code for r in results for code in r.warning_codes)
    print("| warning | replies | share |\n|---|---|---|")
    for code in WARNING_MESSAGES:
        print(f"| `{code}` | {counts[code]} | {share(counts[code], n)} |")
    none = sum(not r.warnings for r in results)
    print(f"| (no warning) | {none} | {share(none, n)} |\n")


def print_timeliness(results: list[ReplyAssessment]) -> None:
    days = [r.timeliness.working_days for r in results if r.timeliness.working_days is not None]
    on_time = sum(bool(r.timeliness.within_deadline) for r in results)
    print(
        f"Working days to reply ({len(days)} replies with both times): median "
        f"{statistics.median(days):.1f}, quartiles {quartiles(days)}; within the default limit of "
        f"15 working days: {share(on_time, len(days))}.\n"
    )


def print_relevance(rows: list[dict[str, str]], results: list[ReplyAssessment]) -> None:
    """True pairs against the same replies given to a random other demand."""
    order = list(range(len(rows)))
    random.Random(SHUFFLE_SEED).shuffle(order)
    district = document_frequencies(demand_of(row) for row in rows)
    print("| relevance (mean coverage of the demand's key terms) | true pairs | shuffled pairs |")
    print("|---|---|---|")
    for label, weights in (("built-in IDF (jieba)", None), ("IDF learnt from the file's demands", district)):
        true = [
            assess_reply(demand=demand_of(row), reply=row["reply"], frequencies=weights).relevance
            for row in rows
        ]
        shuffled = [
            assess_reply(demand=demand_of(rows[i]), reply=rows[j]["reply"], frequencies=weights).relevance
            for i, j in zip(range(len(rows)), order, strict=True)
        ]
        t = statistics.mean(r.coverage for r in true)
        s = statistics.mean(r.coverage for r in shuffled)
        print(f"| {label} | {t:.3f} | {s:.3f} |")
    substantive = [r for r in results if not r.boilerplate]
    print(
        f"\nNot boilerplate: {len(substantive)} replies; their relevance score quartiles "
        f"{quartiles([r.relevance.score or 0.0 for r in substantive])}."
    )


if __name__ == "__main__":
    main()
