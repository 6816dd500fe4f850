"""Text search on PostgreSQL: a GIN index over the pairs of adjacent characters (bigrams) of each
case's title, description and address. Chinese has no spaces to split words at; every substring of two
characters or more has all its bigrams in the text, so the index finds the few candidate cases and
the exact ILIKE test keeps only true matches (console.filters.filter_cases). On a million cases the
index takes about 170 MB and a few minutes to build; SQLite searches without it."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION minyi_case_bigrams(title text, description text, address text) RETURNS text[]
IMMUTABLE PARALLEL SAFE STRICT LANGUAGE sql AS $$
    SELECT coalesce(array_agg(DISTINCT substr(s, i, 2)), '{}')
    FROM (SELECT lower(regexp_replace(title || ' ' || description || ' ' || address, '\s+', '', 'g')) AS s) t,
         generate_series(1, length(s) - 1) i
$$;
CREATE INDEX IF NOT EXISTS case_text_bigrams ON cases_case
    USING gin (minyi_case_bigrams(title, description, address));
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS case_text_bigrams")
            cursor.execute("DROP FUNCTION IF EXISTS minyi_case_bigrams(text, text, text)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_index_status_replied")]

    operations = [migrations.RunPython(create, drop)]
