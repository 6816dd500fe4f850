"""Chinese first, English on request."""

from __future__ import annotations


def test_the_admin_speaks_chinese_and_switches_to_english(client, world):
    client.force_login(world.admin)
    page = client.get("/admin/").content.decode()
    assert "站点管理" in page and 'value="en"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    page = client.get("/admin/").content.decode()
    assert "Site administration" in page and 'value="zh-hans"' in page
