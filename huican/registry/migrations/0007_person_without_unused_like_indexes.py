"""PostgreSQL: drop the three pattern-operator ("_like") indexes of registry_person that no query
uses. Django adds one beside every indexed text column, for LIKE 'prefix%' queries; the ID-number
hash, the phone hash and the household number are only ever compared whole (=, IN, a join, or
UPPER() = UPPER() for iexact, which no plain index serves). Each costs a random index insert per
person written: at a million persons, inserting the registry took 37.0 s with them, 27.4 s without
(bench/README.md). The plain and unique indexes on these columns stay. SQLite has no such indexes.

Django's migration state never held these indexes (they derive from db_index/unique), and a later
change of one of these fields drops them with DROP INDEX IF EXISTS."""

from django.db import migrations

COLUMNS = ("id_hash", "phone_hash", "household_number")


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'registry_person'"
                " AND indexdef LIKE %s",
                [f"%({column} varchar_pattern_ops)%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "registry_person_{column}_like"'
                f' ON registry_person ("{column}" varchar_pattern_ops)'
            )


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0006_survey_person_without_db_constraint"),
    ]

    operations = [migrations.RunPython(drop_like_indexes, create_like_indexes)]
