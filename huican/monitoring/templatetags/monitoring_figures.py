"""Template filters for the monitoring partials: figures printed by ``charts.format_value``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from huican.monitoring.charts import format_value

register = template.Library()


@register.filter
def figure(value: float | int | Decimal | None, unit: str = "") -> str:
    """``{{ value|figure:unit }}``: "—" for null, integers for counted units, "85%", "4,000 人"."""
    return format_value(value, unit or "")


@register.filter
def largest_value(rows: list[dict[str, Any]]) -> float:
    """The largest non-negative "value" of `rows` (at least 1): the full length of a bar list."""
    values = [float(row["value"]) for row in rows if row.get("value") is not None]
    return max([1.0, *values])


@register.simple_tag
def unit_target_met(row: dict[str, Any] | None, unit_target: Any, indicator: Any) -> bool | None:
    """``{% unit_target_met row unit_target indicator as met %}``: the county's value against its
    own target (``unit_targets.met_unit_target``)."""
    from huican.monitoring.unit_targets import met_unit_target

    return met_unit_target(row or {}, unit_target, indicator)


@register.simple_tag
def unit_target_text(unit_target: Any, indicator: Any) -> str:
    """``{% unit_target_text unit_target indicator %}``: "≥600 人", ">96%"."""
    from huican.monitoring.unit_targets import unit_target_text as text

    return text(unit_target, indicator)
