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
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from huican.monitoring.expressions import Definition, Expression

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
    definition: Definition | None = None  # when the plan file defines it (huican.monitoring.expressions)

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


def _line(data: Any, key: str | None = None) -> int:
    """The line of `key`'s value (or of the mapping) in the file, 0 when unknown (a plain dict)."""
    if key is not None:
        line = getattr(data, "lines", {}).get(key)
        if line:
            return int(line)
    return int(getattr(data, "line", 0))


def _at(data: Any, key: str | None = None) -> str:
    """「第 57 行：」 when the line is known."""
    line = _line(data, key)
    return f"第 {line} 行：" if line else ""


def _required(data: dict[str, Any], key: str, where: str) -> Any:
    if not isinstance(data, dict):
        raise PlanError(f"{_at(data)}规划文件的 {where} 须是一组“字段: 值”")
    if key not in data or data[key] is None or data[key] == "":
        raise PlanError(f"{_at(data, key)}规划文件缺少字段 {where}.{key}")
    return data[key]


COMPARISON_ALIASES = {"=": "==", "≥": ">=", "≤": "<=", "＞": ">", "＜": "<"}


def _choice(
    value: Any, allowed: tuple[str, ...], where: str, data: Any = None, key: str | None = None
) -> str:
    value = COMPARISON_ALIASES.get(value, value) if isinstance(value, str) else value
    if value not in allowed:
        at = _at(data, key) if data is not None else ""
        raise PlanError(f"{at}规划文件 {where} 的取值 {value!r} 不在 {', '.join(allowed)} 之中")
    return str(value)


# The indicators of 专栏1 whose definition is also built into huican.monitoring.indicators (Python):
# a plan indicator with one of these codes may leave out `definition`. income_growth (comparison gdp)
# is only built in: a mean of household means over two years is not a condition on one person.
BUILTIN_CODES = (
    "income_growth",
    "training_persons",
    "dibao_coverage",
    "living_subsidy_coverage",
    "nursing_subsidy_coverage",
    "pension_enrolment",
    "medical_enrolment",
    "education_enrolment",
    "rehab_coverage",
    "device_fitting",
    "home_renovations",
)
DEFINITION_KEYS = {"kind", "numerator", "denominator", "count", "where"}


def _definition(data: dict[str, Any], code: str, unit: str, comparison: str) -> Definition | None:
    """The indicator's ``definition:`` parsed and checked (None when it has none and is built in)."""
    from huican.monitoring import expressions as ex

    raw = data.get("definition")
    if raw is None:
        if code not in BUILTIN_CODES:
            raise PlanError(
                f"{_at(data)}指标 {code} 没有内置定义，须写 definition"
                "（kind: rate 加 numerator、denominator，或 kind: count 加 count、where）"
            )
        return None
    if not isinstance(raw, dict):
        raise PlanError(f"{_at(data, 'definition')}指标 {code} 的 definition 须是一组“字段: 值”")
    unknown = sorted(set(map(str, raw)) - DEFINITION_KEYS)
    if unknown:
        raise PlanError(
            f"{_at(raw, unknown[0])}指标 {code} 的 definition 有未知字段 {unknown[0]}"
            f"（可用：{', '.join(sorted(DEFINITION_KEYS))}）"
        )
    if comparison == "gdp":
        raise PlanError(f"{_at(data, 'comparison')}指标 {code} 的比较方式 gdp 只用于内置的 income_growth")
    kind = _choice(
        _required(raw, "kind", f"{code}.definition"),
        (ex.RATE, ex.COUNT),
        f"{code}.definition.kind",
        raw,
        "kind",
    )
    if (kind == ex.RATE) != (unit == "%"):
        raise PlanError(
            f"{_at(raw, 'kind')}指标 {code} 的 definition.kind 为 {kind}，单位却是 {unit}"
            "（比率的单位须是 %，计数的单位不能是 %）"
        )
    keys = ("numerator", "denominator") if kind == ex.RATE else ("where",)
    extra = sorted(set(map(str, raw)) - {"kind", *keys, *(("count",) if kind == ex.COUNT else ())})
    if extra:
        raise PlanError(f"{_at(raw, extra[0])}指标 {code} 的 definition（kind: {kind}）不用字段 {extra[0]}")
    parts = {}
    for key in keys:
        text = _required(raw, key, f"{code}.definition")
        parts[key] = _expression(raw, key, text, code)
    if kind == ex.RATE:
        return ex.Definition(kind=kind, numerator=parts["numerator"], denominator=parts["denominator"])
    count = _choice(raw.get("count", "persons"), tuple(ex.COUNT_OF), f"{code}.definition.count", raw, "count")
    return ex.Definition(kind=kind, count=count, where=parts["where"])


PART_NAMES = {"numerator": "分子", "denominator": "分母", "where": "计数条件"}


def _expression(raw: Any, key: str, text: Any, code: str) -> Expression:
    from huican.monitoring import expressions as ex

    try:
        return ex.parse_condition(str(text))
    except ex.ExpressionError as error:
        line = _line(raw, key)
        style = getattr(raw, "styles", {}).get(key)
        if line and style in ("|", ">"):  # a block scalar: the text starts on the next line
            body = str(text).strip()
            line += 1 + (body[: error.offset].count("\n") if style == "|" else 0)
        at = f"第 {line} 行：" if line else ""
        raise PlanError(f"{at}指标 {code} 的{PART_NAMES[key]}中{error.detail}") from error


def _indicator(data: dict[str, Any]) -> IndicatorTarget:
    code = str(_required(data, "code", "indicators[?]"))
    where = f"indicators[{code}]"
    comparison = _choice(
        _required(data, "comparison", where), COMPARISONS, f"{where}.comparison", data, "comparison"
    )
    target = _decimal(data.get("target"))
    if target is None and comparison != "gdp":
        raise PlanError(f"{_at(data)}规划文件缺少字段 {where}.target")
    unit = str(_required(data, "unit", where))
    return IndicatorTarget(
        code=code,
        number=int(_required(data, "number", where)),
        group=str(data.get("group", "")),
        name=str(_required(data, "name", where)),
        unit=unit,
        target=target,
        target_text=str(data.get("target_text", "")),
        comparison=comparison,
        kind=_choice(_required(data, "kind", where), KINDS, f"{where}.kind", data, "kind"),
        scope=_choice(data.get("scope", "all"), SCOPES, f"{where}.scope", data, "scope"),
        description=str(data.get("description") or "").strip(),
        definition=_definition(data, code, unit, comparison),
    )


def _key_projects(columns: list[dict[str, Any]]) -> tuple[KeyProject, ...]:
    projects: list[KeyProject] = []
    for column in columns:
        for item in _required(column, "projects", f"key_projects[{column.get('column', '?')}]"):
            where = f"key_projects[{column.get('column', '?')}].{item.get('number', '?')}"
            targets = []
            for t in item.get("targets") or []:
                target_code = str(_required(t, "code", f"{where}.targets"))
                targets.append(
                    KeyTarget(
                        code=target_code,
                        name=str(_required(t, "name", f"{where}.targets[{target_code}]")),
                        target=_decimal(t.get("target")),
                        comparison=_choice(
                            t.get("comparison", ">="),
                            COMPARISONS,
                            f"key target {target_code}",
                            t,
                            "comparison",
                        ),
                        unit=str(t.get("unit", "")),
                        indicator=t.get("indicator"),
                        minimum=_decimal(t.get("minimum")),
                        maximum=_decimal(t.get("maximum")),
                    )
                )
            projects.append(
                KeyProject(
                    column=int(_required(column, "column", "key_projects")),
                    column_title=str(_required(column, "title", f"key_projects[{column.get('column')}]")),
                    number=int(_required(item, "number", where)),
                    name=str(_required(item, "name", where)),
                    targets=tuple(targets),
                )
            )
    return tuple(projects)


def _task(data: dict[str, Any]) -> Task:
    where = f"tasks[{data.get('code', '?')}]"
    units = _choice(data.get("units", "lead"), ("lead", "responsible"), f"{where}.units", data, "units")
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


def _baseline(data: dict[str, Any]) -> BaselineFigure:
    code = str(_required(data, "code", "baseline"))
    where = f"baseline[{code}]"
    try:
        value = Decimal(str(_required(data, "value", where)))
    except ArithmeticError:
        raise PlanError(f"{_at(data, 'value')}规划文件 {where}.value 不是数") from None
    return BaselineFigure(
        code=code,
        name=str(_required(data, "name", where)),
        value=value,
        comparison=_choice(
            data.get("comparison", "=="), COMPARISONS, f"{where}.comparison", data, "comparison"
        ),
        unit=str(data.get("unit", "")),
        indicator=data.get("indicator"),
        note=str(data.get("note") or "").strip(),
    )


def _check_references(data: dict[str, Any], plan: Plan) -> None:
    """Every `indicator:` of the baseline and key targets and every task's `indicators` names one."""
    codes = set(plan.indicator_codes)

    def check(item: Any, key: str, values: list[Any], where: str) -> None:
        for value in values:
            if value is not None and value not in codes:
                raise PlanError(f"{_at(item, key)}规划文件 {where} 引用的指标 {value} 不在 indicators 之中")

    for item in data.get("baseline") or []:
        check(item, "indicator", [item.get("indicator")], f"baseline[{item.get('code')}]")
    for column in data.get("key_projects") or []:
        for project in column.get("projects") or []:
            for t in project.get("targets") or []:
                check(t, "indicator", [t.get("indicator")], f"key target {t.get('code')}")
    for task in data.get("tasks") or []:
        check(task, "indicators", list(task.get("indicators") or []), f"tasks[{task.get('code')}]")


def _year(head: dict[str, Any], key: str) -> int:
    value = _required(head, key, "plan")
    if not isinstance(value, int) or not 1949 <= value <= 2200:
        raise PlanError(f"{_at(head, key)}规划文件 plan.{key} 须是年份，实为 {value!r}")
    return value


def parse_plan(data: dict[str, Any]) -> Plan:
    head = _required(data, "plan", "")
    issued = _required(head, "issued", "plan")
    items = _required(data, "indicators", "")
    if not isinstance(items, list):
        raise PlanError(f"{_at(data, 'indicators')}规划文件的 indicators 须是列表")
    indicators = tuple(_indicator(item) for item in items)
    seen: set[str] = set()
    for item, raw in zip(indicators, items, strict=True):
        if item.code in seen:
            raise PlanError(f"{_at(raw, 'code')}规划文件中指标代码重复：{item.code}")
        seen.add(item.code)
    start, end, base = _year(head, "start_year"), _year(head, "end_year"), _year(head, "base_year")
    if not base < start <= end:
        raise PlanError(
            f"{_at(head)}规划文件的年份须是 base_year < start_year ≤ end_year（{base}、{start}、{end}）"
        )
    try:
        issued_on = issued if isinstance(issued, dt.date) else dt.date.fromisoformat(str(issued))
    except ValueError:
        raise PlanError(f"{_at(head, 'issued')}规划文件 plan.issued 不是日期（YYYY-MM-DD）") from None
    plan = Plan(
        code=str(_required(head, "code", "plan")),
        title=str(_required(head, "title", "plan")),
        issuer=str(head.get("issuer", "")),
        issued=issued_on,
        start_year=start,
        end_year=end,
        base_year=base,
        region_code=str(_required(head, "region_code", "plan")),
        period_name=str(head.get("period_name") or ""),
        previous_period_name=str(head.get("previous_period_name") or ""),
        illustrative=bool(head.get("illustrative", False)),
        baseline=tuple(_baseline(b) for b in data.get("baseline") or []),
        indicators=indicators,
        key_projects=_key_projects(data.get("key_projects") or []),
        tasks=tuple(_task(item) for item in data.get("tasks") or []),
    )
    _check_references(data, plan)
    return plan


class _LineMap(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each value (for messages)."""

    line: int = 0
    lines: dict[Any, int]
    styles: dict[Any, str | None]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Any:
    data = _LineMap()
    data.line = node.start_mark.line + 1
    data.lines = {}
    data.styles = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = value_node.start_mark.line + 1
        data.styles[key] = getattr(value_node, "style", None)


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
    try:
        plan = parse_plan(data)
    except PlanError:
        raise
    except (AttributeError, TypeError, ValueError, KeyError) as error:  # a list where a mapping belongs …
        raise PlanError(f"规划文件格式不对：{type(error).__name__}: {error}") from error
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


def first_plan() -> Plan:
    """The earliest plan: years from its first year on can be monitored (dashboards, reports)."""
    return all_plans()[0]


def plan_of(code: str | None, year: int) -> Plan:
    """The plan of that code (e.g. a publication's ``plan_code``), else the plan of `year`."""
    if code:
        try:
            return plan_by_code(code)
        except PlanNotFound:
            pass
    return plan_for_year(year)


def plans_version() -> list[tuple[str, str]]:
    """(code, checksum) of every plan: part of the data version (a changed plan changes the figures)."""
    return [(plan.code, plan.checksum) for plan in all_plans()]
