"""Protection: rate limits on sending and looking up (a clear 429), and CSRF on every form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from minyi.cases.models import Case
from tests.cases.helpers import do, new_case
from tests.portal.helpers import demand, prove, replied_case, submit


@pytest.fixture
def small_limits(settings):
    settings.MINYI_PORTAL_SUBMISSIONS_PER_HOUR = 2
    settings.MINYI_PORTAL_LOOKUPS_PER_HOUR = 3


def test_sending_more_than_the_limit_gets_a_429_that_says_when_to_try_again(
    client, world, clock, small_limits
):
    clock.set("2026-11-25 09:40")
    assert submit(client, world).status_code == 302
    assert submit(client, world).status_code == 302

    response = submit(client, world)

    assert response.status_code == 429
    assert response["Retry-After"] == str(20 * 60)
    assert "Please try again after 10:00." in response.content.decode()
    assert Case.objects.count() == 2


def test_the_limit_lifts_in_the_next_hour(client, world, clock, small_limits):
    clock.set("2026-11-25 09:40")
    for _ in range(3):
        submit(client, world)
    assert Case.objects.count() == 2

    clock.set("2026-11-25 10:00")

    assert submit(client, world).status_code == 302
    assert Case.objects.count() == 3


def test_the_limit_counts_per_address(client, world, clock, small_limits):
    for _ in range(3):
        submit(client, world)

    response = Client(REMOTE_ADDR="10.0.0.9").post(reverse("portal:submit"), demand(world))

    assert response.status_code == 302


def test_looking_up_more_than_the_limit_gets_a_429_even_with_the_right_pair(
    client, world, clock, small_limits
):
    case = new_case(world.operator)
    for _ in range(3):
        client.post(
            reverse("portal:follow"), {"tracking_number": case.tracking_number, "query_code": "WRONG"}
        )

    response = client.post(
        reverse("portal:follow"), {"tracking_number": case.tracking_number, "query_code": case.query_code}
    )

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert client.get(reverse("portal:case", args=[case.tracking_number])).status_code == 404


def test_reading_the_forms_does_not_count(client, world, clock, small_limits):
    for _ in range(5):
        client.get(reverse("portal:submit"))
        client.get(reverse("portal:follow"))

    assert submit(client, world).status_code == 302


@pytest.fixture
def strict():
    return Client(enforce_csrf_checks=True)


def test_sending_a_demand_without_the_csrf_token_is_refused(strict, world):
    response = strict.post(reverse("portal:submit"), demand(world))

    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_looking_up_without_the_csrf_token_is_refused(strict, world):
    case = new_case(world.operator)

    response = strict.post(
        reverse("portal:follow"), {"tracking_number": case.tracking_number, "query_code": case.query_code}
    )

    assert response.status_code == 403


def test_rating_without_the_csrf_token_is_refused(strict, world):
    case = replied_case(world)
    _prove_with_token(strict, case)

    response = strict.post(reverse("portal:rate", args=[case.tracking_number]), {"stars": 5})

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).citizen_rating is None


def _prove_with_token(client, case):
    """Look the case up as a browser does: read the form (cookie and token), then send it."""
    page = client.get(reverse("portal:follow"))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("portal:follow"),
        {
            "tracking_number": case.tracking_number,
            "query_code": case.query_code,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302


def test_every_portal_form_carries_the_csrf_token(client, world):
    case = replied_case(world)
    do(case, "callback", world.callback_agent, satisfaction="satisfied")
    prove(client, case)
    for url in (
        reverse("portal:submit"),
        reverse("portal:follow"),
        reverse("portal:case", args=[case.tracking_number]),
    ):
        page = client.get(url).content.decode()
        forms = page.count("<form")
        assert forms >= 2  # the page's own form and the language switch
        assert page.count('name="csrfmiddlewaretoken"') == forms
