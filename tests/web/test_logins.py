"""Login limits: a short, growing delay per account (from any address), a lockout per address
(whatever the user names), and one alert to the administrators when an account sees repeated wrong
passwords. A named user's usual browser (a trusted device) is not held back by the account's delay,
so someone elsewhere cannot lock that user out; a device that guesses loses that exemption."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client

from minyi.core import clock as minyi_clock
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


def test_the_delay_page_says_until_when_in_chinese(world, clock, limits):
    clock.set("2026-11-25 09:00")
    for _ in range(3):
        login("dispatcher", "guess")

    refused = login("dispatcher", PASSWORD)

    assert "登录暂停至 09:00:30" in text_of(refused) and refused["Retry-After"] == "30"


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


def test_a_steady_guesser_at_a_paused_account_alerts_once_however_long_it_goes_on(world, clock, limits):
    browser = usual_browser("dispatcher")
    compared = elapsed = 0
    while elapsed < 8 * 3600:  # a working day of guessing, as fast as the delays let it
        answer = login("dispatcher", "guess", address=f"203.0.113.{compared % 200}")
        if answer.status_code == 429:
            assert login("dispatcher", "guess", address=ATTACKER).status_code == 429  # hammering: not counted
            # Meanwhile the owner works: their browser logs in, which does not start the guesser's count over.
            assert logged_in(sign_in(browser, "dispatcher", PASSWORD))
            browser.post("/console/logout/")
            clock.advance(seconds=int(answer["Retry-After"]))
            elapsed += int(answer["Retry-After"])
        else:
            assert checked_and_wrong(answer)
            compared += 1

    # 3 free; 5 more after waits of 30, 60, 120, 240 and 480 s (930 s in all); then one each 10 minutes.
    assert compared == 3 + 5 + (8 * 3600 - 930) // 600
    alerts = Notification.objects.filter(kind="login_failures")
    assert [n.user for n in alerts] == [world.admin]
    assert "dispatcher" in alerts[0].message and "10" in alerts[0].message


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


# --- trusted devices: the owner's usual browser ----------------------------------------------------


def sign_in(browser: Client, username: str, password: str):
    return browser.post("/console/login/", {"username": username, "password": password})


def usual_browser(username: str, *, address: str = OFFICE) -> Client:
    """A browser where `username` has logged in before (and logged out): it holds their device cookie."""
    browser = Client(REMOTE_ADDR=address)
    assert logged_in(sign_in(browser, username, PASSWORD))
    browser.post("/console/logout/")
    return browser


def pause(username: str) -> None:
    """An attacker elsewhere keeps the account paused: 5 wrong passwords, a delay of 2 minutes."""
    for _ in range(5):
        login(username, "guess", address=ATTACKER)
    assert login(username, PASSWORD, address=ATTACKER).status_code == 429


def test_the_owners_usual_browser_logs_in_while_an_attacker_keeps_the_account_paused(world, clock, limits):
    browser = usual_browser("dispatcher")
    pause("dispatcher")

    assert logged_in(sign_in(browser, "dispatcher", PASSWORD))
    assert browser.get("/console/dispatch/").status_code == 200
    # Without the cookie, today's rules: a new browser, even at the office, waits out the delay.
    assert login("dispatcher", PASSWORD).status_code == 429
    assert login("dispatcher", "guess", address=ATTACKER).status_code == 429  # the attacker still waits


def test_the_device_cookie_is_signed_http_only_and_long_lived(world, clock, limits):
    browser = usual_browser("dispatcher")

    cookie = browser.cookies[logins.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert cookie["max-age"] == 90 * 24 * 3600
    assert str(world.dispatcher.password) not in cookie.value


def test_a_trusted_browsers_wrong_passwords_are_checked_without_delay(world, clock, limits):
    browser = usual_browser("dispatcher")
    pause("dispatcher")

    for _ in range(4):  # the owner mistypes: compared at once, not refused
        assert checked_and_wrong(sign_in(browser, "dispatcher", "typo"))
    assert logged_in(sign_in(browser, "dispatcher", PASSWORD))


def test_a_device_that_guesses_wrong_five_times_loses_its_exemption(world, clock, limits):
    browser = usual_browser("dispatcher")  # say, a laptop that is then stolen
    pause("dispatcher")

    for _ in range(5):
        assert checked_and_wrong(sign_in(browser, "dispatcher", "guess"))
    assert sign_in(browser, "dispatcher", "guess").status_code == 429  # now the account's delay applies
    assert sign_in(browser, "dispatcher", PASSWORD).status_code == 429

    clock.advance(seconds=120)  # the right password after the delay makes it a trusted device again
    assert logged_in(sign_in(browser, "dispatcher", PASSWORD))
    browser.post("/console/logout/")
    pause("dispatcher")
    assert logged_in(sign_in(browser, "dispatcher", PASSWORD))


def test_the_right_password_starts_a_devices_count_over(world, clock, limits):
    browser = usual_browser("dispatcher")
    pause("dispatcher")
    for _ in range(4):
        sign_in(browser, "dispatcher", "typo")
    assert logged_in(sign_in(browser, "dispatcher", PASSWORD))
    browser.post("/console/logout/")

    for _ in range(4):
        assert checked_and_wrong(sign_in(browser, "dispatcher", "typo"))
    assert logged_in(sign_in(browser, "dispatcher", PASSWORD))


def test_another_users_or_a_forged_device_cookie_does_not_exempt(world, clock, limits):
    operators = usual_browser("operator")
    token = operators.cookies[logins.DEVICE_COOKIE].value
    pause("dispatcher")

    # The operator's cookie, in the operator's browser or copied, does nothing for the dispatcher.
    assert sign_in(operators, "dispatcher", PASSWORD).status_code == 429
    # Nor does the operator's token edited to name the dispatcher (its signature no longer fits) …
    data = {"u": world.dispatcher.pk, "d": "laptop", "t": int(minyi_clock.now().timestamp())}
    edited = signing.dumps(data, salt="anything").partition(":")[0] + ":" + token.partition(":")[2]
    forged = Client(REMOTE_ADDR=OFFICE)
    forged.cookies[logins.DEVICE_COOKIE] = edited
    assert sign_in(forged, "dispatcher", PASSWORD).status_code == 429
    # … nor a token made without the secret key, nor rubbish.
    for value in (signing.dumps(data, key="guessed", salt=logins.DEVICE_SALT), "x" * 40, ""):
        forged.cookies[logins.DEVICE_COOKIE] = value
        assert sign_in(forged, "dispatcher", PASSWORD).status_code == 429
    assert logged_in(sign_in(operators, "operator", PASSWORD))  # still good for its own user


def test_a_changed_password_voids_the_device_cookie(world, clock, limits):
    browser = usual_browser("dispatcher")
    world.dispatcher.set_password("a-new-password")
    world.dispatcher.save()
    pause("dispatcher")

    assert sign_in(browser, "dispatcher", "a-new-password").status_code == 429


def test_the_device_cookie_expires_after_ninety_days(world, clock, limits):
    browser = usual_browser("dispatcher")
    clock.advance(days=90)
    pause("dispatcher")

    assert sign_in(browser, "dispatcher", PASSWORD).status_code == 429


def test_a_guesser_on_the_offices_address_does_not_lock_the_office_out_of_its_browsers(world, clock, limits):
    """Anyone behind an office's shared address (NAT) could lock it with twenty wrong passwords."""
    browser = usual_browser("dispatcher")
    for n in range(20):
        login(f"user{n}", "guess", address=OFFICE)

    assert login("operator", PASSWORD, address=OFFICE).status_code == 429  # a new browser waits
    assert logged_in(sign_in(browser, "dispatcher", PASSWORD))


def test_a_trusted_browser_on_a_locked_address_still_gets_only_its_own_few_guesses(world, clock, limits):
    browser = usual_browser("dispatcher")
    for n in range(20):
        login(f"user{n}", "guess", address=OFFICE)
    for _ in range(5):
        sign_in(browser, "dispatcher", "guess")

    assert sign_in(browser, "dispatcher", PASSWORD).status_code == 429


def test_colleagues_sharing_a_browser_each_keep_their_device(world, clock, limits):
    seat = usual_browser("dispatcher")  # a seat of the centre, used in shifts
    assert logged_in(sign_in(seat, "operator", PASSWORD))
    seat.post("/console/logout/")
    pause("dispatcher")
    pause("operator")

    assert logged_in(sign_in(seat, "dispatcher", PASSWORD))
    seat.post("/console/logout/")
    assert logged_in(sign_in(seat, "operator", PASSWORD))


def test_the_admin_site_honours_the_device_cookie_too(world, clock, limits):
    browser = usual_browser("admin")
    pause("admin")

    answer = browser.post("/admin/login/", {"username": "admin", "password": PASSWORD})

    assert logged_in(answer)


def test_a_devices_count_is_kept_as_long_as_its_cookie_lasts(world, clock, limits):
    browser = usual_browser("dispatcher")
    for _ in range(5):
        sign_in(browser, "dispatcher", "typo")

    logins.forget_stale(clock.advance(days=2))  # an account's count would be gone by now
    pause("dispatcher")
    assert sign_in(browser, "dispatcher", PASSWORD).status_code == 429  # still no exemption
    assert LoginFailures.objects.filter(kind="device").count() == 1
    assert logins.forget_stale(clock.advance(days=88)) == 4  # the device's, the account's, both addresses'
    assert not LoginFailures.objects.exists()


# --- at the same moment, on several servers ---------------------------------------------------------


@pytest.mark.postgres_only
def test_guesses_sent_at_once_for_one_account_get_no_more_than_the_free_ones(tx_world, clock):
    answers = race(*[lambda n=n: login("dispatcher", "guess", address=f"203.0.113.{n}") for n in range(10)])

    assert sorted(r.status_code for r in answers) == [200] * 3 + [429] * 7


@pytest.mark.postgres_only
def test_guesses_sent_at_once_from_one_address_get_no_more_than_its_limit(tx_world, clock):
    answers = race(*[lambda n=n: login(f"user{n}", "guess", address=ATTACKER) for n in range(26)])

    assert sorted(r.status_code for r in answers) == [200] * 20 + [429] * 6


@pytest.mark.postgres_only
def test_guesses_sent_at_once_from_a_trusted_device_get_no_more_than_its_limit(tx_world, clock):
    browser = usual_browser("dispatcher")
    cookie = browser.cookies[logins.DEVICE_COOKIE].value

    def guess(n: int):
        client = Client(REMOTE_ADDR=f"203.0.113.{n}")
        client.cookies[logins.DEVICE_COOKIE] = cookie
        return sign_in(client, "dispatcher", "guess")

    answers = race(*[lambda n=n: guess(n) for n in range(12)])

    # Five exempt ones for the device, then the account's three free ones; the rest wait.
    assert sorted(r.status_code for r in answers) == [200] * 8 + [429] * 4


@pytest.mark.postgres_only
def test_the_owner_logs_in_while_guesses_for_the_account_arrive_at_once(tx_world, clock):
    browser = usual_browser("dispatcher")
    pause("dispatcher")

    answers = race(
        lambda: sign_in(browser, "dispatcher", PASSWORD),
        *[lambda n=n: login("dispatcher", "guess", address=f"203.0.113.{n}") for n in range(8)],
    )

    assert logged_in(answers[0])
    assert [r.status_code for r in answers[1:]] == [429] * 8
