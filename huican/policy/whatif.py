"""What if a standard changed? (资金测算)

``what_if`` decides every benefit twice over the same facts — once with the standards as they
are, once with some columns of the standards frame replaced in memory — and reports, per benefit,
how many persons would become eligible or lose eligibility and the monthly cost before and after.
Nothing is saved: the Standard table is never touched.

A change applies to every standards row in the facts (the city-wide default and every county
override), so it reads as "if the standard in force were X" for the whole population loaded.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import polars as pl

from huican.exchange.kinds import STANDARD_FIELDS_BY_NAME
from huican.policy.facts import Facts
from huican.policy.rules import BENEFIT_NAMES, BENEFITS, ELIGIBLE, UNKNOWN, decide
from huican.policy.services import StandardError, clean_value
from huican.policy.vocabulary import standards_in_force
from huican.regions.divisions import CITY_CODE

CENT = Decimal("0.01")


def _as_column_value(kind: str, value: Any) -> Any:
    if kind in ("money", "decimal"):
        return float(value)
    return value


def changed_standards(standards: pl.DataFrame, changes: dict[str, Any]) -> pl.DataFrame:
    """The standards frame with each changed column set to its new value on every row."""
    return standards.with_columns(
        [
            pl.lit(
                _as_column_value(STANDARD_FIELDS_BY_NAME[name].kind, value), dtype=standards.schema[name]
            ).alias(name)
            for name, value in changes.items()
        ]
    )


def values_in_force(facts: Facts, name: str) -> list[Any]:
    """The distinct values of one standards column that apply to the persons of `facts` on its date."""
    county, city = standards_in_force(facts.standards, facts.on)
    counties = set(facts.persons["county_code"].unique().to_list())
    with_own = set(county["county_code"].to_list()) & counties
    values = set(county.filter(pl.col("county_code").is_in(list(with_own)))[name].to_list())
    if city is not None and counties - with_own:
        values.add(city[name])
    return sorted(values, key=lambda v: (v is None, v))


def _fen_sum(decision: str, amount: str) -> pl.Expr:
    return (
        pl.when(pl.col(decision) == ELIGIBLE)
        .then((pl.col(amount).fill_null(0) * 100).round(0).cast(pl.Int64))
        .otherwise(0)
        .sum()
    )


def _yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT)


def what_if(*, facts: Facts, changes: dict[str, Any]) -> dict[str, Any]:
    """Compare the decisions with the standards as they are and with `changes` applied.

    `changes` maps Standard field names (see ``huican.exchange.kinds.STANDARD_FIELDS``) to new
    values; values are checked like the standards form (amounts ≥ 0 with at most 2 decimals, ...).
    Raises StandardError (message in Chinese) for an unknown field or an invalid value.

    Returns ``{"on", "persons", "changes": [...], "benefits": [...], "total": {...}}``; counts are
    persons, money is Decimal yuan per month.
    """
    if not changes:
        raise StandardError("请至少选择一项要调整的标准")
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        field = STANDARD_FIELDS_BY_NAME.get(name)
        if field is None:
            raise StandardError(f"不认识的标准项：{name}")
        cleaned[name] = clean_value(field, value)
    changed = dataclasses.replace(facts, standards=changed_standards(facts.standards, cleaned))
    columns = ["person_id", "benefit", "decision", "amount"]
    before = decide(facts).select(columns)
    after = decide(changed).select(columns)
    joined = before.join(after, on=["person_id", "benefit"], how="left", suffix="_after")
    is_eligible = pl.col("decision") == ELIGIBLE
    is_eligible_after = pl.col("decision_after") == ELIGIBLE
    stats = joined.group_by("benefit").agg(
        eligible_before=is_eligible.sum(),
        eligible_after=is_eligible_after.sum(),
        unknown_before=(pl.col("decision") == UNKNOWN).sum(),
        unknown_after=(pl.col("decision_after") == UNKNOWN).sum(),
        gained=(~is_eligible & is_eligible_after).sum(),
        lost=(is_eligible & ~is_eligible_after).sum(),
        amount_changed=(
            is_eligible
            & is_eligible_after
            & (pl.col("amount").fill_null(0) != pl.col("amount_after").fill_null(0))
        ).sum(),
        cost_before_fen=_fen_sum("decision", "amount"),
        cost_after_fen=_fen_sum("decision_after", "amount_after"),
    )
    by_benefit = {row["benefit"]: row for row in stats.to_dicts()}
    benefits: list[dict[str, Any]] = []
    for code in BENEFITS:
        row = by_benefit.get(code, {})
        cost_before = _yuan(row.get("cost_before_fen") or 0)
        cost_after = _yuan(row.get("cost_after_fen") or 0)
        benefits.append(
            {
                "benefit": code,
                "name": BENEFIT_NAMES[code],
                "eligible_before": int(row.get("eligible_before") or 0),
                "eligible_after": int(row.get("eligible_after") or 0),
                "unknown_before": int(row.get("unknown_before") or 0),
                "unknown_after": int(row.get("unknown_after") or 0),
                "gained": int(row.get("gained") or 0),
                "lost": int(row.get("lost") or 0),
                "amount_changed": int(row.get("amount_changed") or 0),
                "cost_before": cost_before,
                "cost_after": cost_after,
                "cost_change": cost_after - cost_before,
            }
        )
    total_before = sum((b["cost_before"] for b in benefits), Decimal("0.00"))
    total_after = sum((b["cost_after"] for b in benefits), Decimal("0.00"))
    return {
        "on": facts.on,
        "persons": facts.persons.height,
        "has_standards": facts.standards.height > 0,
        "changes": [
            {
                "field": name,
                "label": STANDARD_FIELDS_BY_NAME[name].label,
                "unit": STANDARD_FIELDS_BY_NAME[name].unit,
                "kind": STANDARD_FIELDS_BY_NAME[name].kind,
                "current": values_in_force(facts, name) if facts.standards.height else [],
                "new": value,
            }
            for name, value in cleaned.items()
        ],
        "benefits": benefits,
        "total": {
            "gained": sum(b["gained"] for b in benefits),
            "lost": sum(b["lost"] for b in benefits),
            "cost_before": total_before,
            "cost_after": total_after,
            "cost_change": total_after - total_before,
        },
    }


def region_for_facts(prefix: str) -> str:
    """`load_facts` region argument for a user's region prefix (``"1409"`` → the city code)."""
    return CITY_CODE if len(prefix) <= 4 else prefix
