"""Fast bulk writes for imports: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db import OperationalError, connection
from psycopg.copy import QueuedLibpqWriter

CHUNK = 20_000
# Rows of a frame turned into CSV text at a time for PostgreSQL's COPY.
COPY_ROWS = 100_000

Rows = Iterable[Sequence[Any]] | pl.DataFrame


def _executemany_chunked(sql: str, rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with connection.cursor() as cursor:
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Rows,
    *,
    order: pl.Series | None = None,
    complete: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> int:
    """Insert `rows` (tuples in `columns` order, or a frame with those columns).

    A frame's rows go in the `order` of their positions when given, and each slice of them is
    `complete`d (columns added) when given: both a slice at a time, on PostgreSQL while the server
    inserts the slice before (instead of sorting or encrypting the whole frame first). `complete`
    must not use the database: on PostgreSQL the COPY holds the connection, and a query made there
    would wait for it forever."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if isinstance(rows, pl.DataFrame):
        frame = rows if complete is not None else rows.select(columns)

        def parts(size: int) -> Iterator[pl.DataFrame]:
            for offset in range(0, frame.height, size):
                part = frame.slice(offset, size) if order is None else frame[order.slice(offset, size)]
                yield (complete(part) if complete is not None else part).select(columns)

        if connection.vendor == "postgresql":
            return _copy_csv(table, quoted, parts(COPY_ROWS), frame.height)
        rows = (row for part in parts(CHUNK) for row in part.iter_rows())
    if connection.vendor == "postgresql":
        count = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    placeholders = ", ".join(["%s"] * len(columns))
    return _executemany_chunked(
        f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})", rows
    )


def _copy_csv(table: str, quoted: str, parts: Iterable[pl.DataFrame], height: int) -> int:
    """PostgreSQL: COPY frames as CSV text written by polars, without a Python object per cell.

    In CSV a null is an unquoted empty field and an empty string is written quoted (``""``), so both
    arrive as they were; dates are ISO text, booleans ``true``/``false``, and a time zone's
    datetimes are written with their offset.
    """
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor
        sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT csv)"
        # Sent by a thread of psycopg's while the next part is made (sliced, completed, written as
        # CSV): the server inserts meanwhile instead of waiting for it.
        with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
            for part in parts:
                part = part.with_columns(
                    pl.col(name).dt.to_string("%Y-%m-%dT%H:%M:%S%.f" + ("%:z" if dtype.time_zone else ""))
                    for name, dtype in part.schema.items()
                    if isinstance(dtype, pl.Datetime)
                )
                buffer = io.BytesIO()
                part.write_csv(buffer, include_header=False)
                copy.write(buffer.getvalue())
    return height


def update_rows(table: str, key: str, columns: Sequence[str], rows: Rows) -> int:
    """Each row is (*values, key_value) (or a frame with those columns, in that order)."""
    if isinstance(rows, pl.DataFrame):
        rows = rows.iter_rows()
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    return _executemany_chunked(
        f"UPDATE {connection.ops.quote_name(table)} SET {assignments} WHERE {connection.ops.quote_name(key)} = %s",
        rows,
    )


def select_in(sql_prefix: str, values: Sequence[Any], chunk: int = 900) -> list[tuple[Any, ...]]:
    """Run `sql_prefix IN (...)` over `values` in chunks (SQLite's variable limit)."""
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            cursor.execute(f"{sql_prefix} IN ({', '.join(['%s'] * len(part))})", list(part))
            out.extend(cursor.fetchall())
    return out


@contextmanager
def statement_journals_in_memory() -> Iterator[None]:
    """SQLite: keep statement journals in memory and a larger page cache while an import writes.

    The registry tables carry triggers (``huican.core.copies``), and a statement on a table with
    triggers keeps a statement journal of every page it changes: in a temporary file that is about
    24 µs an inserted row, in memory about 7 µs. Only for the import, so large sorts elsewhere still
    spill to disk. Several indexes of the person table (the ID and phone hashes, the household, the
    name) take rows at random places: at a million persons they outgrow the usual 200 MB page cache,
    and every inserted row would then read and spill index pages; during an import the cache may
    grow to IMPORT_CACHE_KIB. No effect on PostgreSQL.
    """
    if connection.vendor != "sqlite":
        yield
        return
    previous_cache = _pragma("cache_size")
    _set_pragma("cache_size", f"-{IMPORT_CACHE_KIB}")
    in_memory = _set_temp_store("MEMORY")
    try:
        yield
    finally:
        if in_memory:
            _set_temp_store("DEFAULT")
        _set_pragma("cache_size", str(previous_cache))


IMPORT_CACHE_KIB = 1_000_000


def _pragma(name: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def _set_pragma(name: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name} = {value}")


def _set_temp_store(value: str) -> bool:
    """Best effort: SQLite refuses inside a transaction that already uses temporary storage."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA temp_store = {value}")
    except OperationalError:
        return False
    return True
