"""PostgreSQL: the county, township, region and name columns of registry_person keep one index
each, their pattern-operator ("_like") index, not also the plain one Django adds beside it.

A varchar_pattern_ops index serves equality (=, IN) as well as LIKE 'prefix%', which is how these
columns are searched (a region's persons by prefix, a county by code, a name whole or by its
start); the plain index served only the same equality, and sorting, which the pages do on the few
rows a query finds. Each index costs an insert per person written: inserting a million persons into
a copy of the table took 19.5 s with both, 14.6 s without the plain indexes of the three codes,
11.7 s without the name's as well (bench/README.md). SQLite has no pattern indexes and keeps its
plain ones.

Django's migration state still derives these indexes from db_index; a later change of one of these
fields looks the index up by column and finds none to drop."""

from django.db import migrations

COLUMNS = ("county_code", "township_code", "region_id", "name")


def drop_plain_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'registry_person' AND indexdef LIKE %s",
                [f"%USING btree ({column})"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_plain_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "registry_person_{column}_plain" ON registry_person ("{column}")'
            )


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0007_person_without_unused_like_indexes"),
    ]

    operations = [migrations.RunPython(drop_plain_indexes, create_plain_indexes)]
