"""Writing an accepted `standards` import into the dated standards (called in the import's
transaction; the import pipeline calls it through ``exchange.writers.standards_writer``).

Every parameter is read as ``exchange.kinds.STANDARD_FIELDS`` describes it; a blank optional column
takes its FORMATS.md default.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from huican.exchange.kinds import STANDARD_FIELDS, StandardField
from huican.exchange.models import ImportBatch
from huican.exchange.parsing import parse_date, parse_int, parse_money, parse_yes_no
from huican.exchange.writers import money_decimal
from huican.policy.models import Standard


def _read(field: StandardField) -> pl.Expr:
    if field.kind == "money":
        return parse_money(field.label).alias(field.name)
    if field.kind == "switch":
        return parse_yes_no(field.label).alias(field.name)
    if field.kind == "age":
        return parse_int(field.label).alias(field.name)
    return pl.col(field.label).alias(field.name)  # decimal: the text as written, exact


def _value(field: StandardField, raw: Any) -> Any:
    if field.kind == "money":
        return money_decimal(raw)
    if field.kind == "switch":
        return bool(raw)
    if field.kind == "age":
        return raw if raw is not None else field.default
    return Decimal(raw) if raw else field.default


def persist_standards(accepted: pl.DataFrame, batch: ImportBatch) -> tuple[int, int]:
    created = updated = 0
    frame = accepted.select(
        pl.col("区划代码"), parse_date("生效日期").alias("date"), *[_read(f) for f in STANDARD_FIELDS]
    )
    for r in frame.iter_rows(named=True):
        values = {f.name: _value(f, r[f.name]) for f in STANDARD_FIELDS}
        current = Standard.objects.filter(region_code=r["区划代码"], effective_date=r["date"]).first()
        if current is None:
            Standard.objects.create(
                region_code=r["区划代码"], effective_date=r["date"], batch=batch, **values
            )
            created += 1
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            current.batch = batch
            current.save()
            updated += 1
    return created, updated
