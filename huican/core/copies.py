"""Columnar copies of whole tables, known to be current by a trigger-kept version.

Reading a million persons and five million survey rows through the database driver takes tens of
seconds; reading the same rows as a few Parquet values takes about a second. The rules, findings
and indicators of a whole city read the registry this way (``huican.policy.facts``).

A copy can never be stale. Database triggers (migration core 0003) raise the table's
``TableVersion`` on writes, however they are made: on PostgreSQL every INSERT, UPDATE and DELETE
statement; on SQLite every updated or deleted row, while an insert shows in the row count (an
insert trigger would make SQLite journal every inserted row's pages). A table's ``stamp`` is its
version (and on SQLite its row count), and a copy is used only while its stamp is the table's.
``read_or_fetch`` returns the copy when it is current, and otherwise reads the table and stores a
new copy, stamped *before* the rows were read (if anything is written in between, that stamp is
already old and the copy will not be used). SQLite's REPLACE deletes without a delete trigger unless
``recursive_triggers`` is on: the connection turns it on (settings).
Imports refresh the copies of what they wrote in their own transaction (``refresh``), so the
first whole-city computation after an import does not pay for the read either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import polars as pl
from django.db import IntegrityError, OperationalError, connection, transaction

from huican.core.frames import PART_ROWS, from_parquet, parquet_parts, save_parts
from huican.core.models import TableCopy, TableVersion

WATCHED = ("registry_person", "registry_survey")
logger = logging.getLogger(__name__)


def stamp(table: str) -> str | None:
    """The table's current stamp (None when its counter is missing, e.g. after a test flush)."""
    if table not in WATCHED:
        raise ValueError(f"{table} is not a watched table")
    version = TableVersion.objects.filter(table=table).values_list("version", flat=True).first()
    if version is None:
        return None
    if connection.vendor == "postgresql":
        return str(version)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # a watched table (checked above)
        (rows,) = cursor.fetchone()
    return f"{version}/{rows}"


def read(table: str, columns: Sequence[str] | None = None) -> pl.DataFrame | None:
    """The copy of `table` (only `columns`, when given) if one exists for its current stamp, else None."""
    current = stamp(table)
    if current is None:
        return None
    parts = TableCopy.objects.filter(table=table, stamp=current).order_by("part")
    frames = [
        from_parquet(data, columns) for data in parts.values_list("data", flat=True).iterator(chunk_size=1)
    ]
    if not frames:
        return None
    return pl.concat(frames, rechunk=True)


def store(table: str, frame: pl.DataFrame, *, at_stamp: str) -> None:
    """Keep `frame` as the copy of `table` as of `at_stamp` (replacing any older copy)."""
    try:
        with transaction.atomic():
            TableCopy.objects.filter(table=table).delete()
            save_parts(TableCopy, {"table": table, "stamp": at_stamp}, parquet_parts(frame, PART_ROWS))
    except IntegrityError:  # another process stored a copy at the same moment: keep theirs
        return


def read_or_fetch(table: str, fetch: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """The current copy of `table`, or `fetch()` from the table (then kept as its copy)."""
    copied = read(table)
    if copied is not None:
        return copied
    before = stamp(table)
    frame = fetch()
    if before is None:
        _restart_counter(table)  # the rows just read carry no version: keep no copy of them
    else:
        try:
            # A reader does not queue behind an import holding the lock for minutes: it keeps no
            # copy this time (the import stores its own when it commits).
            with _quick_write():
                store(table, frame, at_stamp=before)
        except OperationalError as exc:
            logger.info("no copy of %s kept this time: %s", table, exc)
    return frame


@contextmanager
def _quick_write(milliseconds: int = 500) -> Iterator[None]:
    """A transaction that waits at most `milliseconds` for the database's locks (OperationalError)."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            (previous,) = cursor.fetchone()
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"])
            yield
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
        return
    # SQLite takes its write lock at BEGIN (IMMEDIATE): shorten the busy wait around it.
    configured = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        with transaction.atomic():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {configured}")


def refresh(table: str, fetch: Callable[[], pl.DataFrame]) -> None:
    """Inside a writer's transaction, after its writes: store the copy of what the table now holds."""
    current = stamp(table) or _restart_counter(table)
    store(table, fetch(), at_stamp=current)


def _restart_counter(table: str) -> str:
    """A lost counter (e.g. emptied by a test flush) starts again; copies made before it are dropped."""
    with transaction.atomic():
        TableCopy.objects.filter(table=table).delete()
        TableVersion.objects.get_or_create(table=table)
    current = stamp(table)
    assert current is not None
    return current
