from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from minyi.core import clock as minyi_clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """'2026-02-13 10:00' in Beijing time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Clock:
    """The time the services see; tests move it explicitly."""

    def set(self, moment: dt.datetime | str) -> dt.datetime:
        moment = at(moment) if isinstance(moment, str) else moment
        minyi_clock.set_now(moment)
        return moment

    def advance(self, **delta: float) -> dt.datetime:
        return self.set(minyi_clock.now() + dt.timedelta(**delta))


@pytest.fixture
def clock():
    c = Clock()
    c.set("2026-11-25 09:00")
    yield c
    minyi_clock.set_now(None)


@pytest.fixture
def world(db):
    from tests.world import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 at production strength costs ~0.3 s per user; tests create dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tx_world(transactional_db):
    """The world, committed for real: for tests where several connections act at once."""
    from tests.world import build_world

    yield build_world()
    # The flush at the end empties the tables; the month sequences of tracking numbers on PostgreSQL
    # (cases 0010) are not tables: drop them too, so the next test numbers from 1 again.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s", ["cases_tracking_%"]
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP SEQUENCE {connection.ops.quote_name(name)}")


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs real concurrent connections: runs on PostgreSQL")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
