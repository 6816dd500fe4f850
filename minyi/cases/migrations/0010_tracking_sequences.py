"""On PostgreSQL, tracking numbers come from one sequence per month, drawn by a function that creates
the month's sequence on first use (starting after the month's counter row, so numbers drawn before
this migration are never drawn again). See cases.services.reserve_tracking_numbers for why."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION minyi_tracking_numbers(month text, amount integer) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
    name text := 'cases_tracking_' || month;
    first bigint;
BEGIN
    IF to_regclass(name) IS NULL THEN
        SELECT COALESCE(MAX(value), 0) + 1 INTO first FROM cases_trackingcounter WHERE period = month;
        BEGIN
            EXECUTE format('CREATE SEQUENCE %I START WITH %s', name, first);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;  -- another session created it a moment ago
        END;
    END IF;
    RETURN QUERY SELECT nextval(name) FROM generate_series(1, amount) ORDER BY 1;
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no parameters: format()'s %I stays as it is
            cursor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS minyi_tracking_numbers(text, integer)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_signed_on_time")]

    operations = [migrations.RunPython(create, drop)]
