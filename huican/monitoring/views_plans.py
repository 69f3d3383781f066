"""The plans page (/monitoring/plans/, read-only): every plan and, per plan, its indicators with target,
kind, scope and definition (the expression text as the plan file writes it, and in plain Chinese).

Plans are loaded on the command line (``huican plan load FILE``); this page only shows them. Anyone
who sees the monitoring pages may read it: a plan is a public document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import require_can
from huican.monitoring.charts import format_value
from huican.monitoring.expressions import DEFINITION_KINDS
from huican.monitoring.plan import KIND_NAMES, IndicatorTarget, plan_for_year
from huican.monitoring.plans_store import PlanListing, plan_listing
from huican.monitoring.reports.summary import target_text
from huican.regions.divisions import CITY_CODE

COMPARISON_NAMES = {
    ">": "高于目标",
    ">=": "不低于目标",
    "==": "等于目标",
    "<=": "不高于目标",
    "<": "低于目标",
    "gdp": "不低于全市地区生产总值增速",
}
SCOPE_NAMES = {"all": "全市及各县级单位", "city": "仅全市"}


@dataclass(frozen=True)
class IndicatorRow:
    indicator: IndicatorTarget
    target: str
    comparison: str
    kind: str
    scope: str
    definition_kind: str
    parts: list[tuple[str, str]]  # (分子/分母/计数条件, expression text)
    description: str


def _row(indicator: IndicatorTarget) -> IndicatorRow:
    definition = indicator.definition
    if definition is None:
        definition_kind, parts = "内置定义（RULES.md）", []
    else:
        unit = (
            "（户数）"
            if definition.count == "households"
            else "（人数）"
            if definition.kind == "count"
            else ""
        )
        definition_kind = DEFINITION_KINDS[definition.kind] + unit
        parts = [(name, expression.text) for _, name, expression in definition.parts()]
    return IndicatorRow(
        indicator=indicator,
        target=target_text(indicator, indicator.target, CITY_CODE),
        comparison=COMPARISON_NAMES[indicator.comparison],
        kind=KIND_NAMES[indicator.kind],
        scope=SCOPE_NAMES[indicator.scope],
        definition_kind=definition_kind,
        parts=parts,
        description=indicator.description or (definition.describe() if definition is not None else ""),
    )


def _indicator_name(indicator: IndicatorTarget) -> str:
    return f"{indicator.number}. {indicator.name}"


def _plan(item: PlanListing, in_force: str) -> dict[str, Any]:
    return {
        "item": item,
        "plan": item.plan,
        "in_force": item.plan.code == in_force,
        "indicators": [_row(indicator) for indicator in item.plan.indicators],
        "baseline": [
            (
                figure,
                format_value(figure.value, figure.unit)
                + ("以上" if figure.comparison in (">", ">=") else ""),
                _indicator_name(item.plan.indicator(figure.indicator)) if figure.indicator else "",
            )
            for figure in item.plan.baseline
        ],
    }


@require_can("view_aggregates")
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    in_force = plan_for_year(today.year)
    context = {
        "plans": [_plan(item, in_force.code) for item in plan_listing()],
        "in_force": in_force,
        "today": today,
        # the report link of the monitoring menu: city-wide viewers (as huican.monitoring.views)
        "may_download": can(request.user, "view_aggregates")
        and len(region_prefix_for(request.user) or "99999") <= 4,
    }
    return render(request, "monitoring/plans.html", context)
