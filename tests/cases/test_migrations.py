"""Data migrations fill what they add from what was there before, and every app's latest migrations,
applied to a database that holds rows in every table, keep every row and every value."""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

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


# --- every app's latest migrations, applied to a database that holds data --------------------------

ROWS = 3  # rows per table: enough for unique values and foreign keys to differ between rows


def apps_with_later_migrations() -> list[str]:
    """minyi's apps whose latest migration came after their initial ones: the ones a database holding
    data gets on an upgrade."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return sorted(
        label
        for label, _name in graph.leaf_nodes()
        if apps.get_app_config(label).name.startswith("minyi.")
        and not graph.nodes[graph.leaf_nodes(label)[0]].initial
    )


def state_before(graph, app_label: str) -> tuple[list[tuple[str, str | None]], set]:
    """The migration targets of the database as it was before `app_label`'s latest migration, and
    the migrations that are unapplied there: that migration and all that depend on it. An app whose
    initial migrations would be left half applied goes back to none (its tables did not exist yet)."""
    undone = set(graph.backwards_plan(graph.leaf_nodes(app_label)[0]))

    def initial(label: str, *, is_undone: bool) -> bool:
        return any(
            n[0] == label and graph.nodes[n].initial and (n in undone) == is_undone for n in graph.nodes
        )

    while half := {
        label for label, _name in undone if initial(label, is_undone=True) and initial(label, is_undone=False)
    }:
        for label in half:
            undone.update(graph.backwards_plan(graph.root_nodes(label)[0]))
    targets = []
    for label in sorted({n[0] for n in undone}):
        kept = [n for n in graph.nodes if n[0] == label and n not in undone]
        # The app's last kept migration: none of its children in the app is kept.
        last = [n for n in kept if not any(c in kept for c in graph.node_map[n].children)]
        targets.append(last[0] if last else (label, None))
    return targets, undone


def value_for(field, i: int):
    """A value the column accepts, different for each row i (unique columns stay unique)."""
    from django.db import models

    base = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    if field.choices:
        choices = [value for value, _label in field.flatchoices]
        return choices[i % len(choices)] if not field.unique else choices[i]
    if isinstance(field, models.BooleanField):
        return bool(i % 2)
    if isinstance(field, models.DateTimeField):
        return base + dt.timedelta(hours=i)
    if isinstance(field, models.DateField):
        return (base + dt.timedelta(days=i)).date()
    if isinstance(field, models.TimeField):
        return dt.time(9, i)
    if isinstance(field, models.DurationField):
        return dt.timedelta(minutes=i + 1)
    if isinstance(field, models.DecimalField):
        return decimal.Decimal(i + 1)
    if isinstance(field, models.IntegerField | models.FloatField):
        return i + 1
    if isinstance(field, models.UUIDField):
        return uuid.UUID(int=i + 1)
    if isinstance(field, models.JSONField):
        return {"row": i}
    if isinstance(field, models.BinaryField):
        return bytes([i])
    if isinstance(field, models.GenericIPAddressField):
        return f"10.0.0.{i + 1}"
    if isinstance(field, models.EmailField):
        return f"r{i}@example.org"
    if isinstance(field, models.FileField):
        return f"files/r{i}.txt"
    if isinstance(field, models.CharField | models.TextField):
        text = f"{field.name[:6]}{i}"
        return text[-field.max_length :] if field.max_length else text
    raise AssertionError(f"no test value for {field.model.__name__}.{field.name} ({type(field).__name__})")


def fill(historical_apps) -> None:
    """ROWS rows in every table of the historical state, foreign keys pointing at earlier rows."""
    pending = [m for m in historical_apps.get_models() if not m._meta.auto_created]
    made: dict[type, list] = {}
    while pending:
        ready = [
            m
            for m in pending
            if all(
                f.related_model in made or f.related_model is m or (f.null and not f.many_to_many)
                for f in [*m._meta.concrete_fields, *m._meta.local_many_to_many]
                if f.is_relation
            )
        ]
        assert ready, f"foreign keys in a cycle: {[m.__name__ for m in pending]}"
        for model in ready:
            pending.remove(model)
            made[model] = []
            for i in range(ROWS):
                made[model].append(create_row(model, i, made))
            for m2m in model._meta.local_many_to_many:
                if m2m.remote_field.through._meta.auto_created:
                    for row in made[model]:
                        getattr(row, m2m.name).add(*made[m2m.related_model][:1])


def create_row(model, i: int, made: dict):
    from django.db import IntegrityError, transaction

    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and field.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
            continue
        if field.is_relation:
            targets = made.get(field.related_model, [])
            if field.related_model is model or not targets:
                values[field.name] = None
            else:  # a one-to-one must point at a row of its own
                values[field.name] = targets[i % len(targets)]
            continue
        values[field.name] = value_for(field, i)
    try:
        with transaction.atomic():
            return model._default_manager.create(**values)
    except IntegrityError:
        # A check constraint may tie an optional link to a kind ("a problem from a case has the case"):
        # the same row without its optional links.
        for field in model._meta.concrete_fields:
            if field.is_relation and field.null:
                values[field.name] = None
        with transaction.atomic():
            return model._default_manager.create(**values)


def snapshot() -> dict[str, list[dict]]:
    """Every table's rows (as dicts of column to value) in primary-key order."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table == "django_migrations":
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            found[table] = sorted(rows, key=lambda r: [str(r[c]) for c in columns])
    return found


@pytest.mark.parametrize("app_label", apps_with_later_migrations())
def test_an_apps_latest_migrations_keep_every_row_and_value(transactional_db, app_label):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before, undone = state_before(executor.loader.graph, app_label)
    try:
        executor.migrate(before)
        fill(executor.loader.project_state([n for n in executor.loader.graph.nodes if n not in undone]).apps)
        old = snapshot()
        app_tables = [t for t in old if t.startswith(f"{app_label}_")]
        assert app_tables and all(old[t] for t in app_tables), app_tables
        MigrationExecutor(connection).migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)  # the next tests need the current schema
    new = snapshot()
    for table, rows in old.items():
        assert len(new[table]) == len(rows), table
        kept = [{c: r[c] for c in r if c in rows[0]} for r in new[table]] if rows else []
        assert kept == rows, table
