"""The demo (`make demo`: MINYI_DEMO=1, `minyi serve`) runs as production does: DEBUG off unless a
developer sets DEBUG=1, so a stranger who reaches it sees the product's own error pages, never
Django's debug pages (the URL list, the settings, the traceback).

The server here is the real one: `minyi migrate` and `minyi serve` in a new data directory, started
the way the Makefile's demo target starts them, and asked over HTTP."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60
# What Django's debug pages show and the product's pages never do.
DEBUG_MARKS = ("URLconf", "urlpatterns", "Traceback", "SECRET_KEY", "DisallowedHost", "TooManyFieldsSent",
               "You're seeing this error because you have")  # fmt: skip


def demo_environment(**extra: str) -> dict[str, str]:
    """The environment of `make demo`: MINYI_DEMO=1 and no DEBUG variable."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "ALLOWED_HOSTS")}
    return {**env, "MINYI_DEMO": "1", **extra}


def python(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


SHOW_DEBUG = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def test_the_demo_settings_have_debug_off_unless_a_developer_turns_it_on(tmp_path):
    env = demo_environment(MINYI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="minyi.settings")

    demo = python("-c", SHOW_DEBUG, env=env)
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.strip() == "False"
    assert python("-c", SHOW_DEBUG, env={**env, "DEBUG": "1"}).stdout.strip() == "True"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The base URL of `minyi serve` with the demo's environment, on a migrated database of its own."""
    data = tmp_path_factory.mktemp("demo-data")
    port = free_port()
    env = demo_environment(MINYI_DATA_DIR=str(data), PORT=str(port), MINYI_WEB_WORKERS="1")
    migrate = python("-m", "minyi", "migrate", "--noinput", "-v0", env=env)
    assert migrate.returncode == 0, migrate.stderr
    log = (data / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "minyi", "serve"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"minyi serve did not start: {(data / 'serve.log').read_text()[-3000:]}")
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def get(url: str, **headers: str) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def without_debug_page(body: str) -> bool:
    return not any(mark in body for mark in DEBUG_MARKS)


def test_an_unknown_url_gets_the_products_own_404_page_without_the_url_list(demo):
    status, body, _headers = get(f"{demo}/no-such-page/")

    assert status == 404
    assert "未找到" in body and "minyi/base.css" in body  # the product's page, in Chinese
    assert without_debug_page(body) and "api/v1/" not in body and "open311/" not in body


def test_a_bad_host_header_gets_a_400_without_the_settings(demo):
    port = int(demo.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/", headers={"Host": "evil.example"})
    response = connection.getresponse()
    body = response.read().decode()

    assert response.status == 400
    assert "地址" in body and without_debug_page(body)
    assert "evil.example" not in body


def test_3000_form_fields_get_a_clear_400(demo):
    cookies = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    browser.open(f"{demo}/console/login/", timeout=30).read()  # the CSRF cookie, as a browser has it
    token = next(c.value for c in cookies if c.name == "csrftoken")
    fields = [("csrfmiddlewaretoken", token)] + [(f"f{i}", "x") for i in range(3000)]
    request = urllib.request.Request(
        f"{demo}/console/login/", data=urllib.parse.urlencode(fields).encode(), headers={"Referer": demo}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        browser.open(request, timeout=30)
    body = refused.value.read().decode()

    assert refused.value.code == 400
    assert "1000" in body and "字段" in body and without_debug_page(body)


def test_the_demo_serves_static_files_the_console_and_the_portal(demo):
    status, css, headers = get(f"{demo}/static/minyi/base.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and len(css) > 100
    status, body, _headers = get(f"{demo}/console/login/")
    assert status == 200 and "登录" in body
    status, body, _headers = get(f"{demo}/")
    assert status == 200 and "我要反映" in body
