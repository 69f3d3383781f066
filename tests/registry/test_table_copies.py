"""Columnar copies of the registry tables: used only while current, whatever writes the table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection

from huican.core import copies
from huican.core.models import TableCopy, TableVersion
from huican.exchange.pipeline import run_import
from huican.policy.facts import all_persons, all_surveys, load_facts, load_facts_by_query
from huican.registry.models import Person, Survey
from huican.synth.generator import generate

pytestmark = pytest.mark.django_db

PERSONS = Person._meta.db_table
SURVEYS = Survey._meta.db_table


@pytest.fixture
def registry(tmp_path: Path) -> None:
    files = generate(persons=300, seed=5, out=tmp_path / "data")
    for kind in ("standards", "registry", "survey"):
        run_import(kind=kind, path=files[kind], actor="test")


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(pl.all())


def test_imports_leave_current_copies_equal_to_the_tables(registry: None) -> None:
    persons, surveys = copies.read(PERSONS), copies.read(SURVEYS)
    assert persons is not None and surveys is not None
    assert persons.height == Person.objects.count() > 0
    assert surveys.height == Survey.objects.count() > 0
    assert persons.equals(all_persons())
    assert _sorted(surveys).equals(_sorted(all_surveys()))


@pytest.mark.parametrize(
    "write",
    [
        "orm_save",
        "queryset_update",
        "raw_update",
        "delete_survey",
        "orm_create_survey",
    ],
)
def test_any_write_makes_the_copy_stale(registry: None, write: str) -> None:
    before = {t: copies.stamp(t) for t in (PERSONS, SURVEYS)}
    person = Person.objects.order_by("id").first()
    assert person is not None
    table = PERSONS
    if write == "orm_save":
        person.name = "改名"
        person.save()
    elif write == "queryset_update":
        Person.objects.filter(pk=person.pk).update(status="死亡", status_date=dt.date(2025, 1, 2))
    elif write == "raw_update":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {PERSONS} SET household_number = %s WHERE id = %s", ["HX", person.pk])
    elif write == "delete_survey":
        table = SURVEYS
        Survey.objects.filter(person=person).delete()
    else:
        table = SURVEYS
        Survey.objects.create(person=person, year=2030, household_size=1)
    assert copies.stamp(table) != before[table]
    assert copies.read(table) is None  # never the stale copy
    fresh = load_facts(on=dt.date(2025, 6, 30))  # reads the table, keeps a new copy
    assert copies.read(table) is not None
    if table == PERSONS:
        row = fresh.persons.filter(pl.col("person_id") == person.pk).row(0, named=True)
        person.refresh_from_db()
        assert (row["name"], row["status"], row["household_number"]) == (
            person.name,
            person.status,
            person.household_number,
        )
    else:
        assert _sorted(fresh.surveys).equals(_sorted(all_surveys()))


def test_the_whole_city_and_a_region_read_the_same_rows(registry: None) -> None:
    on = dt.date(2025, 6, 30)
    everyone = load_facts(on=on)  # copies
    by_query = load_facts_by_query(on=on, region="1409")  # SQL, a region covering the whole city
    assert _sorted(everyone.persons).equals(_sorted(by_query.persons))
    assert _sorted(everyone.surveys).equals(_sorted(by_query.surveys))


def test_a_copy_read_is_not_refetched_and_rows_written_during_a_read_are_not_kept(registry: None) -> None:
    calls = []

    def fetch() -> pl.DataFrame:
        calls.append(1)
        return all_persons()

    TableCopy.objects.filter(table=PERSONS).delete()
    copies.read_or_fetch(PERSONS, fetch)
    copies.read_or_fetch(PERSONS, fetch)
    assert len(calls) == 1  # the second read used the copy

    def fetch_while_someone_writes() -> pl.DataFrame:
        frame = all_persons()
        Person.objects.filter(pk=Person.objects.order_by("id").values("id")[:1]).update(name="同时写入")
        return frame

    TableCopy.objects.filter(table=PERSONS).delete()
    copies.read_or_fetch(PERSONS, fetch_while_someone_writes)
    assert copies.read(PERSONS) is None  # stamped with the version before the write: never used


def test_a_lost_counter_starts_again_without_trusting_old_copies(registry: None) -> None:
    TableVersion.objects.filter(table=PERSONS).delete()
    assert copies.read(PERSONS) is None
    first = copies.read_or_fetch(PERSONS, all_persons)
    assert TableVersion.objects.filter(table=PERSONS).exists()
    assert not TableCopy.objects.filter(table=PERSONS).exists()  # rows read without a version
    assert copies.read_or_fetch(PERSONS, all_persons).equals(first)
    assert copies.read(PERSONS) is not None


def test_large_tables_are_stored_in_parts(registry: None, monkeypatch) -> None:
    monkeypatch.setattr(copies, "PART_ROWS", 100)
    TableCopy.objects.filter(table=SURVEYS).delete()
    copies.read_or_fetch(SURVEYS, all_surveys)
    assert TableCopy.objects.filter(table=SURVEYS).count() > 1
    copied = copies.read(SURVEYS)
    assert copied is not None and _sorted(copied).equals(_sorted(all_surveys()))


@pytest.mark.django_db(transaction=True)
def test_a_reader_does_not_wait_for_a_long_import_to_keep_its_copy(registry: None) -> None:
    """While another process holds the write lock (an import), a reader answers without a copy."""
    TableCopy.objects.filter(table=PERSONS).delete()
    other: Any
    if connection.vendor == "postgresql":
        import psycopg

        other = psycopg.connect(**connection.get_connection_params())
        hold = (  # an uncommitted copy part, as an import's refresh would hold
            "INSERT INTO core_tablecopy (\"table\", stamp, part, rows, data) VALUES (%s, '0', 0, 0, '')",
            [PERSONS],
        )
    else:
        import sqlite3

        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        hold = ("BEGIN IMMEDIATE", [])
    try:
        other.execute(*hold)
        frame = copies.read_or_fetch(PERSONS, all_persons)
    finally:
        other.rollback()
        other.close()
    assert frame.height == Person.objects.count()
    assert copies.read(PERSONS) is None  # nothing kept this time
    if connection.vendor == "sqlite":  # the short wait was for the copy only
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == connection.settings_dict["OPTIONS"]["timeout"] * 1000
    copies.read_or_fetch(PERSONS, all_persons)  # the lock is gone: now the copy is kept
    assert copies.read(PERSONS) is not None


def test_a_raw_insert_or_replace_makes_the_copy_stale(registry: None) -> None:
    """Inserts show in the stamp (row count on SQLite); REPLACE's deletion fires the delete trigger."""
    survey = Survey.objects.order_by("id").first()
    assert survey is not None and copies.read(SURVEYS) is not None
    columns = "person_id, year, household_size, income, employment"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"INSERT OR REPLACE INTO {SURVEYS} (id, {columns}) VALUES (%s, %s, %s, %s, %s, %s)",
                [survey.pk, survey.person_id, survey.year, 9, 1, ""],
            )
        else:
            cursor.execute(
                f"INSERT INTO {SURVEYS} ({columns}) VALUES (%s, %s, %s, %s, %s)",
                [survey.person_id, 2031, 9, 1, ""],
            )
    assert copies.read(SURVEYS) is None


def test_only_watched_tables_have_stamps() -> None:
    with pytest.raises(ValueError):
        copies.stamp("accounts_user")
