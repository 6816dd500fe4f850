"""The demo loaded once for all the demo tests (150 cases at NOW), rolled back at the end."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from minyi.core import clock
from tests.conftest import at

NOW = at("2026-11-25 10:30")  # a Wednesday in the heating season
CASES = 150


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    """The demo's output; its data stays in the database until the last demo test has run."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        with clock.frozen_at(NOW), fast_hashing:
            call_command("demo", cases=CASES, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
