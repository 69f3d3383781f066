"""Fast bulk writes for imports: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import OperationalError, connection

CHUNK = 20_000


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


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
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


def update_rows(table: str, key: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Each row is (*values, key_value)."""
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
    """SQLite: keep statement journals in memory while an import writes.

    The registry tables carry triggers (``huican.core.copies``), and a statement on a table with
    triggers keeps a statement journal of every page it changes: in a temporary file that is about
    24 µs an inserted row, in memory about 7 µs. Only for the import, so large sorts elsewhere still
    spill to disk. No effect on PostgreSQL.
    """
    if connection.vendor != "sqlite" or not _set_temp_store("MEMORY"):
        yield
        return
    try:
        yield
    finally:
        _set_temp_store("DEFAULT")


def _set_temp_store(value: str) -> bool:
    """Best effort: SQLite refuses inside a transaction that already uses temporary storage."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA temp_store = {value}")
    except OperationalError:
        return False
    return True
