"""The development plan as data (规划): indicators, targets, key projects, tasks and units.

The plan in force is a YAML file under ``huican/monitoring/plans/`` (DOMAIN.md §4: "the plan
itself is data that a new plan replaces"). ``load_plan`` reads and checks it; the indicator code
takes every target, kind and comparison from here, never from constants of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PLANS_DIR = Path(__file__).resolve().parent / "plans"
DEFAULT_PLAN = PLANS_DIR / "xinzhou-2021-2025.yaml"

COMPARISONS = (">", ">=", "==", "<=", "<", "gdp")
KINDS = ("binding", "expected")
KIND_NAMES = {"binding": "约束性", "expected": "预期性"}
SCOPES = ("all", "city")


class PlanError(ValueError):
    """The plan file is missing a field or holds a value outside its vocabulary."""


@dataclass(frozen=True)
class BaselineFigure:
    """One figure of the previous plan period (十三五) the plan starts from."""

    code: str
    name: str
    value: Decimal
    comparison: str
    unit: str
    indicator: str | None = None  # the indicator of this plan that measures the same thing, if any
    note: str = ""  # how the plan states it (e.g. 人次 over five years, not persons)


@dataclass(frozen=True)
class IndicatorTarget:
    """One indicator of 专栏1 with its 2025 target.

    ``comparison`` is how a value meets the target: ``>`` strictly above, ``>=`` at least, ``==``
    exactly (100 % means every eligible person), ``gdp`` at least the city GDP growth of the year.
    ``scope`` ``city`` means the target applies to the city only (counts), ``all`` to every unit.
    """

    code: str
    number: int
    group: str
    name: str
    unit: str
    target: Decimal | None
    target_text: str
    comparison: str
    kind: str
    scope: str

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def is_count(self) -> bool:
        return self.unit != "%"


@dataclass(frozen=True)
class KeyTarget:
    """A quantitative target of a key project (重点项目), linked to an indicator when one measures it."""

    code: str
    name: str
    target: Decimal | None
    comparison: str
    unit: str
    indicator: str | None
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class KeyProject:
    column: int
    column_title: str
    number: int
    name: str
    targets: tuple[KeyTarget, ...]


@dataclass(frozen=True)
class Task:
    """A task of §三 (or a safeguard of §四) with its lead (牵头/责任) and participating (参与) units."""

    code: str
    section: str
    chapter: str
    title: str
    responsible: bool  # True: the plan names 责任单位 (all listed in `lead`), not 牵头 + 参与
    lead: tuple[str, ...]
    participating: tuple[str, ...]
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    code: str
    title: str
    issuer: str
    issued: dt.date
    start_year: int
    end_year: int
    base_year: int
    region_code: str
    baseline: tuple[BaselineFigure, ...]
    indicators: tuple[IndicatorTarget, ...]
    key_projects: tuple[KeyProject, ...]
    tasks: tuple[Task, ...]

    def indicator(self, code: str) -> IndicatorTarget:
        for item in self.indicators:
            if item.code == code:
                return item
        raise KeyError(code)

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.indicators)

    def key_targets(self) -> list[tuple[KeyProject, KeyTarget]]:
        return [(project, target) for project in self.key_projects for target in project.targets]

    def tasks_for_indicator(self, code: str) -> list[Task]:
        return [task for task in self.tasks if code in task.indicators]


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value))


def _required(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] is None or data[key] == "":
        raise PlanError(f"规划文件缺少字段 {where}.{key}")
    return data[key]


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise PlanError(f"规划文件 {where} 的取值 {value!r} 不在 {', '.join(allowed)} 之中")
    return str(value)


def _indicator(data: dict[str, Any]) -> IndicatorTarget:
    where = f"indicators[{data.get('code', '?')}]"
    comparison = _choice(_required(data, "comparison", where), COMPARISONS, f"{where}.comparison")
    target = _decimal(data.get("target"))
    if target is None and comparison != "gdp":
        raise PlanError(f"规划文件缺少字段 {where}.target")
    return IndicatorTarget(
        code=str(_required(data, "code", where)),
        number=int(_required(data, "number", where)),
        group=str(data.get("group", "")),
        name=str(_required(data, "name", where)),
        unit=str(_required(data, "unit", where)),
        target=target,
        target_text=str(data.get("target_text", "")),
        comparison=comparison,
        kind=_choice(_required(data, "kind", where), KINDS, f"{where}.kind"),
        scope=_choice(data.get("scope", "all"), SCOPES, f"{where}.scope"),
    )


def _key_projects(columns: list[dict[str, Any]]) -> tuple[KeyProject, ...]:
    projects: list[KeyProject] = []
    for column in columns:
        for item in column.get("projects", []):
            targets = tuple(
                KeyTarget(
                    code=str(t["code"]),
                    name=str(t["name"]),
                    target=_decimal(t.get("target")),
                    comparison=_choice(t.get("comparison", ">="), COMPARISONS, f"key target {t['code']}"),
                    unit=str(t.get("unit", "")),
                    indicator=t.get("indicator"),
                    minimum=_decimal(t.get("minimum")),
                    maximum=_decimal(t.get("maximum")),
                )
                for t in item.get("targets") or []
            )
            projects.append(
                KeyProject(
                    column=int(column["column"]),
                    column_title=str(column["title"]),
                    number=int(item["number"]),
                    name=str(item["name"]),
                    targets=targets,
                )
            )
    return tuple(projects)


def _task(data: dict[str, Any]) -> Task:
    where = f"tasks[{data.get('code', '?')}]"
    units = _choice(data.get("units", "lead"), ("lead", "responsible"), f"{where}.units")
    return Task(
        code=str(_required(data, "code", where)),
        section=str(data.get("section", "")),
        chapter=str(data.get("chapter", "")),
        title=str(_required(data, "title", where)),
        responsible=units == "responsible",
        lead=tuple(_required(data, "lead", where)),
        participating=tuple(data.get("participating") or ()),
        indicators=tuple(data.get("indicators") or ()),
    )


def parse_plan(data: dict[str, Any]) -> Plan:
    head = _required(data, "plan", "")
    issued = _required(head, "issued", "plan")
    indicators = tuple(_indicator(item) for item in _required(data, "indicators", ""))
    codes = [item.code for item in indicators]
    if len(set(codes)) != len(codes):
        raise PlanError("规划文件中指标代码重复")
    return Plan(
        code=str(_required(head, "code", "plan")),
        title=str(_required(head, "title", "plan")),
        issuer=str(head.get("issuer", "")),
        issued=issued if isinstance(issued, dt.date) else dt.date.fromisoformat(str(issued)),
        start_year=int(_required(head, "start_year", "plan")),
        end_year=int(_required(head, "end_year", "plan")),
        base_year=int(_required(head, "base_year", "plan")),
        region_code=str(_required(head, "region_code", "plan")),
        baseline=tuple(
            BaselineFigure(
                code=str(b["code"]),
                name=str(b["name"]),
                value=Decimal(str(b["value"])),
                comparison=str(b.get("comparison", "==")),
                unit=str(b.get("unit", "")),
                indicator=b.get("indicator"),
                note=str(b.get("note", "")),
            )
            for b in data.get("baseline") or []
        ),
        indicators=indicators,
        key_projects=_key_projects(data.get("key_projects") or []),
        tasks=tuple(_task(item) for item in data.get("tasks") or []),
    )


@lru_cache(maxsize=8)
def _load(path: str) -> Plan:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise PlanError(f"规划文件格式不对：{path}")
    return parse_plan(data)


def load_plan(path: str | Path | None = None) -> Plan:
    """Read the plan file (default: the 2021–2025 Xinzhou plan)."""
    return _load(str(path or DEFAULT_PLAN))
