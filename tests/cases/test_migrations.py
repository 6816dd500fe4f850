"""Data migrations fill what they add from what was there before."""

from __future__ import annotations

import importlib

from django.apps import apps

from minyi.cases.models import Case
from tests.cases.helpers import do, new_case


def test_signed_on_time_is_taken_from_the_last_sign_for_event(world, clock):
    on_time = do(
        do(new_case(world.operator, category="010101"), "accept", world.dispatcher),
        "assign",
        world.dispatcher,
    )
    do(on_time, "sign_for", world.heating_handler)
    late = do(
        do(new_case(world.operator, category="010101"), "accept", world.dispatcher),
        "assign",
        world.dispatcher,
    )
    clock.advance(days=5)
    do(late, "sign_for", world.heating_handler)
    unsigned = new_case(world.operator)
    Case.objects.update(signed_on_time=None)  # as before the field existed
    migration = importlib.import_module("minyi.cases.migrations.0009_signed_on_time")
    migration.from_the_events(apps, None)
    found = dict(Case.objects.values_list("pk", "signed_on_time"))
    assert (found[on_time.pk], found[late.pk], found[unsigned.pk]) == (True, False, None)
