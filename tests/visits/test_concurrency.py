"""Two sendings at the same moment, on real concurrent connections (PostgreSQL): a visit form sent
twice records one visit, and two administrators assigning overlapping places of one campaign in
two tabs cannot both succeed."""

from __future__ import annotations

import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from minyi.cases.models import Case
from minyi.visits.models import Assignment, Team, Visit
from minyi.visits.services import visit_record
from tests.cases.test_concurrency import race
from tests.visits.helpers import START, build_campaign
from tests.world import person

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def tx_setup(tx_world, clock):
    from minyi.org.roles import Role

    west = person("visit-west", "韩书记", None, Role.VISIT_SECRETARY, area=tx_world.west)
    return build_campaign(tx_world, west)


def test_a_form_sent_twice_at_once_records_one_visit_and_one_case(tx_world, tx_setup):
    token = uuid.uuid4()

    def send():
        return visit_record(
            actor=tx_world.visit_secretary,
            campaign=tx_setup.campaign,
            area=tx_world.east_grid,
            address="幸福小区3号楼2单元501",
            visited_on=START,
            people_met="户主张大爷",
            problems=["楼道灯坏了"],
            token=token,
        )

    results = race(send, send)
    assert all(isinstance(r, Visit) for r in results), results
    assert results[0].pk == results[1].pk
    assert Visit.objects.count() == 1 and Case.objects.count() == 1


def test_overlapping_assignments_saved_in_two_admin_tabs_at_once_one_is_refused(
    tx_world, tx_setup, monkeypatch
):
    """Tab 1 assigns 东城二网格 to the west team, tab 2 assigns 东城社区 (which holds it) to a new
    team. Each checks against the stored assignments; without the campaign's lock both would pass
    while the other is still saving. The check is slowed down so that the two always overlap."""
    tx_setup.east_assignment.delete()
    real_clean = Assignment.clean

    def slow_clean(self):
        real_clean(self)
        time.sleep(0.5)

    monkeypatch.setattr(Assignment, "clean", slow_clean)
    east_team = Team.objects.create(campaign=tx_setup.campaign, name="东城第三组")

    def rows(area) -> dict:
        return {
            "assignments-TOTAL_FORMS": "1",
            "assignments-INITIAL_FORMS": "0",
            "assignments-MIN_NUM_FORMS": "0",
            "assignments-MAX_NUM_FORMS": "1000",
            "assignments-0-area": area.pk,
            "assignments-0-households": "",
        }

    def tab(team, area, members):
        client = Client()
        client.force_login(tx_world.admin)
        data = {"name": team.name, "unit": "", "members": members, **rows(area)}
        answer = client.post(reverse("admin:visits_team_change", args=[team.pk]), data)
        return answer.status_code

    west_members = [m.pk for m in tx_setup.west_team.members.all()]
    data_west = {
        "name": tx_setup.west_team.name,
        "unit": "",
        "members": west_members,
        "assignments-TOTAL_FORMS": "2",
        "assignments-INITIAL_FORMS": "1",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-id": tx_setup.west_assignment.pk,
        "assignments-0-area": tx_world.west_grid.pk,
        "assignments-0-households": "",
        "assignments-1-area": tx_world.east_grid2.pk,
        "assignments-1-households": "",
    }

    def west_tab():
        client = Client()
        client.force_login(tx_world.admin)
        url = reverse("admin:visits_team_change", args=[tx_setup.west_team.pk])
        return client.post(url, data_west).status_code

    results = race(west_tab, lambda: tab(east_team, tx_world.east_community, []))
    assert sorted(results) == [200, 302], results  # one saved, one shown again with the overlap
    areas = set(Assignment.objects.values_list("area_id", flat=True))
    assert not {tx_world.east_grid2.pk, tx_world.east_community.pk} <= areas
