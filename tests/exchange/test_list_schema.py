"""The list table's indexes: one besides the key, led by the batch (exchange migration 0006)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_list_table_has_one_index_besides_its_key_led_by_the_batch() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "exchange_listrecord")
    indexes = sorted(
        tuple(c["columns"]) for c in constraints.values() if (c["index"] or c["unique"]) and not c["primary_key"]
    )
    assert indexes == [("batch_id", "id_hash")]
