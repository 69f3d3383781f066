"""The 专栏 key projects' quantitative targets in the final evaluation (四、专栏项目完成情况).

Each target with a number is achieved by one of, in this order:

1. its indicator, when the plan file links one (``KeyTarget.indicator``): the city's final value;
2. a computation from the registry and the lists, where the data allow one (``COMPUTED``);
3. the latest figure staff entered (``ProjectFigure``, a year up to the report's) with its source;
4. none yet: "待录入".

``computed_project_values`` runs the computations on the facts of the report's D (a published report
keeps their results); ``project_rows`` gives each target's row as the report prints it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from huican.monitoring.indicators import REHABILITATION, is_met, rate
from huican.monitoring.plan import KeyProject, KeyTarget, Plan
from huican.policy.facts import Facts
from huican.regions.divisions import COUNTIES

if TYPE_CHECKING:
    from huican.monitoring.reports.build import ReportData

MENTAL = 6  # 残疾类别 精神 (huican.core.idnumbers.CATEGORY_NAMES)
PENDING = "待录入"
COMPARISON_SIGNS = {">": ">", ">=": "≥", "==": "", "<=": "≤", "<": "<", "gdp": "≥"}


def community_mental_rehab_counties(facts: Facts, plan: Plan, year: int) -> dict[str, Any]:
    """专栏5 精神卫生综合管理服务: the share of the county-level units (the counties and 五台山风景名胜区)
    where community rehabilitation for mental disorders is carried out, read from the data as: at
    least one registry person of the unit with a 精神 certificate has a 康复服务 service dated in
    `year` up to D (any result)."""
    on = facts.on
    services = facts.lists["services"].filter(
        pl.col("person_id").is_not_null()
        & (pl.col("category") == REHABILITATION)
        & (pl.col("start_date").dt.year() == year)
        & (pl.col("start_date") <= on)
    )
    mental = facts.persons.filter(pl.col("category") == MENTAL).select("person_id", "county_code")
    served = set(services.join(mental, on="person_id").get_column("county_code").unique().to_list())
    units = [code for code, _, _ in COUNTIES]
    numerator = sum(1 for code in units if code in served)
    value = rate(numerator, len(units))
    return {
        "value": float(value) if value is not None else None,
        "numerator": numerator,
        "denominator": len(units),
        "basis": (
            f"系统数据：{year} 年有精神残疾人接受康复服务记录的县级单位 {numerator} 个，"
            f"共 {len(units)} 个（含五台山风景名胜区）"
        ),
    }


COMPUTED: dict[str, Callable[[Facts, Plan, int], dict[str, Any]]] = {
    "community_mental_rehab_counties": community_mental_rehab_counties,
}


def computed_project_values(facts: Facts, plan: Plan, *, year: int) -> dict[str, dict[str, Any]]:
    """target code → the computed figure, for every key target of the plan the data can compute."""
    return {
        target.code: COMPUTED[target.code](facts, plan, year)
        for _, target in plan.key_targets()
        if target.indicator is None and target.code in COMPUTED and target.target is not None
    }


def computable(target: KeyTarget) -> bool:
    """Whether the report computes the target from data (staff enter the others)."""
    return target.indicator is not None or target.code in COMPUTED


def numbered_targets(plan: Plan) -> list[tuple[KeyProject, KeyTarget]]:
    """The key targets that have a number, in the plan's order."""
    return [(project, target) for project, target in plan.key_targets() if target.target is not None]


def key_target_text(target: KeyTarget) -> str:
    """≥1,502 户, ≥85%, 5%—10% (a range the plan gives as minimum and maximum)."""
    from huican.monitoring.charts import format_value

    if target.minimum is not None and target.maximum is not None:
        return f"{format_value(target.minimum, target.unit)}—{format_value(target.maximum, target.unit)}"
    return COMPARISON_SIGNS.get(target.comparison, "") + format_value(target.target, target.unit)


@dataclass(frozen=True)
class ProjectRow:
    project: KeyProject
    target: KeyTarget
    value: float | int | None
    source: str
    met: bool | None

    @property
    def pending(self) -> bool:
        return self.value is None and self.source == PENDING


def _number(value: Any) -> float | int | None:
    if value is None or value == "":
        return None
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def project_rows(data: ReportData) -> list[ProjectRow]:
    """Every numbered key target of the report's plan with its achieved value and where it comes from."""
    from huican.core.dates import chinese_date

    values = {item.code: item.row["value"] for item in data.city.items}
    numbers = {item.code: item.indicator.number for item in data.city.items}
    rows: list[ProjectRow] = []
    for project, target in numbered_targets(data.plan):
        value: float | int | None = None
        source = PENDING
        if target.indicator is not None and target.indicator in values:
            value = values[target.indicator]
            source = f"系统数据：主要指标 {numbers[target.indicator]}（{data.year} 年）"
        elif target.code in data.project_computed:
            computed = data.project_computed[target.code]
            value = _number(computed.get("value"))
            source = str(computed.get("basis") or "系统数据")
        elif target.code in data.project_figures:
            entered = data.project_figures[target.code]
            value = _number(entered.get("value"))
            when = entered.get("entered_at")
            stamp = chinese_date(dt.datetime.fromisoformat(when)) if when else ""
            who = entered.get("entered_by_name") or ""
            source = f"工作人员录入（{entered['year']} 年数据；{entered.get('source') or '未注明来源'}；{who} {stamp}）"
        met = None
        if value is not None and target.target is not None:
            met = is_met(Decimal(str(value)), target.target, target.comparison)
        rows.append(ProjectRow(project=project, target=target, value=value, source=source, met=met))
    return rows


def completion_text(row: ProjectRow) -> str:
    if row.value is None:
        return "—"
    return "完成" if row.met else "未完成"
