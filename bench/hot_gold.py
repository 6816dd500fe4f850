"""Hot issues against a hand-labelled gold set (issue 16): B-cubed and the largest gold issues.

`.venv/bin/python bench/hot_gold.py [--split tune|holdout|all] [--show N]`

The gold set (bench/gold/same_issue.csv: message id → group id, singletons `s<id>`) says which of the
1,094 messages of city A in ../shared/data/tipdm2020/messages_with_replies.csv raise the same concrete
problem at the same place (or the same single matter); bench/gold/README.md says how it was labelled.
Only ids are in the repository; the texts are read from ../shared/data.

The set is split by group (a seeded hash of the group id: 60 % tune, 40 % holdout) so that a group is
never cut in two; `mine` runs on each split's messages alone, as it would on a district's month.
Reported for a split:

- B-cubed precision, recall and F1 over all its messages, against every cluster the method finds
  (`hotspots.clusters`: one person's reposts are a cluster too, though no hot issue);
- the same over the messages of gold groups of two or more only (singletons dominate the first);
- the ten largest gold groups by distinct people (two or more): how many are one cluster in the top
  ten (the issue holding most of the group ranks in the top ten, holds at least half of it, and at
  least 70 % of that issue is the group), and the purity of the top ten issues.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minyi.analysis import hotspots  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"
GOLDS = {
    "a": ROOT / "bench" / "gold" / "same_issue.csv",  # city A: development (tune / first holdout)
    "b": ROOT / "bench" / "gold" / "same_issue_b.csv",  # cities B, C, K, L: the untouched holdout
}
HOLDOUT_SHARE = 40  # percent of groups


def split_of(group: str) -> str:
    digest = hashlib.sha256(f"minyi-hot-gold:{group}".encode()).digest()
    return "holdout" if digest[0] * 100 // 256 < HOLDOUT_SHARE else "tune"


def load(which: str = "a") -> tuple[list[hotspots.Message], dict[str, str]]:
    gold = {}
    with GOLDS[which].open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            gold[row["message_id"]] = row["group_id"]
    messages = []
    with SOURCE.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["id"] in gold and row["created_at"]:
                messages.append(
                    hotspots.Message(
                        row["id"],
                        row["title"],
                        row["detail"],
                        dt.datetime.fromisoformat(row["created_at"]),
                        row["user"],
                    )
                )
    missing = set(gold) - {m.id for m in messages}
    if missing:
        print(f"note: {len(missing)} gold ids without a dated message: {sorted(missing)[:5]}")
    return messages, gold


def bcubed(pred: dict[str, str], gold: dict[str, str], ids: list[str]) -> tuple[float, float, float]:
    by_pred, by_gold = defaultdict(set), defaultdict(set)
    for i in pred:
        by_pred[pred[i]].add(i)
        by_gold[gold[i]].add(i)
    p = r = 0.0
    for i in ids:
        same = by_pred[pred[i]] & by_gold[gold[i]]
        p += len(same) / len(by_pred[pred[i]])
        r += len(same) / len(by_gold[gold[i]])
    p, r = p / len(ids), r / len(ids)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def evaluate(messages: list[hotspots.Message], gold: dict[str, str], show: int = 0) -> dict:
    issues = hotspots.mine(messages, workers=1)
    pred = {m.id: f"alone:{m.id}" for m in messages}
    # (before issue 16 the method had no `clusters`: then what the list shows is all there is)
    for n, members in enumerate(getattr(hotspots, "clusters", lambda *a, **k: [])(messages, workers=1)):
        for i in members:
            pred[i] = f"cluster:{n}"
    rank_of = {}
    for rank, issue in enumerate(issues, 1):
        for i in issue.message_ids:
            pred[i] = f"issue:{rank}"
        rank_of[f"issue:{rank}"] = rank
    ids = [m.id for m in messages]
    sizes = Counter(gold[i] for i in ids)
    people = defaultdict(set)
    for m in messages:
        people[gold[m.id]].add(m.user)
    grouped = [i for i in ids if sizes[gold[i]] > 1]
    first = {}
    for m in sorted(messages, key=lambda m: (m.created_at, m.id)):
        first.setdefault(gold[m.id], m.created_at)
    # The largest gold issues by people, as heat counts them: one person's reposts are no hot issue.
    hot = [g for g in sizes if len(people[g]) > 1]
    largest = sorted(hot, key=lambda g: (-len(people[g]), -sizes[g], first[g], g))[:10]
    members_of = defaultdict(set)
    for i in ids:
        members_of[pred[i]].add(i)
    whole = []
    for g in largest:
        inside = Counter(pred[i] for i in ids if gold[i] == g)
        ok = False
        if inside:
            cluster, hits = inside.most_common(1)[0]
            ok = (
                rank_of.get(cluster, 99) <= 10
                and hits * 2 >= sizes[g]
                and hits / len(members_of[cluster]) >= 0.7
            )
        whole.append(ok)
    purity = []
    for issue in issues[:10]:
        top = Counter(gold[i] for i in issue.message_ids).most_common(1)[0][1]
        purity.append(top / len(issue.message_ids))
    if show:
        for rank, issue in enumerate(issues[:show], 1):
            groups = Counter(gold[i] for i in issue.message_ids)
            print(f"  {rank:2}. {issue.title[:36]} n={issue.count} heat={issue.heat} gold={dict(groups)}")
        for g, ok in zip(largest, whole, strict=True):
            where = Counter(pred[i] for i in ids if gold[i] == g)
            print(f"  gold {g} size {sizes[g]}: {'ok' if ok else 'MISSED'} {dict(where)}")
    return {
        "messages": len(ids),
        "groups": sum(1 for g in sizes if sizes[g] > 1),
        "issues": len(issues),
        "bcubed": bcubed(pred, gold, ids),
        "bcubed_grouped": bcubed({i: pred[i] for i in ids}, gold, grouped) if grouped else (0, 0, 0),
        "largest_whole": sum(whole),
        "largest": len(largest),
        "top10_purity": sum(purity) / len(purity) if purity else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", choices=[*sorted(GOLDS), "both"], default="both")
    parser.add_argument("--split", choices=("tune", "holdout", "all"), default="all", help="of gold a")
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    for which in sorted(GOLDS) if args.gold == "both" else [args.gold]:
        split = args.split if which == "a" else "all"
        messages, gold = load(which)
        chosen = [m for m in messages if split == "all" or split_of(gold[m.id]) == split]
        result = evaluate(chosen, gold, args.show)
        p, r, f = result["bcubed"]
        gp, gr, gf = result["bcubed_grouped"]
        print(
            f"hot issues vs gold {which} ({split}): {result['messages']} messages, {result['groups']} gold "
            f"groups, {result['issues']} issues; B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}; on grouped messages "
            f"P {gp:.3f} R {gr:.3f} F1 {gf:.3f}; largest gold issues whole in top 10: "
            f"{result['largest_whole']}/{result['largest']}; top-10 purity {result['top10_purity']:.2f}"
        )


if __name__ == "__main__":
    main()
