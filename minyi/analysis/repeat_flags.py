"""The repeat flag at registration (疑似重复件): the database side of analysis/repeats.py.

`case_create` calls `flag_repeat` in the transaction that registers the case, right after the case's
keywords are indexed: the earlier cases sharing its keywords within repeats.WINDOW are read through
the keyword index (the same bounded postings as similar-case search, analysis/similar.py), those
that may be a master by the workflow (`cases.workflow.may_be_master`) are judged by
`repeats.judge`, and the best repeat verdict is stored on the case (`suspected_master`,
`repeat_score`, `repeat_reason`). The dispatch desk's queue "Possible repeats" lists the flagged
cases whose suspected master may still be one (console/desks.py).

The flag is the centre's working aid, like the index itself: it is computed over every case, not a
user's scope, and shown only where the dispatcher works.
"""

from __future__ import annotations

from collections import defaultdict

from minyi.analysis import repeats
from minyi.analysis.models import CaseKeyword
from minyi.analysis.similar import _postings
from minyi.cases.models import Case
from minyi.cases.workflow import MASTER_STATUSES
from minyi.catalog.choices import DemandType

CANDIDATES = 40  # earlier cases judged, the best by the index first


def flag_repeat(case: Case, keywords: dict[str, float] | None = None) -> repeats.Verdict | None:
    """Judge the newly registered `case` against the earlier cases like it and store the best
    probable repeat on it; returns that verdict (None when it repeats nothing)."""
    if case.demand_type == DemandType.PRAISE:
        return None  # thanks are nothing to handle twice, and thank-you letters all read alike
    query = keywords if keywords is not None else dict(repeats.demand_keywords(case.title, case.description))
    if len(query) < repeats.MIN_SHARED:
        return None
    dot: dict[int, float] = defaultdict(float)
    shared: dict[int, int] = defaultdict(int)
    for case_id, term, weight in _postings(list(query), case.received_at - repeats.WINDOW):
        if case_id != case.pk:
            dot[case_id] += query[term] * weight
            shared[case_id] += 1
    ranked = sorted((c for c in dot if shared[c] >= repeats.MIN_SHARED), key=lambda c: -dot[c])[:CANDIDATES]
    if not ranked:
        return None
    vectors: dict[int, dict[str, float]] = defaultdict(dict)
    for case_id, term, weight in _case_terms(ranked):
        vectors[case_id][term] = weight
    best: tuple[repeats.Verdict, Case] | None = None
    candidates = (
        Case.objects.filter(pk__in=ranked, status__in=MASTER_STATUSES, master=None)
        .exclude(demand_type=DemandType.PRAISE)
        .exclude(received_at__gt=case.received_at)
        .select_related("area")
    )
    place = _path(case)
    names = _place_texts(case)
    sites = repeats.sites(case.title, case.address)
    for other in candidates:
        relation = repeats.place_match(place, _path(other), _point(case), _point(other))
        verdict = repeats.judge(
            new=query,
            old=vectors[other.pk],
            place=repeats.refine(relation, sites, repeats.sites(other.title, other.address)),
            apart=case.received_at - other.received_at,
            same_requester=_same_requester(case, other),
            place_names=repeats.place_words(
                *names, *_place_texts(other), addresses=(case.address, other.address)
            ),
        )
        # Of the cases it repeats, one that is no probable repeat itself: the original, not a copy
        # (whose own flag may be wrong); then the closest.
        if verdict.repeat and (best is None or _rank(verdict, other) > _rank(*best)):
            best = (verdict, other)
    if best is None:
        return None
    # Never that case's own suspected master: a flag is a guess, and a chain of guesses ended at a
    # case of another estate.
    verdict, master = best
    reason = verdict.reason() | {"number": master.tracking_number}
    Case.objects.filter(pk=case.pk).update(
        suspected_master=master, repeat_score=round(verdict.score, 3), repeat_reason=reason
    )
    case.suspected_master, case.repeat_score, case.repeat_reason = master, round(verdict.score, 3), reason
    return verdict


def _rank(verdict: repeats.Verdict, case: Case) -> tuple[bool, float]:
    return case.suspected_master_id is None, verdict.score


def _case_terms(case_ids: list[int]):
    return CaseKeyword.objects.filter(case_id__in=case_ids).values_list("case_id", "term", "weight")


def _place_texts(case: Case) -> tuple[str, ...]:
    """Where a demand names its place in words: its title, description and its area's name (the
    address is read apart: its leading name is a site)."""
    return (case.title, case.description, case.area.name if case.area_id else "")


def _path(case: Case) -> list[int] | None:
    return case.area.ancestor_ids() if case.area_id else None


def _point(case: Case) -> tuple[float, float] | None:
    if case.latitude is None or case.longitude is None:
        return None
    return float(case.latitude), float(case.longitude)


def _same_requester(a: Case, b: Case) -> bool:
    if a.requester_phone and a.requester_phone == b.requester_phone:
        return True
    return bool(a.requester_ref) and a.requester_ref == b.requester_ref
