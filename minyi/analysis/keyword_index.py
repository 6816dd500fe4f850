"""The keyword index of cases (CaseKeyword): written with each case, read by similar-case search.

`case_create` and the historic import call `index_cases` in their own transaction, so a case is
findable as soon as it exists and never indexed half; `minyi similar reindex` fills the index for
cases that were written before it existed.
"""

from __future__ import annotations

from collections.abc import Iterable

from minyi.analysis.models import CaseKeyword
from minyi.analysis.repeats import KEYWORDS_PER_DEMAND as KEYWORDS_PER_CASE
from minyi.analysis.repeats import demand_keywords as case_keywords

__all__ = ["KEYWORDS_PER_CASE", "case_keywords", "index_cases"]


def index_cases(cases: Iterable, *, new: bool = False) -> int:
    """(Re)write the keywords of these cases (`new`: just created, nothing to remove first); returns
    the rows written."""
    cases = list(cases)
    if not new:
        CaseKeyword.objects.filter(case_id__in=[c.pk for c in cases]).delete()
    rows = [
        CaseKeyword(case_id=case.pk, term=term, weight=weight, received_at=case.received_at)
        for case in cases
        for term, weight in case_keywords(case.title, case.description)
    ]
    CaseKeyword.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
