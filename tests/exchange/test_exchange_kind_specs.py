"""Each import kind and each standard parameter is described once (huican/exchange/kinds.py), and
everything that needs the description reads it from there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from huican.accounts.access import import_kinds
from huican.exchange.kinds import (
    IMPORT_ORDER,
    KINDS,
    STANDARD_FIELDS,
    Conditional,
    Custom,
    NotFuture,
    Order,
    Unique,
)
from huican.exchange.models import ListRecord
from huican.exchange.snapshots import ACCUMULATING_KINDS, LIST_KINDS, SNAPSHOT_KINDS
from huican.exchange.validation import CUSTOM, validate
from huican.matching.selectors import DEPARTMENT_CODES, KIND_DEPARTMENTS
from huican.policy.services import StandardError, clean_value
from huican.policy.vocabulary import STANDARD_COLUMNS

TODAY = dt.date(2025, 6, 1)


def test_every_check_names_a_declared_column_and_every_list_field_exists() -> None:
    list_fields = {f.name for f in ListRecord._meta.get_fields()}
    for spec in KINDS.values():
        names = [c.name for c in spec.columns]
        assert len(names) == len(set(names)), spec.kind
        for step in spec.checks:
            if isinstance(step, str):
                assert step in names, (spec.kind, step)
            elif isinstance(step, Order):
                assert {step.start, step.end} <= set(names), spec.kind
            elif isinstance(step, NotFuture):
                assert step.column in names, spec.kind
            elif isinstance(step, Unique):
                assert set(step.keys) | {step.column} <= set(names), spec.kind
            elif isinstance(step, Conditional):
                assert {step.column, step.when} <= set(names), spec.kind
                assert set(step.values) <= set(spec.column(step.when).allowed), spec.kind
            else:
                assert isinstance(step, Custom) and step.name in CUSTOM, spec.kind
        for column in spec.columns:
            assert not column.field or column.field in list_fields, (spec.kind, column.name)


def test_what_follows_from_the_kinds() -> None:
    assert set(IMPORT_ORDER) == set(KINDS)
    assert import_kinds() == tuple(KINDS)  # registered by the exchange app for the accounts
    assert SNAPSHOT_KINDS == tuple(k for k, s in KINDS.items() if s.mode == "snapshot")
    assert ACCUMULATING_KINDS == ("services",)
    assert set(LIST_KINDS) == {k for k, s in KINDS.items() if s.mode != "upsert"}
    assert KIND_DEPARTMENTS == {k: s.department for k, s in KINDS.items() if s.department}
    assert set(KIND_DEPARTMENTS.values()) <= set(DEPARTMENT_CODES)
    assert STANDARD_COLUMNS == tuple(f.name for f in STANDARD_FIELDS)
    assert [c.name for c in KINDS["standards"].columns][2:] == [f.label for f in STANDARD_FIELDS]


def _import_accepts(label: str, value: str) -> bool:
    spec = KINDS["standards"]
    row = {c.name: None for c in spec.columns}
    row.update(
        {
            "区划代码": "140900",
            "生效日期": "2025-01-01",
            **{f.label: "100" for f in STANDARD_FIELDS if f.kind == "money"},
            label: value,
        }
    )
    frame = pl.DataFrame([row], schema={c: pl.String for c in row}).with_columns(pl.lit(2).alias("__row"))
    checked = validate(spec, frame, list(row), TODAY)
    return checked["__reasons"][0] is None


def _form_accepts(name: str, value: str) -> bool:
    field = next(f for f in STANDARD_FIELDS if f.name == name)
    try:
        clean_value(field, value)
    except StandardError:
        return False
    return True


@pytest.mark.parametrize(
    "field", [f for f in STANDARD_FIELDS if f.kind in ("decimal", "age")], ids=lambda f: f.name
)
def test_the_import_and_the_form_accept_the_same_values(field) -> None:  # type: ignore[no-untyped-def]
    step = Decimal("0.5") if field.kind == "decimal" else 1
    low, high = field.minimum, field.maximum
    candidates = [low, high, high - step, high + step] + ([low - step] if low - step >= 0 else [])
    for value in candidates:
        text = str(value)
        expected = low <= value <= high
        assert _import_accepts(field.label, text) is expected, (field.name, text)
        assert _form_accepts(field.name, text) is expected, (field.name, text)


def test_the_bounds_read_from_the_specs() -> None:
    """docs/decisions.md (标准参数的取值范围): near-poor multiple 1–5, child-rehab age 0–17."""
    assert _import_accepts("低保边缘倍数", "5") and not _import_accepts("低保边缘倍数", "5.5")
    assert _import_accepts("儿童康复救助年龄上限", "17") and not _import_accepts("儿童康复救助年龄上限", "18")
    assert not _form_accepts("near_poor_multiple", "6") and not _form_accepts("child_rehab_max_age", "18")
