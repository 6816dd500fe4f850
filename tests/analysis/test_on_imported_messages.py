"""The analysis on a district's loaded history: the 2,816 real TipDM 2020 messages imported as archived
cases (read from ../shared/data, never copied) are indexed, mined for hot issues, matched as repeats
and their replies judged."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count

from minyi.analysis import hot
from minyi.analysis.models import CaseKeyword
from minyi.analysis.reply_review import review_reply
from minyi.analysis.similar import similar_to_case
from minyi.cases.models import Case

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"
pytestmark = pytest.mark.skipif(not DATA.is_file(), reason=f"the TipDM 2020 data set is not at {DATA}")


@pytest.fixture
def imported(world, clock):
    call_command(
        "import", "cases", str(DATA), mapping="tipdm2020", stdout=io.StringIO(), stderr=io.StringIO()
    )
    return Case.objects.all()


def test_history_is_indexed_mined_matched_and_judged(imported, world, clock):
    assert CaseKeyword.objects.values("case").distinct().count() == 2816
    issues = hot.mine_cases(since=dt.date(2019, 1, 1), until=dt.date(2019, 12, 31), top=10)
    assert issues and all(i.people >= 2 and i.places for i in issues)
    assert all(Case.objects.filter(pk__in=[int(x) for x in i.message_ids]).count() == i.count for i in issues)

    # A message posted twice (the same title, a few days apart) finds its twin first.
    twin_title = (
        imported.values("title")
        .annotate(n=Count("pk"))
        .filter(n=2)
        .order_by("title")
        .values_list("title", flat=True)
    )[0]
    first, second = imported.filter(title=twin_title).order_by("received_at")
    clock.set(second.received_at + dt.timedelta(days=1))
    found = similar_to_case(world.dispatcher, second)
    assert found and found[0].case == first and found[0].score > 0.8

    review = review_reply(first)
    assert review is not None and 0 <= review.score <= 100 and review.timeliness.working_days is not None
