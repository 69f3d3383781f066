"""Drafts of the report's narrative parts, generated from its figures; staff edit them on the web
(``huican.monitoring.narratives``) and the report prints the edited text in force instead.

Parts (``ReportNarrative.section``): ``addressee`` (主送机关), ``signatory`` (落款), ``date`` (成文日期,
YYYY-MM-DD), and in the final evaluation ``problems`` (五、存在的问题), ``next_steps`` (六、下一步建议)
and ``task:<code>`` (a task's 成效 summary in 三、重点任务进展).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from huican.monitoring.plan import Plan, Task
from huican.regions.divisions import CITY_CODE

if TYPE_CHECKING:
    from huican.monitoring.reports.build import ReportData
    from huican.monitoring.reports.summary import IndicatorSummary

ADDRESSEE, SIGNATORY, DATE = "addressee", "signatory", "date"
PROBLEMS, NEXT_STEPS = "problems", "next_steps"
TASK_PREFIX = "task:"


@dataclass(frozen=True)
class Section:
    """An editable part of a report: its key, its name on the page and the kind of input."""

    key: str
    title: str
    kind: str  # "line" (one line), "date" (YYYY-MM-DD) or "text" (paragraphs)
    help_text: str = ""


def editable_sections(plan: Plan, *, final: bool) -> list[Section]:
    """The parts staff may edit for a report of `plan` (the final evaluation has more)."""
    sections = [
        Section(ADDRESSEE, "主送机关", "line", "报告首页标题下的主送机关，如“忻州市人民政府：”"),
        Section(SIGNATORY, "落款（发文机关署名）", "line", "正文后的发文机关署名"),
        Section(DATE, "成文日期", "date", "格式 YYYY-MM-DD；不填时为报告发布（生成）日期"),
    ]
    if final:
        sections += [
            Section(PROBLEMS, "五、存在的问题", "text", "每段一条；空行分段"),
            Section(NEXT_STEPS, "六、下一步建议", "text", "每段一条；空行分段"),
        ]
        sections += [
            Section(f"{TASK_PREFIX}{task.code}", f"三、重点任务 {task.code} {task.title}：成效", "text")
            for task in plan.tasks
        ]
    return sections


def issuer_name(plan: Plan) -> str:
    """The federation of the plan's region (忻州市残疾人联合会), the default 落款."""
    from huican.monitoring.selectors import region_name

    return f"{region_name(plan.region_code)}残疾人联合会"


def default_addressee(plan: Plan) -> str:
    """The government whose office issued the plan (忻州市人民政府办公室 → 忻州市人民政府：)."""
    from huican.monitoring.selectors import region_name

    issuer = plan.issuer.removesuffix("办公室") or f"{region_name(plan.region_code)}人民政府"
    return f"{issuer}："


def paragraphs(text: str) -> list[str]:
    """A narrative's text as paragraphs: one per non-empty line."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _gap(item: IndicatorSummary) -> str:
    from huican.monitoring.charts import format_value

    value, target = item.row["value"], item.row["target"]
    if value is None or target is None:
        return ""
    gap = Decimal(str(target)) - Decimal(str(value))
    if gap <= 0:
        return ""
    unit = item.indicator.unit
    points = "个百分点" if unit == "%" else f" {unit}"
    return f"，差 {format_value(gap)}{points}"


def problems_draft(data: ReportData) -> str:
    """五、存在的问题 from the figures: unmet indicators with their gap, the counties behind on each
    indicator, the open findings per code, the key targets still without a figure."""
    from huican.monitoring.reports.build import shown
    from huican.monitoring.reports.projects import project_rows
    from huican.monitoring.reports.summary import target_text

    items = sorted(data.city.items, key=lambda item: item.indicator.number)
    lines: list[str] = []
    unmet = [item for item in items if item.row["met"] is False]
    if unmet:
        parts = [
            f"{item.indicator.number}. {item.indicator.name}（{item.indicator.kind_name}）"
            f"{shown(item.row['value'], item.indicator.unit)}，目标 "
            f"{target_text(item.indicator, item.row['target'], CITY_CODE)}{_gap(item)}"
            for item in unmet
        ]
        lines.append(f"部分主要指标未达到规划目标（{len(unmet)} 项）：" + "；".join(parts) + "。")
    unknown = [item for item in items if item.row["met"] is None]
    if unknown:
        lines.append(
            "部分指标因缺少数据或目标无法判断是否达标："
            + "、".join(item.indicator.name for item in unknown)
            + "。"
        )
    behind = [
        f"{item.indicator.name}（{'、'.join(entry.name for entry in item.counties_behind)}）"
        for item in items
        if item.counties_behind
    ]
    if behind:
        lines.append("县域发展不平衡，部分县（市、区）未达到目标：" + "；".join(behind) + "。")
    backlog = [
        f"{label} {sum(data.findings.get(code, {}).values())} 条"
        for code, label in data.finding_names.items()
        if sum(data.findings.get(code, {}).values())
    ]
    if backlog:
        lines.append(f"截至 {data.on:%Y-%m-%d}，比对发现尚待核查处理：" + "、".join(backlog) + "。")
    pending = [row.target.name for row in project_rows(data) if row.pending] if data.final else []
    if pending:
        lines.append("部分专栏项目缺少完成数据：" + "；".join(pending) + "。")
    if not lines:
        lines.append("主要指标均已达标，暂未发现突出问题。")
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1))


def next_steps_draft(data: ReportData) -> str:
    """六、下一步建议 from the same figures: who should act on each unmet indicator and finding."""
    items = sorted(data.city.items, key=lambda item: item.indicator.number)
    lines: list[str] = []
    for item in items:
        if item.row["met"] is not False:
            continue
        leads = list(
            dict.fromkeys(unit for task in data.plan.tasks_for_indicator(item.code) for unit in task.lead)
        )
        who = "、".join(leads) if leads else "相关部门"
        counties = "、".join(entry.name for entry in item.counties_behind)
        lines.append(
            f"{who}针对“{item.indicator.name}”未达标的情况分析原因，制定整改措施"
            + (f"，重点督促{counties}" if counties else "")
            + "。"
        )
    total = sum(sum(counts.values()) for counts in data.findings.values())
    if total:
        lines.append(f"各县（市、区）残联对 {total} 条比对发现逐条核实，按发现类别会同相关部门限期处理。")
    if data.final:
        from huican.monitoring.reports.projects import project_rows

        if any(row.pending for row in project_rows(data)):
            lines.append("相关部门补报专栏项目完成数据，由市残联录入后纳入评估。")
    lines.append(
        "总结本规划实施经验，将未完成的目标任务纳入下一个五年规划，完善残疾人事业统计监测和数据共享机制。"
    )
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1))


def task_draft(plan: Plan, year: int, progress: list[dict[str, Any]], task: Task) -> str:
    """A task's 成效 summary: which units reported in which years, and the figures they gave."""
    reports = [row for row in progress if row["task"] == task.code]
    if not reports:
        return f"{plan.start_year}—{year} 年没有单位报告本任务的进展。"
    years = sorted({row["year"] for row in reports})
    units = list(dict.fromkeys(row["unit"] for row in reports))
    text = (
        f"{years[0]}—{years[-1]} 年共收到 {len(reports)} 份进展报告（{'、'.join(units)}），"
        f"覆盖 {len(years)} 个年度。"
    )
    latest = [figure_text(figure) for row in reports if row["year"] == years[-1] for figure in row["figures"]]
    if latest:
        text += f"{years[-1]} 年报告的数据：" + "；".join(latest) + "。"
    return text


def figure_text(figure: dict[str, object]) -> str:
    """「培训人数 1,200 人」: a figure of a progress report."""
    from huican.monitoring.charts import format_value

    value = figure.get("value")
    try:
        shown_value = format_value(Decimal(str(value)), str(figure.get("unit") or ""))
    except ArithmeticError:
        shown_value = f"{value}{figure.get('unit') or ''}"
    return f"{figure.get('name')} {shown_value}"


NEEDS_FIGURES = (PROBLEMS, NEXT_STEPS)


def simple_draft(
    plan: Plan, *, year: int, section: str, progress: list[dict[str, Any]], issued: dt.date
) -> str:
    """The draft of a part that needs no indicator figures (all but 存在的问题 and 下一步建议)."""
    if section == ADDRESSEE:
        return default_addressee(plan)
    if section == SIGNATORY:
        return issuer_name(plan)
    if section == DATE:
        return issued.isoformat()
    if section.startswith(TASK_PREFIX):
        code = section.removeprefix(TASK_PREFIX)
        task = next((task for task in plan.tasks if task.code == code), None)
        if task is not None:
            return task_draft(plan, year, progress, task)
    raise KeyError(section)


def draft(data: ReportData, section: str) -> str:
    """The generated text of `section` (what the edit form starts from when nobody edited it)."""
    if section == PROBLEMS:
        return problems_draft(data)
    if section == NEXT_STEPS:
        return next_steps_draft(data)
    return simple_draft(
        data.plan, year=data.year, section=section, progress=data.progress, issued=data.generated_at.date()
    )


def in_force(data: ReportData, section: str) -> str:
    """The staff-edited text in force for `section`, else its draft."""
    text = data.narrative(section)
    return draft(data, section) if text is None else text


def issue_date(data: ReportData) -> dt.date:
    """成文日期: the date staff entered, else the day the report was issued (generated)."""
    text = (data.narrative(DATE) or "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return data.generated_at.date()
