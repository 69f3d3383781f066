"""Fast bulk writes for imports: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

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
