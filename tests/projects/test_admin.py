"""The ledger in the admin: an administrator opens it, and a changed plan changes the kept status."""

import datetime as dt

from minyi.projects import progress


def test_the_administrator_opens_the_ledger_pages(client, world, ledger):
    client.force_login(world.admin)
    for url in (
        "/admin/projects/batch/",
        "/admin/projects/project/",
        f"/admin/projects/project/{ledger.heating_project.pk}/change/",
        f"/admin/projects/subitem/{ledger.mains.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url


def test_moving_a_deadline_in_the_admin_recomputes_the_status(client, world, ledger):
    client.force_login(world.admin)
    item = ledger.stations
    page = client.get(f"/admin/projects/subitem/{item.pk}/change/")
    assert page.status_code == 200
    data = {
        "project": item.project_id,
        "number": item.number,
        "name": item.name,
        "unit": item.unit_id,
        "deadline": "2026-10-31",  # now past: unfinished, so lagging
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
    }
    done = client.post(f"/admin/projects/subitem/{item.pk}/change/", data)
    assert done.status_code == 302
    item.refresh_from_db()
    assert (item.deadline, item.status) == (dt.date(2026, 10, 31), progress.LAGGING)
