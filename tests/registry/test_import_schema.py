"""What the registry's tables carry for the imports' sake (registry migrations 0006 to 0008)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _constraints(table: str) -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def test_a_survey_rows_person_is_not_checked_by_the_database_but_stays_unique_per_year() -> None:
    survey = _constraints("registry_survey")
    assert not [c for c in survey.values() if c["foreign_key"] and c["columns"] == ["person_id"]]
    assert [c for c in survey.values() if c["unique"] and c["columns"] == ["person_id", "year"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL has pattern indexes")
def test_the_person_table_keeps_pattern_indexes_only_where_a_prefix_is_searched() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'registry_person'")
        definitions = [d for (d,) in cursor.fetchall()]
    patterns = {d.split("(")[-1].split()[0] for d in definitions if "varchar_pattern_ops" in d}
    assert patterns == {"county_code", "township_code", "region_id", "name"}
    person = _constraints("registry_person")
    for column in ("id_hash", "phone_hash", "household_number"):
        assert [c for c in person.values() if (c["index"] or c["unique"]) and c["columns"] == [column]], (
            column
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL has pattern indexes")
def test_the_searched_text_columns_have_their_pattern_index_only() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'registry_person'")
        definitions = [d for (d,) in cursor.fetchall()]
    for column in ("county_code", "township_code", "region_id", "name"):
        on_column = [d for d in definitions if d.endswith(f"({column})") or f"({column} " in d]
        assert len(on_column) == 1 and "varchar_pattern_ops" in on_column[0], (column, on_column)
