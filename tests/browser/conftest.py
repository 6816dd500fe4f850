"""Real-browser tests: Playwright for Python drives Debian's chromium (/usr/bin/chromium) against
pytest-django's live server (a thread of this process, serving static files through the finders).

- One browser for all the browser tests (package scope), a new context per persona: each context
  has its own cookies, so several staff members can be logged in within one test.
- Playwright's sync API leaves its event loop marked as running in this thread, so Django's ORM in
  the test body would raise SynchronousOnlyOperation: DJANGO_ALLOW_ASYNC_UNSAFE is set while the
  browser runs. The browser is closed after the last browser test so that the loop does not leak into
  the rest of the suite.
- minyi's clock is frozen per thread; the live server answers each request in a thread of its own.
  The `clock` fixture here makes the frozen time shared by every thread, so `clock.set(...)` in the
  test also moves the server's time.
- Without /usr/bin/chromium the tests are skipped, unless MINYI_REQUIRE_BROWSER=1 (CI): then they fail.
"""

from __future__ import annotations

import os
import types

import pytest
from django.conf import settings

from minyi.core import clock as minyi_clock
from tests.conftest import Clock

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "minyi-test-pw"
TIMEOUT_MS = 10_000


def _unavailable(reason: str):
    if os.environ.get("MINYI_REQUIRE_BROWSER") == "1":
        pytest.fail(
            f"MINYI_REQUIRE_BROWSER=1 but {reason}: run tools/ensure_browser.sh as root", pytrace=False
        )
    pytest.skip(f"browser tests skipped: {reason} (tools/ensure_browser.sh installs it)")


@pytest.fixture(scope="package")
def browser():
    """Debian's chromium, launched once for all the browser tests."""
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def clock(monkeypatch):
    """minyi's clock frozen at 2026-11-25 09:00 (a Wednesday) for the test and the live server alike."""
    monkeypatch.setattr(minyi_clock, "_state", types.SimpleNamespace(fixed=None))
    c = Clock()
    c.set("2026-11-25 09:00")
    yield c
    minyi_clock.set_now(None)


class Site:
    """The live server seen through chromium: log personas in, take screenshots, watch for errors."""

    def __init__(self, browser, base_url: str, world):
        self.browser = browser
        self.base_url = base_url
        self.world = world
        self.contexts = []
        self.problems: list[str] = []  # JavaScript errors and server errors seen by any page

    def context(self, *, width: int = 1280, height: int = 900, language: str | None = None):
        """A new browser context; `language` ("en"): the language chosen with the console's switch
        (its cookie; the console does not follow Accept-Language, web/middleware.py)."""
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": width, "height": height},
            locale="en-US" if language == "en" else "zh-CN",
            timezone_id="Asia/Shanghai",
        )
        if language:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base_url}]
            )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", self._watch)
        self.contexts.append(context)
        return context

    def _watch(self, page):
        page.on("pageerror", lambda exc: self.problems.append(f"JavaScript error on {page.url}: {exc}"))
        page.on("response", lambda r: r.status >= 500 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def page(self, *, width: int = 1280, height: int = 900, language: str | None = None):
        return self.context(width=width, height=height, language=language).new_page()

    def login(self, user, *, width: int = 1280, height: int = 900, language: str | None = None):
        """A page of a new context, logged in as `user` through the real login form."""
        page = self.page(width=width, height=height, language=language)
        page.goto("/console/login/")
        form = page.locator("form.main")
        form.locator("#id_username").fill(user.username)
        form.locator("#id_password").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        page.wait_for_url(lambda url: "/console/login/" not in url)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def site(browser, live_server, tx_world, clock):
    """The district of tests/world.py on the live server, and a way to open pages on it."""
    s = Site(browser, live_server.url, tx_world)
    yield s
    s.close()
    assert not s.problems, "the browser saw errors:\n" + "\n".join(s.problems)
