"""SMS/e-mail delivery: after commit, claimed once, retried on failure."""

from __future__ import annotations

from minyi.notifications.models import OutboundMessage
from minyi.notifications.services import deliver_pending, mark_read, notify, unread_count

SENT: list[tuple[str, str]] = []


class RecordingSender:
    def send(self, recipient, subject, body):
        SENT.append((recipient, body))


class BrokenSender:
    def send(self, recipient, subject, body):
        raise ConnectionError("gateway down")


def test_a_message_is_sent_once(world, settings):
    settings.MINYI_SMS_SENDER = "tests.notifications.test_delivery.RecordingSender"
    SENT.clear()
    notify([world.heating_handler], kind="overdue", message="超期提醒", sms=True)
    assert deliver_pending() == 1
    assert deliver_pending() == 0
    assert SENT == [("13800000000", "超期提醒")]
    assert OutboundMessage.objects.get().state == "sent"


def test_a_failing_gateway_is_retried_then_given_up(world, settings):
    settings.MINYI_SMS_SENDER = "tests.notifications.test_delivery.BrokenSender"
    notify([world.heating_handler], kind="overdue", message="超期提醒", sms=True)
    for _ in range(4):
        deliver_pending()
        assert OutboundMessage.objects.get().state == "pending"
    deliver_pending()
    message = OutboundMessage.objects.get()
    assert (message.state, message.attempts, message.last_error) == ("failed", 5, "gateway down")


def test_in_app_notifications_are_counted_and_read(world):
    notify([world.heating_handler, world.heating_handler], kind="reminder", message="催办")
    assert unread_count(world.heating_handler) == 1
    assert mark_read(world.heating_handler) == 1
    assert unread_count(world.heating_handler) == 0
