"""Login with lockout, logout, sessions, friendly refusals."""

from __future__ import annotations

from django.test import Client

from tests.console.helpers import client_for, text_of


def login(client: Client, username: str, password: str):
    return client.post("/console/login/", {"username": username, "password": password})


def test_login_lands_on_the_users_desk(world):
    client = Client()
    response = login(client, "dispatcher", "minyi-test-pw")
    assert response.status_code == 302
    assert client.get("/console/")["Location"] == "/console/dispatch/"


def test_a_wrong_password_says_so_and_repeated_failures_pause_the_login(world, settings, clock):
    client = Client()
    first = login(client, "dispatcher", "wrong")
    assert first.status_code == 200 and "/console/dispatch/" not in first.content.decode()
    for _ in range(settings.MINYI_LOGIN_ACCOUNT_FREE_FAILURES - 1):
        login(client, "dispatcher", "wrong")
    paused = login(client, "dispatcher", "minyi-test-pw")  # even the right password, for a while
    assert paused.status_code == 429 and "登录暂停" in text_of(paused)
    assert client.get("/console/dispatch/").status_code == 302  # still not logged in
    # Another user from the same address is not locked out by someone else's failures.
    assert login(Client(), "operator", "minyi-test-pw").status_code == 302


def test_pages_need_a_login(db):
    response = Client().get("/console/dispatch/")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/?next=")


def test_logout_is_a_post_and_ends_the_session(world):
    client = client_for(world.dispatcher)
    assert client.get("/console/logout/").status_code == 405
    assert client.post("/console/logout/").status_code == 302
    assert client.get("/console/dispatch/").status_code == 302


def test_forms_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dispatcher)
    response = client.post("/console/notifications/read-all/")
    assert response.status_code == 403 and "表单已过期" in text_of(response)


def test_session_cookie_is_http_only_and_same_site(world, settings):
    client = Client()
    login(client, "dispatcher", "minyi-test-pw")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_interface_is_chinese_unless_english_is_chosen(world):
    client = client_for(world.dispatcher)
    chinese = client.get("/console/dispatch/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert "派单台" in text_of(chinese)
    client.post("/i18n/setlang/", {"language": "en", "next": "/console/dispatch/"})
    assert "Dispatch desk" in text_of(client.get("/console/dispatch/"))


def test_the_device_cookie_is_http_only_and_follows_secure_cookies(world, settings):
    settings.SESSION_COOKIE_SECURE = True  # SECURE_COOKIES=1, behind HTTPS
    client = Client()
    login(client, "dispatcher", "minyi-test-pw")
    cookie = client.cookies["minyi_device"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert "minyi_device" not in login(Client(), "dispatcher", "wrong").cookies  # only a right password
