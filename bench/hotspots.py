"""Benchmark of hot-issue mining (minyi/analysis/hotspots.py): 10,000 and 100,000 messages.

`.venv/bin/python bench/hotspots.py [SIZE ...]` (default: 10000 100000). The messages are resampled
from the real ones in ../shared/data (never copied into the repository): each copy gets its own id,
requester and time, and its text is lightly perturbed (a character dropped, a number changed) so that
no two copies are the same string and nothing can be cached across them. Prints the seconds for each
size and the ratio, which should stay near the ratio of the sizes (linear time).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minyi.analysis import hotspots, text  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"
SEED = 20260101
NUMBER = re.compile(r"\d+")


def originals() -> list[dict[str, str]]:
    with SOURCE.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["created_at"]]


def perturb(value: str, rng: random.Random) -> str:
    """Drop one character and change one number: what two people writing the same thing differ by."""
    if len(value) > 10:
        cut = rng.randrange(len(value))
        value = value[:cut] + value[cut + 1 :]
    return NUMBER.sub(lambda m: str(int(m.group()) + rng.randrange(3)), value, count=1)


def resample(rows: list[dict[str, str]], size: int) -> list[hotspots.Message]:
    rng = random.Random(SEED)
    out = []
    for n in range(size):
        row = rows[n % len(rows)]
        copy = n // len(rows)
        created = dt.datetime.fromisoformat(row["created_at"]) + dt.timedelta(
            days=rng.randrange(-400, 400), minutes=rng.randrange(1440)
        )
        out.append(
            hotspots.Message(
                id=f"{row['id']}-{copy}",
                title=perturb(row["title"], rng),
                detail=perturb(row["detail"], rng),
                created_at=created,
                # A tenth of the copies keep the requester of an earlier copy: real boards have repeats.
                user=f"{row['user']}-{copy if rng.random() > 0.1 else max(copy - 1, 0)}",
                supports=rng.choice((0, 0, 0, 1, 2, 5, 40)),
                opposes=rng.choice((0, 0, 0, 0, 1)),
            )
        )
    return out


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the segmenting workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(messages: list[hotspots.Message]) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds of one run. On a shared machine the wall clock also counts the time
    other programs hold the cores; the CPU time shows what the method itself costs."""
    start, cpu = time.perf_counter(), cpu_seconds()
    issues = hotspots.mine(messages, top=None)
    return time.perf_counter() - start, cpu_seconds() - cpu, len(issues)


def main(sizes: list[int]) -> None:
    if not SOURCE.is_file():
        sys.exit(f"The real messages are not at {SOURCE}.")
    rows = originals()
    text.words("")  # jieba's dictionary and tags load once per process (~2.5 s): not part of a run
    text.word_tag("")
    figures = []
    for size in sizes:
        messages = resample(rows, size)
        seconds, cpu, issues = measure(messages)
        figures.append((size, seconds))
        print(
            f"{size:>7,} messages: {seconds:6.1f} s wall, {cpu:6.1f} s CPU, {issues:,} issues, "
            f"{seconds / size * 1e3:.2f} ms each "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
    for (small, t_small), (large, t_large) in itertools.pairwise(figures):
        print(f"ratio {large:,} / {small:,}: time ×{t_large / t_small:.1f} for size ×{large / small:.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
