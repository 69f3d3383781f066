"""Columnar copies of list batches and the frame reader: the same values as the table, every way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from django.utils import timezone

from huican.core.frames import fetch_frame, sql_date, sql_flag, sql_real
from huican.exchange import columnar
from huican.exchange.kinds import IMPORT_ORDER
from huican.exchange.models import BatchColumns, ImportBatch, ListRecord
from huican.exchange.pipeline import run_import
from huican.exchange.snapshots import LIST_KINDS, batches_in_force
from huican.policy.facts import load_facts, load_facts_by_query
from huican.synth.generator import generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(tmp_path: Path) -> dict[str, int]:
    files = generate(persons=400, seed=11, out=tmp_path / "data")
    batches = {}
    for kind in IMPORT_ORDER:
        batches[kind] = run_import(kind=kind, path=files[kind], actor="test").pk
    return batches


def _all_list_batches() -> list[int]:
    return [b for ids in batches_in_force(timezone.localdate()).values() for b in ids]


def test_every_list_import_stores_a_copy_equal_to_its_rows(city: dict[str, int]) -> None:
    for kind in LIST_KINDS:
        batch_id = city[kind]
        assert ImportBatch.objects.get(pk=batch_id).status == ImportBatch.Status.DONE
        parts = BatchColumns.objects.filter(batch_id=batch_id)
        assert sum(p.rows for p in parts) == ListRecord.objects.filter(batch_id=batch_id).count() > 0, kind
        from_copy = columnar.read([batch_id])
        from_table = columnar._from_table([batch_id])
        assert from_copy.schema == from_table.schema
        assert from_copy.equals(from_table), kind
    # Registry, survey and standards are not lists: no copy.
    assert not BatchColumns.objects.filter(batch_id__in=[city["registry"], city["survey"], city["standards"]])


def test_facts_are_the_same_with_and_without_copies(city: dict[str, int]) -> None:
    on = dt.date(2025, 6, 30)
    with_copies = load_facts(on=on)
    BatchColumns.objects.all().delete()
    from_table = load_facts(on=on)
    for kind in LIST_KINDS:
        assert (
            with_copies.lists[kind]
            .sort("batch_id", "row_number")
            .equals(from_table.lists[kind].sort("batch_id", "row_number"))
        ), kind
    assert with_copies.renovations.height > 0
    assert with_copies.renovations.sort(pl.all()).equals(from_table.renovations.sort(pl.all()))


def test_renovations_for_everyone_match_the_per_region_query(city: dict[str, int]) -> None:
    on = dt.date(2025, 6, 30)
    everyone = load_facts(on=on).renovations  # from the loaded service records
    by_query = load_facts_by_query(on=on, region="1409").renovations  # SQL, every county of the city
    assert everyone.height > 0
    assert everyone.sort(pl.all()).equals(by_query.sort(pl.all()))


def _same(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    return a.schema == b.schema and a.sort(pl.all()).equals(b.sort(pl.all()))


def test_a_region_from_the_copies_equals_the_region_by_query(city: dict[str, int]) -> None:
    on = dt.date(2025, 6, 30)
    everyone = load_facts(on=on)
    counties = sorted({c for c in everyone.persons["county_code"].unique()})
    township = everyone.persons["township_code"][0]
    for region in [*counties[:3], township, "140900"]:
        copied = load_facts(on=on, region=region)
        queried = load_facts_by_query(on=on, region=None if region == "140900" else region)
        assert copied.persons.height > 0, region
        assert _same(copied.persons, queried.persons), region
        assert _same(copied.surveys, queried.surveys), region
        for kind in LIST_KINDS:
            mine = copied.lists[kind]
            if region == "140900":  # the city keeps rows of people outside the registry too
                mine = mine.filter(pl.col("person_id").is_not_null())
            assert _same(mine, queried.lists[kind]), (region, kind)
        assert _same(copied.receiving, queried.receiving), region
        assert _same(copied.renovations, queried.renovations), region


def test_a_batch_without_a_copy_is_read_from_the_table_and_can_be_rebuilt(city: dict[str, int]) -> None:
    ids = _all_list_batches()
    before = columnar.read(ids)
    BatchColumns.objects.filter(batch_id=city["pension"]).delete()
    assert columnar.read(ids).equals(before)
    assert columnar.rebuild([city["pension"]]) == 1
    assert BatchColumns.objects.filter(batch_id=city["pension"]).exists()
    assert columnar.read(ids).equals(before)


def test_repeated_service_records_are_not_copied_twice(city: dict[str, int], tmp_path: Path) -> None:
    first = ImportBatch.objects.get(pk=city["services"])
    again = run_import(kind="services", path=Path(first.stored_path), actor="test")
    # The same file again is recognised as unchanged, or stores nothing new: either way no new rows.
    assert ListRecord.objects.filter(batch_id=again.pk).count() == 0
    assert columnar.read([again.pk]).height == 0
    assert (
        columnar.read(_all_list_batches()).height
        == ListRecord.objects.filter(batch_id__in=_all_list_batches()).count()
    )


def test_a_deleted_batch_takes_its_copy_with_it(city: dict[str, int]) -> None:
    ImportBatch.objects.filter(pk=city["deaths"]).delete()
    assert not BatchColumns.objects.filter(batch_id=city["deaths"]).exists()


def test_large_batches_are_stored_in_parts(city: dict[str, int], monkeypatch) -> None:
    monkeypatch.setattr(columnar, "PART_ROWS", 50)
    batch_id = city["medical"]
    expected = columnar._from_table([batch_id])
    assert columnar.rebuild([batch_id]) == 1
    parts = BatchColumns.objects.filter(batch_id=batch_id)
    assert parts.count() == -(-expected.height // 50) > 1
    assert columnar.read([batch_id]).equals(expected)


# --- the frame reader -------------------------------------------------------------------------------

AWKWARD = ["", 'say "hi"', "a,b", "line1\nline2", "O'Brien", "空格 与\t制表", "\\N", "NULL"]


@pytest.mark.parametrize("text", AWKWARD)
def test_fetch_frame_keeps_text_nulls_numbers_booleans_and_dates(text: str) -> None:
    sql = (
        f"SELECT %s, CAST(NULL AS TEXT), 7, CAST(%s AS DOUBLE PRECISION), {sql_real('%s')},"
        f" {sql_date('%s')}, CAST(NULL AS TEXT), %s, %s FROM (SELECT 1 AS one) t"
    )
    params = [text, 2.5, "12.34", "2024-02-29", True, False]
    schema = {
        "text": pl.String,
        "missing": pl.String,
        "count": pl.Int64,
        "ratio": pl.Float64,
        "money": pl.Float64,
        "day": pl.Date,
        "no_day": pl.Date,
        "yes": pl.Boolean,
        "no": pl.Boolean,
    }
    frame = fetch_frame(sql, params, schema)
    assert frame.schema == pl.Schema(schema)
    assert frame.row(0) == (text, None, 7, 2.5, 12.34, dt.date(2024, 2, 29), None, True, False)


def test_fetch_frame_of_no_rows_has_the_schema() -> None:
    schema = {"id": pl.Int64, "day": pl.Date, "name": pl.String}
    frame = fetch_frame(
        f"SELECT id, {sql_date('imported_at')}, file_name FROM {ImportBatch._meta.db_table} WHERE 1 = 0",
        [],
        schema,
    )
    assert frame.height == 0 and frame.schema == pl.Schema(schema)


def test_fetch_frame_reads_more_rows_than_one_chunk() -> None:
    """Rows stream through COPY on PostgreSQL and through the driver in chunks on SQLite."""
    frame = fetch_frame(
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 250000) SELECT n FROM s",
        [],
        {"n": pl.Int64},
    )
    assert frame.height == 250_000 and frame["n"].sum() == 250_000 * 250_001 // 2


def test_fetch_frame_reads_boolean_columns_raw_or_as_flags(django_user_model) -> None:
    django_user_model.objects.create_user(username="on", password="x" * 16, is_active=True)
    django_user_model.objects.create_user(username="off", password="x" * 16, is_active=False)
    table = django_user_model._meta.db_table
    frame = fetch_frame(
        f"SELECT username, is_active, {sql_flag('is_active')} FROM {table}"
        " WHERE username IN ('on', 'off') ORDER BY username",
        [],
        {"username": pl.String, "raw": pl.Boolean, "flag": pl.Boolean},
    )
    assert frame.rows() == [("off", False, False), ("on", True, True)]
