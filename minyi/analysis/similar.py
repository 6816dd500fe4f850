"""Similar and repeat cases (相似/重复工单): the open and recent cases that are probably the same problem.

A case's keywords (analysis/keyword_index.py) are its entries in an inverted index. To find the
cases like a demand, take its keywords, read for each the most recent postings within the window
(MINYI_SIMILAR_DAYS) through the (term, received_at) index — at most PER_TERM rows per word, so the
cost does not grow with the number of cases stored — and rank the cases that share words by the
cosine of their keyword weights. The same place (grid, community, street) and the same requester
(for a registered case, where the user may see that link: access.personal_data) add to the score:
the same words in the same grid are more likely the same problem. Only cases the user may see are
returned (access.cases.cases_visible_to).

The dispatcher can merge a repeat into its master from the list (the workflow's `merge`): the
offer is made only where access.cases.may_merge_into allows that merge (a master the workflow
accepts: not withdrawn, rejected, merged or archived). The repeat flag stored at registration
(疑似重复件) is analysis/repeats.py and analysis/repeat_flags.py.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from minyi.access import cases as access
from minyi.access.personal_data import same_requester_cases
from minyi.analysis.keyword_index import case_keywords
from minyi.analysis.models import CaseKeyword
from minyi.cases.models import Case
from minyi.core import clock
from minyi.org.models import Area

PER_TERM = 400  # most recent postings read per keyword
CANDIDATES = 40  # cases whose full keyword vector is read to score them, per round
ROUNDS = 5  # rounds of candidates at most, while too few are visible to the user
MIN_SHARED = 2  # one shared word is a coincidence
# The bonus of the same place, from the narrowest to the widest (depth in the area tree).
PLACE_BONUS = {"grid": 0.15, "community": 0.10, "street": 0.05}
SAME_REQUESTER_BONUS = 0.10


@dataclass(frozen=True)
class SimilarCase:
    case: Case
    score: float  # cosine of the keywords (0–1) plus the place and requester bonuses
    shared: tuple[str, ...]  # the keywords both share, heaviest first
    same_place: str  # "grid", "community", "street" or ""
    same_requester: bool
    may_merge_into: bool = False  # the user may merge the case shown (`of_case`) into this one now
    similarity: float = 0.0  # the cosine alone (0–1), what the page shows: the score adds bonuses


def similar_cases(
    user,
    *,
    title: str,
    description: str,
    area: Area | None = None,
    same_requester: Collection[int] = (),
    of_case: Case | None = None,
    keywords: dict[str, float] | None = None,
    limit: int = 8,
) -> list[SimilarCase]:
    """The cases most like this demand (or like `of_case`, itself left out), best first, that the
    user may see linked to it (access.cases.linkable_from). `keywords`: the demand's keywords when
    they are known already (a registered case's, from the index)."""
    exclude = of_case.pk if of_case is not None else None
    query = keywords or dict(case_keywords(title, description))
    if len(query) < MIN_SHARED:
        return []
    since = clock.now() - dt.timedelta(days=settings.MINYI_SIMILAR_DAYS)
    dot: dict[int, float] = defaultdict(float)
    shared: dict[int, list[str]] = defaultdict(list)
    for case_id, term, other in _postings(list(query), since):
        if case_id != exclude:
            dot[case_id] += query[term] * other
            shared[case_id].append(term)
    ranked = sorted((c for c in dot if len(shared[c]) >= MIN_SHARED), key=lambda c: -dot[c])
    query_norm = math.sqrt(sum(w * w for w in query.values()))
    found = []
    # The best candidates by the index, CANDIDATES at a time, until enough of them are ones the user
    # may see linked to this demand (a unit sees few of the district's cases; a master's own merged
    # repeats are not "similar cases" of it).
    for first in range(0, min(len(ranked), CANDIDATES * ROUNDS), CANDIDATES):
        chunk = ranked[first : first + CANDIDATES]
        cases = access.cases_visible_to(user).filter(pk__in=chunk)
        if of_case is not None:
            cases = cases.exclude(master=of_case)
        cases = access.linkable_from(user, of_case, cases.select_related("area", "category", "lead_unit"))
        norms = _norms(chunk)
        for case in cases:
            cosine = dot[case.pk] / (query_norm * norms[case.pk])
            if cosine < settings.MINYI_SIMILAR_MIN_SCORE:
                continue
            place = _same_place(area, case.area)
            same = case.pk in same_requester
            score = cosine + PLACE_BONUS.get(place, 0.0) + (SAME_REQUESTER_BONUS if same else 0.0)
            words = tuple(sorted(shared[case.pk], key=lambda t: -query[t]))
            offer = of_case is not None and access.may_merge_into(user, of_case, case)
            found.append(SimilarCase(case, round(score, 3), words, place, same, offer, round(cosine, 3)))
        if len(found) >= limit:
            break
    found.sort(key=lambda s: (-s.score, -s.case.received_at.timestamp()))
    return found[:limit]


def similar_to_case(user, case: Case, *, limit: int = 8) -> list[SimilarCase]:
    """The cases like a registered case (itself and the repeats already merged into it left out);
    its keywords are read from the index written with it, not segmented again on each view."""
    return similar_cases(
        user,
        title=case.title,
        description=case.description,
        area=case.area,
        # "same requester" only where the user may see the link (personal_data.same_requester_cases)
        same_requester=frozenset(same_requester_cases(user, case).values_list("pk", flat=True)[:200]),
        of_case=case,
        keywords=dict(CaseKeyword.objects.filter(case=case).values_list("term", "weight")),
        limit=limit,
    )


def _postings(terms: list[str], since: dt.datetime) -> list[tuple[int, str, float]]:
    """(case, term, weight) of the most recent PER_TERM postings of each term since `since`, in one
    round trip: each term's rows are one range of the covering index (term, -received_at, case,
    weight), read newest first and cut at PER_TERM — PostgreSQL by a LATERAL join over the terms,
    SQLite by a UNION ALL of one limited sub-select per term."""
    table = CaseKeyword._meta.db_table
    moment = connection.ops.adapt_datetimefield_value(since)  # as the ORM would store it
    newest = "ORDER BY received_at DESC LIMIT %s"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT k.case_id, k.term, k.weight FROM unnest(%s::text[]) AS t(term) CROSS JOIN LATERAL "
                f"(SELECT case_id, term, weight FROM {table} WHERE term = t.term AND received_at >= %s "
                f"{newest}) AS k",
                [terms, moment, PER_TERM],
            )
        else:
            one = f"SELECT case_id, term, weight FROM {table} WHERE term = %s AND received_at >= %s {newest}"
            cursor.execute(
                " UNION ALL ".join(f"SELECT * FROM ({one})" for _term in terms),
                [value for term in terms for value in (term, moment, PER_TERM)],
            )
        return cursor.fetchall()


def _norms(case_ids: list[int]) -> dict[int, float]:
    squares: dict[int, float] = defaultdict(float)
    for case_id, weight in CaseKeyword.objects.filter(case_id__in=case_ids).values_list("case_id", "weight"):
        squares[case_id] += weight * weight
    return {case_id: math.sqrt(value) or 1.0 for case_id, value in squares.items()}


def _same_place(a: Area | None, b: Area | None) -> str:
    """The narrowest level at which two places coincide ("grid", "community", "street" or "")."""
    if a is None or b is None:
        return ""
    ids_a, ids_b = a.ancestor_ids(), b.ancestor_ids()
    # path = district/street/community/grid: compare from the deepest level both have.
    for depth, name in ((4, "grid"), (3, "community"), (2, "street")):
        if len(ids_a) >= depth and len(ids_b) >= depth and ids_a[:depth] == ids_b[:depth]:
            return name
    return ""
