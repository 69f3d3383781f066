"""County-level targets entered as data (县级实施方案): each county-level unit's own target for an
indicator of a plan — for a count indicator its share of the city's target, for a rate its own
target where its implementation plan sets one.

They are shown on the county's dashboard beside the county's figure and never change the indicator
rows (``huican indicators`` keeps a null target for a county on a city-only count, RULES.md). City
staff enter them (the same permission as the GDP growth, ``manage_standards``), one at a time on
the targets page or in bulk with ``huican targets load FILE.csv``; every write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from huican.accounts.access import can
from huican.core.audit import audit_record
from huican.monitoring.charts import INTEGER_UNITS, format_value
from huican.monitoring.indicators import is_met
from huican.monitoring.models import UnitTarget
from huican.monitoring.plan import IndicatorTarget, Plan, PlanNotFound, plan_by_code
from huican.monitoring.services import MonitoringError
from huican.regions.divisions import COUNTY_CODES

CENT = Decimal("0.01")
# How a value meets a target, printed before it: "≥600 人", ">96%", "100%".
COMPARISON_SIGNS = {">": ">", ">=": "≥", "gdp": "≥", "==": "", "<=": "≤", "<": "<"}
MAX_TARGET = Decimal("999999999999.99")  # UnitTarget.target: 14 digits, 2 decimals
MAX_SOURCE = 200


class UnitTargetError(MonitoringError):
    """A county target the monitoring data does not accept; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def may_enter_unit_targets(actor: Any) -> bool:
    """City staff (who manage the standards and enter the GDP growth) enter county targets; the
    command line (an operator, no user) may too."""
    if not getattr(actor, "is_authenticated", False):
        return True
    return can(actor, "manage_standards")


def _check_may_enter(actor: Any) -> None:
    if not may_enter_unit_targets(actor):
        raise PermissionDenied("无权录入县级目标")


def _plan(plan_code: str) -> Plan:
    try:
        return plan_by_code(plan_code)
    except PlanNotFound:
        raise UnitTargetError(f"没有代码为 {plan_code} 的规划", field="plan_code") from None


def _indicator(plan: Plan, code: str) -> IndicatorTarget:
    try:
        return plan.indicator(code)
    except KeyError:
        raise UnitTargetError(f"规划中没有指标 {code}", field="indicator") from None


def _region(code: str) -> str:
    code = (code or "").strip()
    if code not in COUNTY_CODES:
        raise UnitTargetError(f"{code or '（空）'} 不是本市的县级单位代码", field="region")
    return code


def parse_target(value: Decimal | int | str, indicator: IndicatorTarget) -> Decimal:
    """The target as a Decimal of 2 places: ≥ 0, ≤ 100 for a percentage, whole for a counted unit."""
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise UnitTargetError(f"目标应为数字：{value!r}", field="target") from None
    if not number.is_finite():
        raise UnitTargetError(f"目标应为数字：{value!r}", field="target")
    if number < 0:
        raise UnitTargetError(f"目标不能为负数：{number}", field="target")
    if indicator.unit == "%" and number > 100:
        raise UnitTargetError(f"百分比目标不能超过 100：{number}", field="target")
    if indicator.unit in INTEGER_UNITS and number != number.to_integral_value():
        raise UnitTargetError(f"以“{indicator.unit}”计的目标应为整数：{number}", field="target")
    if number > MAX_TARGET:
        raise UnitTargetError(f"目标过大：{number}", field="target")
    return number.quantize(CENT)


def unit_target_set(
    *, plan_code: str, indicator: str, region: str, target: Decimal | int | str, source: str, actor: Any
) -> UnitTarget:
    """Enter (or correct) a county-level unit's target for one indicator of a plan; audited."""
    _check_may_enter(actor)
    plan = _plan(plan_code)
    item = _indicator(plan, indicator)
    region = _region(region)
    number = parse_target(target, item)
    source = (source or "").strip()
    if len(source) > MAX_SOURCE:
        raise UnitTargetError(f"依据不能超过 {MAX_SOURCE} 个字", field="source")
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        before = (
            UnitTarget.objects.select_for_update()
            .filter(plan_code=plan.code, indicator=item.code, region=region)
            .values("target", "source")
            .first()
        )
        entry, _ = UnitTarget.objects.update_or_create(
            plan_code=plan.code,
            indicator=item.code,
            region=region,
            defaults={"target": number, "source": source, "entered_by": user},
        )
        audit_record(
            actor=actor,
            action="monitoring.unit_target",
            object_type="UnitTarget",
            object_id=entry.pk,
            region_code=region,
            detail={
                "plan_code": plan.code,
                "indicator": item.code,
                "region": region,
                "before": {"target": str(before["target"]), "source": before["source"]} if before else None,
                "after": {"target": str(number), "source": source},
            },
        )
    return entry


def unit_target_delete(*, plan_code: str, indicator: str, region: str, actor: Any) -> bool:
    """Remove a county-level unit's target; audited. False when there was none."""
    _check_may_enter(actor)
    with transaction.atomic():
        entry = (
            UnitTarget.objects.select_for_update()
            .filter(plan_code=plan_code, indicator=indicator, region=region)
            .first()
        )
        if entry is None:
            return False
        audit_record(
            actor=actor,
            action="monitoring.unit_target_delete",
            object_type="UnitTarget",
            object_id=entry.pk,
            region_code=region,
            detail={
                "plan_code": plan_code,
                "indicator": indicator,
                "region": region,
                "before": {"target": str(entry.target), "source": entry.source},
            },
        )
        entry.delete()
    return True


def unit_target_for(*, plan_code: str, indicator: str, region: str) -> UnitTarget | None:
    """The target entered for one county-level unit and indicator of a plan, if any."""
    return UnitTarget.objects.filter(plan_code=plan_code, indicator=indicator, region=region).first()


def unit_targets(plan_code: str, *, region: str | None = None) -> list[UnitTarget]:
    """Every county target of a plan (or of one county-level unit), by indicator and region."""
    entries = UnitTarget.objects.filter(plan_code=plan_code).select_related("entered_by")
    if region is not None:
        entries = entries.filter(region=region)
    return list(entries)


def met_unit_target(
    row: dict[str, Any], unit_target: UnitTarget | None, indicator: IndicatorTarget
) -> bool | None:
    """Whether the county's value (its indicator row) meets its own target, by the indicator's
    comparison; None without a target or a value."""
    if unit_target is None or row.get("value") is None:
        return None
    # The row's value is a JSON number (float): compared as printed, 33.33 meets a target of 33.33.
    return is_met(Decimal(str(row["value"])), Decimal(unit_target.target), indicator.comparison)


def unit_target_text(unit_target: UnitTarget, indicator: IndicatorTarget) -> str:
    """The county's target as printed, with the indicator's comparison: "≥600 人", ">96%"."""
    sign = COMPARISON_SIGNS.get(indicator.comparison, "")
    return f"{sign}{format_value(unit_target.target, indicator.unit)}"


# --- the counties' shares of a city count target ---------------------------------------------------


@dataclass(frozen=True)
class ShareCheck:
    """Whether the county shares entered for a city-only count indicator add up to the city's target."""

    indicator: IndicatorTarget
    total: Decimal
    entered: int  # county-level units with a share entered
    units: int  # county-level units in all
    difference: Decimal  # total − the city's target

    @property
    def text(self) -> str:
        unit = self.indicator.unit
        city = format_value(self.indicator.target, unit)
        head = f"各县份额合计 {format_value(self.total, unit)}"
        count = f"（已录入 {self.entered}/{self.units} 个县级单位）"
        if self.difference == 0:
            return f"{head}，与全市目标 {city} 相等{count}"
        word = "少" if self.difference < 0 else "多"
        return f"{head}，比全市目标 {city} {word} {format_value(abs(self.difference), unit)}{count}"

    @property
    def adds_up(self) -> bool:
        return self.difference == 0


def share_checks(plan: Plan, entries: list[UnitTarget] | None = None) -> list[ShareCheck]:
    """For each count indicator whose target applies to the city only: the sum of the counties'
    shares entered against the city's target (only indicators with at least one share entered)."""
    entries = unit_targets(plan.code) if entries is None else entries
    checks = []
    for item in plan.indicators:
        if not (item.is_count and item.scope == "city" and item.target is not None):
            continue
        shares = [entry.target for entry in entries if entry.indicator == item.code]
        if not shares:
            continue
        total = sum(shares, Decimal(0))
        checks.append(
            ShareCheck(
                indicator=item,
                total=total,
                entered=len(shares),
                units=len(COUNTY_CODES),
                difference=total - item.target,
            )
        )
    return checks
