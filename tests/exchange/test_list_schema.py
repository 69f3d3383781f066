"""The list table's indexes: one besides the key, led by the batch (exchange migration 0006)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_list_table_has_one_index_besides_its_key_led_by_the_batch() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "exchange_listrecord")
    indexes = sorted(
        tuple(c["columns"])
        for c in constraints.values()
        if (c["index"] or c["unique"]) and not c["primary_key"]
    )
    assert indexes == [("batch_id", "id_hash")]


def _analyzes(kind: str, written: int) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    from huican.exchange.pipeline import refresh_statistics

    with CaptureQueriesContext(connection) as queries:
        refresh_statistics(kind, written)
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]


def test_an_import_refreshes_the_statistics_of_the_table_it_wrote() -> None:
    with (
        connection.cursor() as cursor
    ):  # the tables as they are now (empty), not as an earlier test left them
        for table in ("exchange_listrecord", "registry_person", "registry_survey"):
            cursor.execute(f"ANALYZE {table}")
    assert _analyzes("dibao", 1) == ['ANALYZE "exchange_listrecord"']
    assert _analyzes("services", 1) == ['ANALYZE "exchange_listrecord"']
    assert _analyzes("registry", 1) == ['ANALYZE "registry_person"']
    assert _analyzes("survey", 1) == ['ANALYZE "registry_survey"']
    # Written by another app, into its own tables: not the list table's statistics.
    for kind in ("applications", "employers", "employer_staff", "levy_standards"):
        assert _analyzes(kind, 1000) == [], kind


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's autovacuum takes the small imports"
)
def test_on_postgresql_a_small_import_into_a_large_table_leaves_the_statistics_to_autovacuum() -> None:
    from tests.factories import make_id_number, make_list_record

    for _ in range(60):
        make_list_record("dibao", make_id_number())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE exchange_listrecord")
    assert _analyzes("dibao", 5) == []  # under a tenth of the table's 60 rows
    assert _analyzes("dibao", 6) == ['ANALYZE "exchange_listrecord"']
