"""Read query results straight into polars frames, without model instances.

``fetch_frame`` is how the set-based parts of Huican (facts for the rules, columnar copies of the
lists) read many rows. On PostgreSQL the query runs inside ``COPY … TO STDOUT`` and polars parses
the CSV stream in one pass; on SQLite rows come through the driver in chunks. Both give the same
frame: NULL stays null, an empty string stays an empty string.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
from django.db import connection

FETCH_CHUNK = 100_000
# Distinct values handed to a per-value Python function at a time (`per_distinct`).
DISTINCT_CHUNK = 100_000


def sql_date(column: str) -> str:
    """A date column as ISO text: polars parses text in one pass, faster than the driver's converters."""
    return f"CAST({column} AS TEXT)"


def sql_real(column: str) -> str:
    """A decimal column as a float ("DOUBLE PRECISION" has REAL affinity in SQLite, is native in PostgreSQL)."""
    return f"CAST({column} AS DOUBLE PRECISION)"


def sql_flag(column: str) -> str:
    """A boolean column as 0/1: SQLite's driver would otherwise call a converter for every value."""
    return f"CAST({column} AS INTEGER)"


def fetch_frame(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Run `sql` (placeholders ``%s``) and build a frame with `schema` (its columns in select order).

    Date columns must be selected as text (`sql_date`).
    """
    if connection.vendor == "postgresql":
        return _fetch_copy(sql, params, schema)
    dates = [name for name, dtype in schema.items() if dtype == pl.Date]
    flags = [name for name, dtype in schema.items() if dtype == pl.Boolean]
    wire = {
        name: (pl.String if name in dates else pl.Int8 if name in flags else dtype)
        for name, dtype in schema.items()
    }
    frames: list[pl.DataFrame] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while rows := cursor.fetchmany(FETCH_CHUNK):
            frames.append(pl.DataFrame(rows, schema=wire, orient="row", strict=False))
    frame = pl.concat(frames, rechunk=True) if frames else pl.DataFrame(schema=wire)
    return frame.with_columns(
        *[pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d") for name in dates],
        *[pl.col(name).cast(pl.Boolean) for name in flags],
    )


def _fetch_copy(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", list(params)) as copy:
            for block in copy:
                buffer.write(block)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    # PostgreSQL writes NULL as an empty field and an empty string as "": polars reads them the same way.
    text = pl.read_csv(buffer, has_header=False, new_columns=list(schema), infer_schema=False, quote_char='"')
    return text.with_columns([_from_text(name, dtype) for name, dtype in schema.items()])


def _from_text(name: str, dtype: Any) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.String:
        return column
    if dtype == pl.Boolean:
        values = {"t": True, "f": False, "1": True, "0": False}  # a boolean, or one cast to 0/1 (sql_flag)
        return column.replace_strict(values, default=None, return_dtype=pl.Boolean)
    if dtype == pl.Date:
        return column.str.slice(0, 10).str.to_date("%Y-%m-%d")
    return column.cast(dtype)


PART_ROWS = 1_000_000  # rows per stored Parquet value (a few tens of MB), well under any blob limit


def parquet_parts(frame: pl.DataFrame, rows_per_part: int = PART_ROWS) -> list[tuple[int, bytes]]:
    """`frame` as Parquet values of at most `rows_per_part` rows: [(rows, bytes)], at least one."""
    parts = []
    for offset in range(0, max(frame.height, 1), rows_per_part):
        chunk = frame.slice(offset, rows_per_part)
        buffer = io.BytesIO()
        chunk.write_parquet(buffer, compression="zstd", statistics=False)
        parts.append((chunk.height, buffer.getvalue()))
    return parts


def save_parts(model: Any, fields: dict[str, Any], parts: list[tuple[int, bytes]]) -> None:
    """Insert one `model` row per Parquet part (`parquet_parts`): `fields`, then part, rows, data.

    On PostgreSQL through a binary COPY: a statement carrying the value would hold it escaped,
    twice its size, for the server to parse again (a five-million-row list's copy: 2.3 s → 0.4 s).
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            model(**fields, part=number, rows=rows, data=data) for number, (rows, data) in enumerate(parts)
        )
        return
    names = [*fields, "part", "rows", "data"]
    columns = [model._meta.get_field(name) for name in names]
    types = [_COPY_TYPES[column.get_internal_type()] for column in columns]
    quoted = ", ".join(connection.ops.quote_name(column.column) for column in columns)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN (FORMAT BINARY)"
    # The psycopg cursor's errors raised as Django's (a lock timeout is an OperationalError).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(sql) as copy:
            copy.set_types(types)
            for number, (rows, data) in enumerate(parts):
                copy.write_row((*fields.values(), number, rows, data))


# The PostgreSQL types a binary COPY of `save_parts` sends, by the fields' internal types.
_COPY_TYPES = {
    "CharField": "text",
    "ForeignKey": "int8",
    "BigIntegerField": "int8",
    "PositiveIntegerField": "int4",
    "BinaryField": "bytea",
}


def from_parquet(data: bytes | memoryview, columns: Sequence[str] | None = None) -> pl.DataFrame:
    return pl.read_parquet(io.BytesIO(bytes(data)), columns=list(columns) if columns is not None else None)


# A cell starting with one of these is taken as a formula by Excel/WPS when a CSV is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-12.5", "+3", "1e-5") is a value, not a formula: a caller may keep it as it is.
PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_FORMULA_PATTERN = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_STARTS) + "]"


def neutralize_formulas(frame: pl.DataFrame, *, keep_numbers: bool = False) -> pl.DataFrame:
    """Every text cell that a spreadsheet would run as a formula gets a leading apostrophe, so the
    original value stays visible and nothing runs (CSV injection). With `keep_numbers`, a text cell
    that is a plain number (a negative amount) is left exactly as it is (the CLI's CSV contract)."""
    columns = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        risky = pl.col(name).str.contains(_FORMULA_PATTERN)
        if keep_numbers:
            risky = risky & ~pl.col(name).str.contains(PLAIN_NUMBER)
        columns.append(pl.when(risky).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name))
    return frame.with_columns(columns) if columns else frame


def is_formula_like(value: str, *, keep_numbers: bool = True) -> bool:
    """One text cell that a spreadsheet would run as a formula (plain numbers excepted by default)."""
    if not value.startswith(FORMULA_STARTS):
        return False
    return not (keep_numbers and re.match(PLAIN_NUMBER, value))


def neutralize_cell(value: object) -> object:
    """`neutralize_formulas` for one cell written by Python code: text that would run as a formula
    gets a leading apostrophe; numbers and every other value are returned unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def per_distinct(
    values: pl.Series, compute: Callable[[list[str]], list[str]], name: str, *, chunk: int = DISTINCT_CHUNK
) -> pl.Series:
    """`compute` of each value of a text series (no nulls), called once per distinct value, a
    chunk of distinct values at a time; the results in the order of `values`."""
    distinct = values.unique(maintain_order=True)
    parts = [
        pl.Series(name, compute(distinct.slice(offset, chunk).to_list()), dtype=pl.String)
        for offset in range(0, distinct.len(), chunk)
    ]
    if not parts:
        return pl.Series(name, [], dtype=pl.String)
    if distinct.len() == values.len():
        return pl.concat(parts)
    table = pl.DataFrame({"__value": distinct, name: pl.concat(parts)})
    return (
        values.alias("__value")
        .to_frame()
        .join(table, on="__value", how="left", maintain_order="left")
        .get_column(name)
    )
