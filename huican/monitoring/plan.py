"""The development plans as data (规划): indicators, targets, key projects, tasks and units.

A plan is a YAML file (DOMAIN.md §4: "the plan itself is data that a new plan replaces"). Several
plans exist at once: those loaded with ``huican plan load FILE`` (stored as ``PlanDocument``) and the
bundled 2021–2025 file under ``huican/monitoring/plans/``, the default while no stored plan has its
code. ``plan_for_year(year)`` picks the plan a year is monitored against, ``plan_by_code`` and
``all_plans`` read them; ``load_plan`` reads a file. The indicator code takes every target, kind and
comparison from the plan, never from constants of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass
from decimal import Decimal
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
    description: str = ""  # the definition in plain Chinese (shown on the indicator pages and annex)
    definition: Any = None  # huican.monitoring.expressions.Definition when the plan file defines it

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
    period_name: str = ""  # 十四五
    previous_period_name: str = ""  # 十三五 (the period of the baseline)
    illustrative: bool = False  # a sample draft, not a plan the city has issued
    checksum: str = ""  # sha256 of the file's text ("" when parsed from a dict)
    file_name: str = ""

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    @property
    def years_text(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year

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
        description=str(data.get("description") or "").strip(),
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
        period_name=str(head.get("period_name") or ""),
        previous_period_name=str(head.get("previous_period_name") or ""),
        illustrative=bool(head.get("illustrative", False)),
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


class _LineMap(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each value (for messages)."""

    line: int = 0
    lines: dict[Any, int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Any:
    data = _LineMap()
    data.line = node.start_mark.line + 1
    data.lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = value_node.start_mark.line + 1


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def checksum_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_plan_text(text: str, file_name: str = "") -> Plan:
    """Parse and check a plan file's text (every field and every expression); PlanError names the line."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第 {mark.line + 1} 行：" if mark is not None else ""
        raise PlanError(f"{where}规划文件不是有效的 YAML（{getattr(error, 'problem', error)}）") from error
    if not isinstance(data, dict):
        raise PlanError(f"规划文件格式不对：{file_name or '（文本）'}")
    plan = parse_plan(data)
    return _with_source(plan, checksum_of(text), file_name)


def _with_source(plan: Plan, checksum: str, file_name: str) -> Plan:
    from dataclasses import replace

    return replace(plan, checksum=checksum, file_name=file_name)


_parsed: dict[str, Plan] = {}
_parsed_lock = threading.Lock()


def _parse_cached(text: str, file_name: str = "", checksum: str | None = None) -> Plan:
    """parse_plan_text, cached by the text's checksum."""
    key = checksum or checksum_of(text)
    plan = _parsed.get(key)
    if plan is None:
        plan = parse_plan_text(text, file_name)
        with _parsed_lock:
            _parsed[key] = plan
    return plan


def load_plan(path: str | Path | None = None) -> Plan:
    """Read a plan file (default: the bundled 2021–2025 Xinzhou plan); parsed once per text."""
    path = Path(path or DEFAULT_PLAN)
    return _parse_cached(path.read_text(encoding="utf-8"), path.name)


def default_plan() -> Plan:
    """The bundled 2021–2025 plan file."""
    return load_plan(DEFAULT_PLAN)


class PlanNotFound(PlanError, LookupError):
    """No plan of that code is stored or bundled."""


def _stored_plans() -> list[Plan]:
    from huican.monitoring.models import PlanDocument

    rows = list(PlanDocument.objects.values_list("pk", "checksum", "file_name"))
    missing = [pk for pk, checksum, _ in rows if checksum not in _parsed]
    sources = dict(PlanDocument.objects.filter(pk__in=missing).values_list("pk", "source")) if missing else {}
    plans = []
    for pk, checksum, file_name in rows:
        plan = _parsed.get(checksum)
        if plan is None:
            plan = _parse_cached(sources[pk], file_name, checksum)
        plans.append(plan)
    return plans


def all_plans() -> list[Plan]:
    """Every plan: the stored ones, and the bundled 2021–2025 file unless a stored plan has its code;
    ordered by first year."""
    plans = _stored_plans()
    bundled = default_plan()
    if bundled.code not in {plan.code for plan in plans}:
        plans.append(bundled)
    return sorted(plans, key=lambda plan: (plan.start_year, plan.code))


def plan_by_code(code: str) -> Plan:
    for plan in all_plans():
        if plan.code == code:
            return plan
    raise PlanNotFound(f"没有代码为 {code} 的规划")


def plan_for_year(year: int) -> Plan:
    """The plan year `year` is monitored against.

    The plan whose years include it (the latest-starting one if several would); a year after every
    plan → the most recent plan that started before it (monitoring goes on under the last plan until
    a new one is loaded); a year before every plan → the first plan (its base year, e.g. 2020).
    """
    plans = all_plans()
    covering = [plan for plan in plans if plan.covers(year)]
    if covering:
        return covering[-1]
    started = [plan for plan in plans if plan.start_year <= year]
    return started[-1] if started else plans[0]


def current_plan(today: dt.date | None = None) -> Plan:
    """The plan of the current year."""
    from django.utils import timezone

    return plan_for_year((today or timezone.localdate()).year)
