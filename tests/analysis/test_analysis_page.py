"""The analysis page (民意分析): who sees it, the hot issues with their cases, the alerts' actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from minyi.analysis.models import HotIssue, SurgeAlert
from minyi.cases.services import case_create
from tests.analysis.helpers import heating_alert


@pytest.fixture
def found(world, clock):
    case = case_create(
        actor=world.operator,
        channel="hotline",
        demand_type="complaint",
        title="幸福小区旁搅拌站噪音",
        description="夜里搅拌站噪音扰民",
        requester_name="居民",
        requester_phone="13900000001",
    )
    now = clock.set("2026-11-25 09:00")
    issue = HotIssue.objects.create(
        computed_on=dt.date(2026, 11, 24),
        since=dt.date(2026, 10, 26),
        until=dt.date(2026, 11, 24),
        rank=1,
        title="幸福小区旁搅拌站夜间噪音扰民",
        keywords=["搅拌站", "噪音"],
        places=["幸福小区"],
        count=1,
        people=1,
        heat=2.0,
        start=now,
        end=now,
        case_ids=[case.pk],
    )
    alert = heating_alert(world, now)
    return case, issue, alert


@pytest.mark.parametrize("persona", ["heating_handler", "grid_worker", "integration"])
def test_units_do_not_see_the_analysis_page(client, world, found, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("console:analysis")).status_code == 403


def test_the_page_lists_hot_issues_and_alerts_with_actions_for_the_dispatcher(client, world, found):
    case, issue, alert = found
    client.force_login(world.dispatcher)
    page = client.get(reverse("console:analysis")).content.decode()
    assert f'data-hot="{issue.pk}"' in page and f'data-alert="{alert.pk}"' in page
    assert reverse("console:alert_action", args=[alert.pk, "escalate"]) in page
    cases = client.get(reverse("console:hot_issue", args=[issue.pk])).content.decode()
    assert case.tracking_number in cases


def test_a_leader_sees_but_does_not_act(client, world, found):
    _case, _issue, alert = found
    client.force_login(world.leader)
    page = client.get(reverse("console:analysis")).content.decode()
    assert f'data-alert="{alert.pk}"' in page and "alert_action" not in page
    assert reverse("console:alert_action", args=[alert.pk, "dismiss"]) not in page
    response = client.post(reverse("console:alert_action", args=[alert.pk, "dismiss"]), {"note": "x"})
    assert response.status_code == 403


def test_dismissing_needs_a_reason_and_escalating_makes_a_case(client, world, found):
    _case, _issue, alert = found
    client.force_login(world.supervisor)
    client.post(reverse("console:alert_action", args=[alert.pk, "dismiss"]), {"note": ""})
    assert SurgeAlert.objects.get(pk=alert.pk).status == "open"
    client.post(reverse("console:alert_action", args=[alert.pk, "escalate"]))
    assert SurgeAlert.objects.get(pk=alert.pk).status == "open"  # only a dispatcher makes cases
    client.force_login(world.dispatcher)
    response = client.post(reverse("console:alert_action", args=[alert.pk, "escalate"]), {"note": "请排查"})
    alert.refresh_from_db()
    assert alert.status == "escalated" and response.url == reverse("console:case", args=[alert.case_id])
