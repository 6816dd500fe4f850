"""Rating the reply (满意度评价): offered after the reply to the browser that proved the case, once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from minyi.cases.models import Case, CaseEvent
from tests.cases.helpers import do, new_case
from tests.portal.helpers import case_page, prove, replied_case


def rate(client, case, stars):
    return client.post(reverse("portal:rate", args=[case.tracking_number]), {"stars": stars})


def test_no_rating_before_the_reply(client, world):
    case = new_case(world.operator)
    prove(client, case)

    page = case_page(client, case).content.decode()

    assert 'data-testid="rate-form"' not in page
    response = rate(client, case, 5)
    assert response.status_code == 400
    assert "is not possible" in response.content.decode()
    assert Case.objects.get(pk=case.pk).citizen_rating is None


def test_after_the_reply_the_citizen_rates_once_and_then_sees_the_stars(client, world, clock):
    case = replied_case(world)
    prove(client, case)
    assert 'data-testid="rate-form"' in case_page(client, case).content.decode()

    response = rate(client, case, 4)

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.citizen_rating, case.citizen_rated_at) == (4, clock.set("2026-11-25 09:00"))
    event = CaseEvent.objects.get(case=case, operation="rate")
    assert (event.actor, event.data) == (None, {"stars": 4})
    page = client.get(response["Location"]).content.decode()
    assert "Thank you: your rating has been recorded." in page
    assert "★★★★☆" in page and "4 stars out of 5" in page
    assert 'data-testid="rate-form"' not in page


def test_a_second_rating_is_refused_and_changes_nothing(client, world):
    case = replied_case(world)
    prove(client, case)
    rate(client, case, 2)

    response = rate(client, case, 5)

    assert response.status_code == 400
    assert "This reply has been rated already; thank you." in response.content.decode()
    assert Case.objects.get(pk=case.pk).citizen_rating == 2
    assert CaseEvent.objects.filter(case=case, operation="rate").count() == 1


def test_rating_stays_possible_after_the_callback_and_the_archive(client, world):
    case = replied_case(world)
    do(case, "callback", world.callback_agent, satisfaction="satisfied")
    do(case, "archive", world.callback_agent)
    prove(client, case)

    assert rate(client, case, 5).status_code == 302
    assert Case.objects.get(pk=case.pk).citizen_rating == 5


@pytest.mark.parametrize("stars", ["0", "6", "five", ""])
def test_stars_outside_one_to_five_are_refused(client, world, stars):
    case = replied_case(world)
    prove(client, case)

    response = rate(client, case, stars)

    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in response.content.decode()
    assert Case.objects.get(pk=case.pk).citizen_rating is None


def test_a_browser_that_has_not_proven_the_case_cannot_rate_it(client, world):
    case = replied_case(world)

    response = rate(Client(), case, 1)

    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).citizen_rating is None


def test_rating_needs_a_post(client, world):
    case = replied_case(world)
    prove(client, case)

    assert client.get(reverse("portal:rate", args=[case.tracking_number])).status_code == 405
