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


def test_a_host_this_server_does_not_serve_gets_a_page_that_says_what_to_do(db):
    response = Client(HTTP_HOST="evil.example").get("/")

    assert response.status_code == 400
    page = response.content.decode()
    assert "请使用中心提供的地址" in page and "evil.example" not in page


def test_a_form_with_3000_fields_is_a_clear_400_in_each_parts_own_shape(db):
    fields = {f"f{i}": "x" for i in range(3000)}

    page = Client().post("/console/login/", fields)
    assert page.status_code == 400 and "表单提交了超过 1000 个字段" in page.content.decode()
    open311 = Client().post("/open311/v2/requests.json", fields)
    assert open311.status_code == 400
    assert open311.json()[0]["code"] == 400 and "1000" in open311.json()[0]["description"]
