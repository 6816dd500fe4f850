"""The demo's analysis: the category suggestion learned from the demo's own handled cases, as the
dispatcher meets it on the story's heating calls (issue 16)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from django.urls import reverse

from minyi.analysis import suggestions
from minyi.cases.models import Case
from minyi.core import clock
from minyi.demo import analysis
from minyi.org.models import User
from tests.demo.district.conftest import NOW

pytestmark = pytest.mark.usefixtures("demo", "db")


@pytest.fixture
def demo_model(settings, tmp_path):
    """A classifier trained from the demo's handled cases, as `minyi demo` trains it (the small demo
    of the tests has fewer cases than the product's minimum), rolled back afterwards."""
    settings.DATA_DIR = tmp_path
    settings.MINYI_CLASSIFIER_MIN_CASES = 40
    settings.MINYI_CLASSIFIER_MIN_PER_CATEGORY = 5
    settings.MINYI_CLASSIFIER_RECHECK_SECONDS = 0
    suggestions._cache.forget()
    with transaction.atomic():
        yield suggestions.classifier_train_from_db()
        transaction.set_rollback(True)
    suggestions._cache.forget()


def test_the_dispatcher_is_shown_no_wrong_category_on_the_storys_heating_calls(client, demo_model):
    yesterday = clock.local(NOW).date() - dt.timedelta(days=1)
    calls = [
        case
        for case in Case.objects.filter(channel="hotline", category__code="010101")
        if clock.local(case.received_at).date() == yesterday
        and any(case.title.endswith(title.split("}")[-1]) for title in analysis.TITLES)
    ]
    assert len(calls) >= analysis.BURST_CALLS
    client.force_login(User.objects.get(username="dispatcher"))
    offered = []
    for case in calls:
        html = client.get(reverse("console:case", args=[case.pk])).content.decode()
        assert 'data-testid="category-suggestion' in html  # the suggestion is on for the dispatcher …
        offered += re.findall(r'data-fill-value="(\w+)"', html)
        # … and never offers a category it gives no chance ("0 %" buttons beside the first)
        assert not re.search(r">0 %<", html)
    # What is offered for a call about cold radiators is 供热不足 or a category above it; or nothing.
    assert all("010101".startswith(code) for code in offered), offered
