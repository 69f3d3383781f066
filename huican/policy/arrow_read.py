"""Reading large result sets as Arrow, without a Python object per value.

The facts of a whole city are tens of millions of list rows; fetched through the DB-API driver
they cost about 5 µs a row in Python objects. On SQLite the ADBC driver hands the rows over as
Arrow columns instead. It uses its own connection, so it only sees committed data: it is used
only outside a transaction (commands, background jobs), never inside one (a web request that
wrote something, or a test), where the ordinary cursor is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection


def arrow_reader_available() -> bool:
    """True when a query may be read through ADBC (SQLite file, no open transaction)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return False
    try:
        import adbc_driver_sqlite.dbapi  # noqa: F401
    except ImportError:
        return False
    return True


def read_arrow(sql: str, params: Sequence[Any], names: list[str]) -> pl.DataFrame:
    """Run a Django-style (`%s` placeholders) SELECT through ADBC; columns renamed to `names`."""
    import adbc_driver_sqlite.dbapi as adbc

    name = str(connection.settings_dict["NAME"])
    with adbc.connect(name) as conn, conn.cursor() as cursor:
        # Infer each column's type from all rows, not the first batch only (a column that starts
        # with NULLs would otherwise be typed wrongly).
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(1 << 30)})
        cursor.execute(sql.replace("%s", "?"), list(params))
        table = cursor.fetch_arrow_table()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.rename(dict(zip(frame.columns, names, strict=True)))
