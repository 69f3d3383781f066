"""Columnar copies of list batches: how a whole city's lists are read in seconds.

Reading ~20 million list rows back through a database driver costs minutes; the same rows as a
few Parquet values cost seconds. Every list import stores, in its own transaction, the fact
columns of the rows it wrote (``store``); ``read`` returns the rows of the batches asked for,
from their copies where they exist and from the table otherwise, with the same values either
way (tests compare the two). A key change (``huican keys rehash``) rewrites ``id_hash`` and
rebuilds the copies (``rebuild``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db import connection

from huican.core.frames import (
    PART_ROWS,
    fetch_frame,
    from_parquet,
    parquet_parts,
    save_parts,
    sql_date,
    sql_real,
)
from huican.exchange.models import BatchColumns, ListRecord

# The fact columns of a list row, in this order, with these types.
SCHEMA: dict[str, Any] = {
    "id_hash": pl.String,
    "name": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "year": pl.Int32,
    "school_year": pl.String,
    "category": pl.String,
    "status": pl.String,
    "organisation": pl.String,
    "project": pl.String,
    "amount": pl.Float64,
    "row_number": pl.Int64,
    "batch_id": pl.Int64,
}


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame`'s fact columns in order and type, as the table returns them."""
    return frame.select([pl.col(name).cast(dtype) for name, dtype in SCHEMA.items()])


def store(batch_id: int, frame: pl.DataFrame) -> int:
    """Store the copy of batch `batch_id` from the rows written (`frame`); returns the parts written."""
    return save(batch_id, encode(batch_id, frame))


def encode(batch_id: int, frame: pl.DataFrame) -> list[tuple[int, bytes]]:
    """The Parquet parts of batch `batch_id`'s copy (no database access: an import encodes them in
    a thread of its own while its rows are being inserted, ``writers._persist_list``)."""
    return parquet_parts(conform(frame.with_columns(batch_id=pl.lit(batch_id, dtype=pl.Int64))), PART_ROWS)


def save(batch_id: int, parts: list[tuple[int, bytes]]) -> int:
    """Store encoded parts (`encode`) as the copy of batch `batch_id`; returns the parts written."""
    BatchColumns.objects.filter(batch_id=batch_id).delete()
    save_parts(BatchColumns, {"batch_id": batch_id}, parts)
    return len(parts)


def _from_table(batch_ids: list[int]) -> pl.DataFrame:
    marks = ", ".join(["%s"] * len(batch_ids))
    return fetch_frame(
        f"SELECT id_hash, name, {sql_date('start_date')}, {sql_date('end_date')}, year, school_year,"
        f" category, status, organisation, project, {sql_real('amount')}, row_number, batch_id"
        f" FROM {ListRecord._meta.db_table} WHERE batch_id IN ({marks}) ORDER BY batch_id, row_number, id",
        batch_ids,
        SCHEMA,
    )


def read(batch_ids: Iterable[int]) -> pl.DataFrame:
    """The stored rows of `batch_ids` (fact columns, `SCHEMA`), ordered by batch and row."""
    wanted = sorted(set(batch_ids))
    if not wanted:
        return pl.DataFrame(schema=SCHEMA)
    frames: list[pl.DataFrame] = []
    copied: set[int] = set()
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT batch_id, data FROM {BatchColumns._meta.db_table}"
            f" WHERE batch_id IN ({marks}) ORDER BY batch_id, part",
            wanted,
        )
        while row := cursor.fetchone():
            copied.add(row[0])
            frames.append(conform(from_parquet(row[1])))
    missing = [b for b in wanted if b not in copied]
    if missing:
        frames.append(_from_table(missing))
    if not frames:
        return pl.DataFrame(schema=SCHEMA)
    frame = pl.concat(frames, rechunk=False)  # the parts stay as read: no copy of 20 M rows
    return frame.sort("batch_id", maintain_order=True) if missing and copied else frame


def rebuild(batch_ids: Iterable[int]) -> int:
    """(Re)build the copies of `batch_ids` from the table; returns the batches rebuilt."""
    done = 0
    for batch_id in sorted(set(batch_ids)):
        store(batch_id, _from_table([batch_id]))
        done += 1
    return done


def copied_batch_ids() -> list[int]:
    return sorted(set(BatchColumns.objects.values_list("batch_id", flat=True)))
