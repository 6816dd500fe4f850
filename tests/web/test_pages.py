"""What every page of the console and the portal shares: the security headers and the error pages."""

from __future__ import annotations

from django.test import Client


def test_console_and_portal_pages_allow_only_our_own_scripts(db):
    for url in ("/", "/console/login/"):
        policy = Client().get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


def test_an_unknown_address_is_a_friendly_404(db):
    response = Client().get("/console/no-such-page/")
    assert response.status_code == 404 and "未找到" in response.content.decode()
