"""Protection: limits on sending and looking up (a clear 429 that says when to retry), and CSRF on
every form.

A citizen's own limits are per browser and per phone number; the address only has a much higher
ceiling, because a whole community may reach us through one carrier address (CGNAT). Wrong query
codes are counted per tracking number, from every address together.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from minyi.cases.models import Case
from tests.cases.helpers import do, new_case
from tests.cases.test_concurrency import race
from tests.portal.helpers import demand, prove, replied_case, submit

NEIGHBOUR = "127.0.0.1"  # the test client's address: everyone below shares one carrier address


def phone(n: int) -> str:
    return f"1391234{n:04d}"


def follow(client, case, code: str | None = None):
    return client.post(
        reverse("portal:follow"),
        {"tracking_number": case.tracking_number, "query_code": case.query_code if code is None else code},
    )


@pytest.fixture
def ceilings(settings):
    """Room for a whole street behind one address (the defaults), unless a test lowers it."""
    assert settings.MINYI_PORTAL_SUBMISSIONS_PER_HOUR == 10
    assert settings.MINYI_PORTAL_SUBMISSIONS_PER_PHONE == 10
    assert settings.MINYI_PORTAL_SUBMISSIONS_PER_ADDRESS >= 100
    return settings


# --- sending a demand ------------------------------------------------------------------------------


def test_the_eleventh_demand_from_one_browser_is_refused_and_told_when_to_retry(
    client, world, clock, ceilings
):
    clock.set("2026-11-25 09:40")
    sent = [submit(client, world, requester_phone=phone(n)).status_code for n in range(10)]
    assert sent == [302] * 10  # each success gives the session a new key: the browser is still known

    response = submit(client, world, requester_phone=phone(10))

    assert response.status_code == 429
    assert response["Retry-After"] == str(20 * 60)
    page = response.content.decode()
    assert "This browser has sent this form too often" in page
    assert "Please try again after 10:00." in page
    assert Case.objects.count() == 10


def test_the_refusal_is_in_chinese_by_default(client, world, clock, settings):
    clock.set("2026-11-25 09:40")
    settings.LANGUAGE_CODE = "zh-hans"
    settings.MINYI_PORTAL_SUBMISSIONS_PER_HOUR = 1
    submit(client, world)

    page = submit(client, world).content.decode()

    assert "本浏览器在过去一小时内提交次数过多，请在 10:00 之后再试。" in page


def test_a_neighbour_behind_the_same_address_still_sends(client, world, clock, ceilings):
    for n in range(11):
        submit(client, world, requester_phone=phone(n))
    assert Case.objects.count() == 10

    response = submit(Client(REMOTE_ADDR=NEIGHBOUR), world, requester_phone=phone(99))

    assert response.status_code == 302
    assert Case.objects.count() == 11


def test_the_browser_limit_lifts_in_the_next_hour(client, world, clock, ceilings):
    clock.set("2026-11-25 09:40")
    for n in range(11):
        submit(client, world, requester_phone=phone(n))

    clock.set("2026-11-25 10:00")

    assert submit(client, world, requester_phone=phone(11)).status_code == 302
    assert Case.objects.count() == 11


def test_one_phone_number_is_limited_across_browsers(world, clock, ceilings):
    for _ in range(10):
        assert submit(Client(), world, requester_phone="13812341234").status_code == 302

    # The same number written another way is the same number.
    response = submit(Client(), world, requester_phone="+86 138-1234-1234")

    assert response.status_code == 429
    assert "Too many demands were sent with this phone number" in response.content.decode()
    assert Case.objects.count() == 10
    assert submit(Client(), world, requester_phone="13812345678").status_code == 302


def test_the_address_ceiling_refuses_a_flood_of_new_browsers(world, clock, settings):
    clock.set("2026-11-25 09:40")
    settings.MINYI_PORTAL_SUBMISSIONS_PER_ADDRESS = 5
    for n in range(5):
        assert submit(Client(), world, requester_phone=phone(n)).status_code == 302

    response = submit(Client(), world, requester_phone=phone(5))

    assert response.status_code == 429
    page = response.content.decode()
    assert "from your network" in page and "Please try again after 10:00," in page
    assert Case.objects.count() == 5
    assert submit(Client(REMOTE_ADDR="10.0.0.9"), world, requester_phone=phone(6)).status_code == 302


def test_a_browser_past_its_limit_does_not_use_up_its_neighbours_ceiling(client, world, clock, settings):
    settings.MINYI_PORTAL_SUBMISSIONS_PER_HOUR = 2
    settings.MINYI_PORTAL_SUBMISSIONS_PER_ADDRESS = 5
    for n in range(20):  # 2 accepted, 18 refused by the browser's own limit
        submit(client, world, requester_phone=phone(n))

    others = [submit(Client(), world, requester_phone=phone(50 + n)).status_code for n in range(4)]

    assert others == [302, 302, 302, 429]  # 2 + 3 reach the ceiling of 5
    assert Case.objects.count() == 5


def test_an_anonymous_demand_counts_for_its_browser(client, world, clock, settings):
    settings.MINYI_PORTAL_SUBMISSIONS_PER_HOUR = 2
    anonymous = {"is_anonymous": "on", "requester_name": None, "requester_phone": None}
    assert [submit(client, world, **anonymous).status_code for _ in range(3)] == [302, 302, 429]


def test_reading_the_forms_does_not_count(client, world, clock, settings):
    settings.MINYI_PORTAL_SUBMISSIONS_PER_HOUR = 1
    settings.MINYI_PORTAL_LOOKUPS_PER_HOUR = 1
    for _ in range(5):
        client.get(reverse("portal:submit"))
        client.get(reverse("portal:follow"))

    assert submit(client, world).status_code == 302


# --- looking a demand up ---------------------------------------------------------------------------


def test_looking_up_too_often_from_one_browser_gets_a_429_even_with_the_right_pair(
    client, world, clock, settings
):
    settings.MINYI_PORTAL_LOOKUPS_PER_HOUR = 3
    case = new_case(world.operator)
    other = new_case(world.operator)
    for _ in range(3):
        follow(client, other, "WRONG1")

    response = follow(client, case)

    assert response.status_code == 429
    assert "This browser has sent this form too often" in response.content.decode()
    assert client.get(reverse("portal:case", args=[case.tracking_number])).status_code == 404
    assert follow(Client(REMOTE_ADDR=NEIGHBOUR), case).status_code == 302  # a neighbour still may


def test_the_address_ceiling_of_look_ups(world, clock, settings):
    settings.MINYI_PORTAL_LOOKUPS_PER_ADDRESS = 4
    case = new_case(world.operator)
    assert [follow(Client(), case).status_code for _ in range(5)] == [302] * 4 + [429]
    assert follow(Client(REMOTE_ADDR="10.0.0.9"), case).status_code == 302


def test_wrong_query_codes_for_one_tracking_number_are_limited_across_addresses(world, clock, settings):
    clock.set("2026-11-25 09:40")
    settings.MINYI_PORTAL_WRONG_CODES_PER_NUMBER = 10
    case = new_case(world.operator)
    other = new_case(world.operator)
    guesses = [follow(Client(REMOTE_ADDR=f"10.1.0.{n}"), case, "AAAAAA").status_code for n in range(10)]
    assert guesses == [200] * 10  # the form again, saying no case matches

    # The eleventh guess is refused before the code is compared: even the right code.
    response = follow(Client(REMOTE_ADDR="10.2.0.1"), case)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many wrong query codes were entered for this tracking number" in page
    assert "Please try again after 10:00 with the query code" in page
    assert follow(Client(REMOTE_ADDR="10.2.0.2"), other).status_code == 302  # other cases are not touched
    clock.set("2026-11-25 10:00")
    assert follow(Client(REMOTE_ADDR="10.2.0.3"), case).status_code == 302


def test_a_stranger_with_a_few_addresses_cannot_hold_the_requester_out(world, clock, settings):
    """Tracking numbers are sequential: ten wrong codes from ten addresses once locked a case for an
    hour, the right code included. Now an address gets five, all addresses together a hundred."""
    assert settings.MINYI_PORTAL_WRONG_CODES_PER_NUMBER == 100
    assert settings.MINYI_PORTAL_WRONG_CODES_PER_NUMBER_AND_ADDRESS == 5
    case = new_case(world.operator)
    for n in range(9):
        stranger = Client(REMOTE_ADDR=f"10.4.0.{n}")
        assert [follow(stranger, case, "AAAAAA").status_code for _ in range(6)] == [200] * 5 + [429]
    assert follow(Client(REMOTE_ADDR="10.4.0.99"), case).status_code == 302  # the requester's phone
    assert follow(Client(REMOTE_ADDR="10.4.0.1"), case).status_code == 429  # not from a guesser's address


def test_right_query_codes_do_not_count_as_guesses(world, clock, settings):
    settings.MINYI_PORTAL_WRONG_CODES_PER_NUMBER = 2
    case = new_case(world.operator)
    assert [follow(Client(), case).status_code for _ in range(5)] == [302] * 5
    assert [follow(Client(), case, "AAAAAA").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.postgres_only
def test_guesses_sent_at_once_from_many_addresses_get_no_more_than_the_limit(tx_world, clock, settings):
    settings.MINYI_PORTAL_WRONG_CODES_PER_NUMBER = 10
    case = new_case(tx_world.operator)
    clients = [Client(REMOTE_ADDR=f"10.3.0.{n}") for n in range(16)]

    answers = race(*[lambda c=c: follow(c, case, "AAAAAA").status_code for c in clients])

    assert sorted(answers) == [200] * 10 + [429] * 6


# --- CSRF ------------------------------------------------------------------------------------------


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


def test_wrong_codes_for_one_number_count_together_however_it_is_typed(world, clock, settings):
    settings.MINYI_PORTAL_WRONG_CODES_PER_NUMBER = 3
    case = new_case(world.operator)
    period, sequence = case.tracking_number.split("-")
    wide = str.maketrans("0123456789-", "０１２３４５６７８９－")
    typed = [period + sequence, f"{period} {sequence}", case.tracking_number.translate(wide)]

    answers = [
        Client(REMOTE_ADDR=f"10.5.0.{n}").post(
            reverse("portal:follow"), {"tracking_number": number, "query_code": "AAAAAA"}
        )
        for n, number in enumerate(typed)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert follow(Client(REMOTE_ADDR="10.5.0.9"), case).status_code == 429  # the fourth guess, any spelling
