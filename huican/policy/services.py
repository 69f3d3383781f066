"""Writes of the policy app: adding a row of standards (标准参数) by hand, audited.

The fields are described once, in ``huican.exchange.kinds.STANDARD_FIELDS``, with their Chinese
names — the headers of the ``standards`` import of FORMATS.md — and their limits, so the import
check, the form, the list page and the what-if page (资金测算) speak of them in the same words and
accept the same values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from huican.core.audit import audit_record
from huican.exchange.kinds import STANDARD_FIELDS, STANDARD_FIELDS_BY_NAME, StandardField
from huican.policy.models import (
    Standard,
)
from huican.regions.divisions import CITY_CODE, CITY_NAME, COUNTIES, COUNTY_CODES, COUNTY_NAMES

MONEY_MAX = Decimal("99999999.99")


class StandardError(ValueError):
    """A standards row that cannot be saved; the message is for the user (Chinese)."""


def region_choices() -> list[tuple[str, str]]:
    """The city-wide default first, then every county-level unit."""
    return [(CITY_CODE, f"{CITY_NAME}（全市默认）"), *[(code, name) for code, name, _ in COUNTIES]]


def region_name(code: str) -> str:
    if code == CITY_CODE:
        return f"{CITY_NAME}（全市默认）"
    return COUNTY_NAMES.get(code, code)


def clean_value(field: StandardField, value: Any) -> Any:
    """The value converted and checked for `field`; raises StandardError with a Chinese reason."""
    if field.kind == "switch":
        if isinstance(value, bool):
            return value
        text = str(value).strip()
        if text in ("是", "Y", "y", "1", "true", "True", "on"):
            return True
        if text in ("否", "N", "n", "0", "false", "False", "off", ""):
            return False
        raise StandardError(f"{field.label}应为“是”或“否”")
    if field.kind == "age":
        try:
            years = int(str(value).strip())
        except (TypeError, ValueError):
            raise StandardError(f"{field.label}应为整数（岁）") from None
        if years < int(field.minimum) or (field.maximum is not None and years > int(field.maximum)):
            raise StandardError(f"{field.label}应在 {field.minimum}–{field.maximum} 岁之间")
        return years
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise StandardError(f"{field.label}应为数字") from None
    if not number.is_finite():
        raise StandardError(f"{field.label}应为数字")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > field.places:
        raise StandardError(f"{field.label}最多 {field.places} 位小数")
    if number < Decimal(field.minimum):
        raise StandardError(f"{field.label}不能小于 {field.minimum}")
    maximum = Decimal(field.maximum) if field.maximum is not None else MONEY_MAX
    if number > maximum:
        raise StandardError(f"{field.label}不能大于 {maximum}")
    return number.quantize(Decimal("0.01")) if field.kind == "money" else number


def standard_create(
    *,
    actor: Any,
    region_code: str,
    effective_date: dt.date,
    reason: str = "",
    ip_address: str = "",
    **parameters: Any,
) -> Standard:
    """Add one row of standards for a county (or the city-wide default) from `effective_date`.

    `parameters` are the standard parameters by field name (``STANDARD_FIELDS``): the required
    ones (the amounts) must be given, an optional one left out takes its FORMATS.md default.
    Rows are never edited: a change is a new row with a later effective date, so every past
    decision can still be explained with the standards then in force.
    """
    unknown = sorted(set(parameters) - set(STANDARD_FIELDS_BY_NAME))
    missing = [f.name for f in STANDARD_FIELDS if f.required and f.name not in parameters]
    if unknown or missing:
        raise TypeError(f"standard_create: unknown {unknown}, missing {missing}")
    if region_code != CITY_CODE and region_code not in COUNTY_CODES:
        raise StandardError(f"区划代码 {region_code} 不是{CITY_NAME}或其县级单位")
    if not isinstance(effective_date, dt.date):
        raise StandardError("生效日期无效")
    given = {f.name: parameters.get(f.name, f.default) for f in STANDARD_FIELDS}
    values = {name: clean_value(STANDARD_FIELDS_BY_NAME[name], value) for name, value in given.items()}
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            standard = Standard.objects.create(
                region_code=region_code, effective_date=effective_date, created_by=user, **values
            )
            audit_record(
                actor=actor,
                action="policy.standard_create",
                object_type="policy.Standard",
                object_id=standard.pk,
                region_code=region_code,
                reason=reason,
                detail={
                    "effective_date": effective_date.isoformat(),
                    **{k: str(v) for k, v in values.items()},
                },
                ip_address=ip_address,
            )
    except IntegrityError:
        raise StandardError(
            f"{region_name(region_code)}在 {effective_date.isoformat()} 已有一行标准；如需调整，请使用新的生效日期"
        ) from None
    return standard
