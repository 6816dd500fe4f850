"""Login limits: a short, growing delay per account (from any address), a lockout per address
(whatever the user names), and one alert to the administrators when an account sees repeated wrong
passwords. A named user cannot be locked out from elsewhere beyond the short delay."""

from __future__ import annotations

import pytest
from django.test import Client

from minyi.notifications.models import Notification
from minyi.web import logins
from minyi.web.models import LoginFailures
from tests.cases.test_concurrency import race
from tests.console.helpers import client_for, text_of

PASSWORD = "minyi-test-pw"
OFFICE = "10.0.0.1"  # the centre's shared address
ATTACKER = "203.0.113.7"


def login(username: str, password: str, *, address: str = OFFICE, path: str = "/console/login/"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def logged_in(response) -> bool:
    return response.status_code == 302 and "/login/" not in response["Location"]


def checked_and_wrong(response) -> bool:
    """The password was compared and found wrong: the login form again, with its error."""
    if response.status_code != 200:
        return False
    return [e.code for e in response.context["form"].non_field_errors().as_data()] == ["invalid_login"]


@pytest.fixture
def limits(settings):
    """The defaults, spelt out for the counts below."""
    assert settings.MINYI_LOGIN_ACCOUNT_FREE_FAILURES == 3
    assert settings.MINYI_LOGIN_ACCOUNT_DELAY_SECONDS == 30
    assert settings.MINYI_LOGIN_ACCOUNT_MAX_DELAY_SECONDS == 600
    assert settings.MINYI_LOGIN_ACCOUNT_ALERT_FAILURES == 10
    assert settings.MINYI_LOGIN_ADDRESS_FAILURE_LIMIT == 20
    assert settings.MINYI_LOGIN_LOCKOUT_MINUTES == 15
    return settings


# --- the account: a short delay, growing ------------------------------------------------------------


def test_a_named_user_is_not_locked_out_by_wrong_passwords_from_another_address(world, clock, limits):
    clock.set("2026-11-25 09:00")
    for _ in range(5):
        clock.advance(seconds=600)
        login("dispatcher", "guess", address=ATTACKER)

    # The account's delay after 5 wrong passwords: 30 s × 2² = 2 minutes, even for the right password.
    delayed = login("dispatcher", PASSWORD)
    assert delayed.status_code == 429
    assert delayed["Retry-After"] == "120"
    assert "09:52:00" in text_of(delayed)

    clock.advance(seconds=120)
    assert logged_in(login("dispatcher", PASSWORD))


def test_the_delay_grows_with_each_wrong_password_from_any_address(world, clock, limits):
    clock.set("2026-11-25 09:00")
    for n in range(3):  # the first three are free
        assert checked_and_wrong(login("dispatcher", "guess", address=f"203.0.113.{n}"))
    waits = []
    for n in range(6):
        refused = login("dispatcher", "guess", address=f"198.51.100.{n}")
        assert refused.status_code == 429  # refused before the password is compared, and not counted
        waits.append(int(refused["Retry-After"]))
        clock.advance(seconds=waits[-1])
        assert checked_and_wrong(login("dispatcher", "guess", address=f"198.51.100.{n}"))

    assert waits == [30, 60, 120, 240, 480, 600]  # doubling up to the longest delay, 10 minutes


def test_refused_attempts_do_not_lengthen_the_delay(world, clock, limits):
    for _ in range(3):
        login("dispatcher", "guess", address=ATTACKER)
    for _ in range(20):
        assert login("dispatcher", "guess", address=ATTACKER).status_code == 429

    clock.advance(seconds=30)

    assert logged_in(login("dispatcher", PASSWORD))


def test_the_right_password_starts_the_count_over(world, clock, limits):
    for _ in range(2):
        login("dispatcher", "guess")
    assert logged_in(login("dispatcher", PASSWORD))

    for _ in range(3):
        assert checked_and_wrong(login("dispatcher", "guess"))  # three free again


def test_other_accounts_are_not_slowed_down(world, clock, limits):
    for _ in range(5):
        login("dispatcher", "guess", address=ATTACKER)

    assert logged_in(login("operator", PASSWORD, address=ATTACKER))


def test_the_admin_site_login_is_delayed_too(world, clock, limits):
    for _ in range(3):
        login("admin", "guess", path="/admin/login/")

    refused = login("admin", PASSWORD, path="/admin/login/")

    assert refused.status_code == 429
    clock.advance(seconds=30)
    assert logged_in(login("admin", PASSWORD, path="/admin/login/"))


def test_the_delay_page_says_when_to_try_again_in_chinese(world, clock, limits):
    clock.set("2026-11-25 09:00")
    for _ in range(3):
        login("dispatcher", "guess")

    page = text_of(login("dispatcher", PASSWORD))

    assert "登录暂停" in page and "请于 09:00:30 之后再试" in page


# --- the address: locked after many wrong passwords, whatever the user names -----------------------


def test_an_address_that_guesses_many_is_locked(world, clock, limits):
    clock.set("2026-11-25 09:00")
    for n in range(20):  # one guess for each of many names: no account is slowed down
        assert checked_and_wrong(login(f"user{n}", "guess", address=ATTACKER))

    locked = login("operator", PASSWORD, address=ATTACKER)

    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert "09:15" in text_of(locked)
    assert logged_in(login("operator", PASSWORD, address=OFFICE))  # other addresses are not touched
    clock.advance(minutes=15)
    assert logged_in(login("operator", PASSWORD, address=ATTACKER))


def test_logging_into_ones_own_account_does_not_clear_the_addresss_failures(world, clock, limits):
    for n in range(19):
        login(f"user{n}", "guess", address=ATTACKER)
    assert logged_in(login("operator", PASSWORD, address=ATTACKER))

    assert checked_and_wrong(login("user19", "guess", address=ATTACKER))
    assert login("operator", PASSWORD, address=ATTACKER).status_code == 429


def test_an_address_forgets_its_failures_after_a_quiet_spell(world, clock, limits):
    for n in range(19):
        login(f"user{n}", "guess", address=OFFICE)
    clock.advance(minutes=15)

    assert checked_and_wrong(login("user19", "guess", address=OFFICE))
    assert logged_in(login("operator", PASSWORD, address=OFFICE))


# --- the alert to administrators --------------------------------------------------------------------


def fail(username: str, times: int, clock) -> None:
    for n in range(times):
        clock.advance(seconds=600)  # past any delay
        assert checked_and_wrong(login(username, "guess", address=f"203.0.113.{n}"))


def test_administrators_are_alerted_once_when_an_account_sees_repeated_wrong_passwords(world, clock, limits):
    fail("dispatcher", 9, clock)
    assert not Notification.objects.filter(kind="login_failures").exists()

    fail("dispatcher", 6, clock)

    alerts = Notification.objects.filter(kind="login_failures")
    assert [n.user for n in alerts] == [world.admin]
    assert "dispatcher" in alerts[0].message and "10" in alerts[0].message
    listed = client_for(world.admin).get(alerts[0].url)  # where an administrator can unlock it
    assert listed.status_code == 200 and "dispatcher" in text_of(listed)


def test_after_the_right_password_a_new_series_alerts_again(world, clock, limits):
    fail("dispatcher", 10, clock)
    clock.advance(seconds=600)
    assert logged_in(login("dispatcher", PASSWORD))

    fail("dispatcher", 10, clock)

    assert Notification.objects.filter(kind="login_failures", user=world.admin).count() == 2


def test_names_without_an_account_raise_no_alert(world, clock, limits):
    fail("nobody-here", 12, clock)

    assert not Notification.objects.filter(kind="login_failures").exists()


def test_the_worker_forgets_counts_that_hold_nothing_any_more(world, clock, limits):
    for _ in range(3):
        login("dispatcher", "guess", address=ATTACKER)
    assert logged_in(login("operator", PASSWORD, address=OFFICE))

    assert logins.forget_stale(clock.advance(minutes=15)) == 3  # the operator's, and both addresses'
    assert [(r.kind, r.name) for r in LoginFailures.objects.all()] == [("account", "dispatcher")]
    assert logins.forget_stale(clock.advance(days=1)) == 1


# --- at the same moment, on several servers ---------------------------------------------------------


@pytest.mark.postgres_only
def test_guesses_sent_at_once_for_one_account_get_no_more_than_the_free_ones(tx_world, clock):
    answers = race(*[lambda n=n: login("dispatcher", "guess", address=f"203.0.113.{n}") for n in range(10)])

    assert sorted(r.status_code for r in answers) == [200] * 3 + [429] * 7


@pytest.mark.postgres_only
def test_guesses_sent_at_once_from_one_address_get_no_more_than_its_limit(tx_world, clock):
    answers = race(*[lambda n=n: login(f"user{n}", "guess", address=ATTACKER) for n in range(26)])

    assert sorted(r.status_code for r in answers) == [200] * 20 + [429] * 6
