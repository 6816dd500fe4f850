"""The notifications page and the unread counter in the header."""

from __future__ import annotations

from minyi.notifications.models import Notification
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for, text_of


def test_an_assignment_shows_in_the_units_counter_and_opening_it_marks_it_read(world, clock):
    case = do(
        do(new_case(world.operator, category="010101"), "accept", world.operator), "assign", world.dispatcher
    )
    client = client_for(world.heating_handler)
    page = client.get("/console/notifications/")
    assert page.context["unread"] == 1 and 'id="unread"' in page.content.decode()
    assert case.tracking_number in text_of(page)
    item = Notification.objects.get(user=world.heating_handler)
    opened = client.get(f"/console/notifications/{item.pk}/")
    assert opened["Location"] == f"/console/cases/{case.pk}/"
    assert client.get("/console/notifications/").context["unread"] == 0


def test_mark_all_read_and_nobody_opens_another_users_notification(world, clock):
    do(do(new_case(world.operator, category="010101"), "accept", world.operator), "assign", world.dispatcher)
    item = Notification.objects.filter(user=world.heating_handler).first()
    assert client_for(world.housing_handler).get(f"/console/notifications/{item.pk}/").status_code == 404
    client = client_for(world.heating_handler)
    client.post("/console/notifications/read-all/")
    assert not Notification.objects.filter(user=world.heating_handler, read_at__isnull=True).exists()
