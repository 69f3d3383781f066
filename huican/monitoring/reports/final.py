"""The final evaluation (终期评估) as blocks, in 公文 form and this order:

masthead (title, 主送机关); 一、总体情况 (summary; every indicator's base-year value from data or "无数据"
with the reason; the 十三五 figures as the plan states them); 二、主要指标完成情况 (the indicators in the
plan's order, each year, the final value, 达标/未达标, then each indicator's county table);
三、重点任务进展 (each task: its units, its 成效 summary and every year's progress reports with their
figures); 四、专栏项目完成情况 (every numbered key-project target); 五、存在的问题 and 六、下一步建议
(the staff-edited text in force, else the draft from the figures); 落款 and 成文日期; then on a new
page 附件1 主要指标定义 and 附件2 数据来源.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from huican.matching.missing_lists import YEARLY_LISTS
from huican.matching.vocabulary import LIST_NAMES, school_year_on
from huican.monitoring.plan import KIND_NAMES, BaselineFigure, IndicatorTarget
from huican.monitoring.reports.build import DASH, ReportData, baseline_indicator, met_text, shown
from huican.monitoring.reports.document import (
    Block,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    closing,
    masthead,
    plan_order,
    section,
    sources_table,
    subsection,
    summary_text,
    trend_chart,
)
from huican.monitoring.reports.drafts import (
    NEXT_STEPS,
    PROBLEMS,
    TASK_PREFIX,
    figure_text,
    in_force,
    paragraphs,
)
from huican.monitoring.reports.projects import PENDING, completion_text, key_target_text, project_rows
from huican.monitoring.reports.summary import IndicatorSummary, target_text
from huican.regions.divisions import CITY_CODE, COUNTIES

NO_DATA = "无数据"
COMPARISON_WORDS = {">": "以上", ">=": "以上", "<": "以下", "<=": "以下"}


# --- 一、总体情况 -------------------------------------------------------------------------------------


def base_reason(data: ReportData, indicator: IndicatorTarget, row: dict[str, Any] | None) -> str:
    """Why an indicator has no value for the plan's base year ("" when it has one)."""
    plan = data.plan
    base = plan.base_year
    if indicator.comparison == "gdp":
        return f"年均增速以 {base} 年为基期计算，基期年本身没有增速"
    if indicator.is_count:
        return f"本指标是自规划期开始（{plan.start_year} 年 1 月 1 日）的累计数，基期年没有对应数值"
    if row is None:
        return "报告未计算基期数值"
    if row["value"] is not None:
        return ""
    if row["numerator"] is None and row["denominator"] is None:
        yearly = next((item for item in YEARLY_LISTS if item.indicator_code == indicator.code), None)
        if yearly is not None:
            point = data.base_point
            period = (
                f"{school_year_on(point[1])} 学年" if yearly.kind == "enrolment" and point else f"{base} 年"
            )
            return f"{period}的{LIST_NAMES[yearly.kind]}从未导入系统"
        return f"{base} 年缺少计算所需的名单"
    if not row["denominator"]:
        return f"{base} 年没有符合条件的人员（分母为 0），如该年的残疾人需求调查或名单未导入"
    return ""


def _base_value(data: ReportData, indicator: IndicatorTarget) -> tuple[str, str]:
    """(the base-year value as printed or "无数据", the reason)."""
    row = next((r for r in data.base_rows() if r["code"] == indicator.code), None)
    reason = base_reason(data, indicator, row)
    if row is None or row["value"] is None or reason:
        return NO_DATA, reason
    return shown(row["value"], indicator.unit), ""


def stated(figure: BaselineFigure) -> str:
    """A 十三五 figure as the plan states it: 31,000 人, 80%以上."""
    return shown(float(figure.value), figure.unit) + COMPARISON_WORDS.get(figure.comparison, "")


def overview_blocks(data: ReportData) -> list[Block]:
    plan = data.plan
    base = plan.base_year
    reported = {row["task"] for row in data.progress}
    projects = project_rows(data)
    done = sum(1 for row in projects if row.met is True)
    blocks: list[Block] = [section(1, "总体情况"), *summary_text(data)]
    blocks.append(
        Paragraph(
            f"规划的 {len(plan.tasks)} 项重点任务中，{len(reported)} 项在 {plan.start_year}—{data.year} 年有进展报告；"
            f"有量化目标的 {len(projects)} 项专栏项目目标中，完成 {done} 项，"
            f"未完成 {sum(1 for row in projects if row.met is False)} 项，"
            f"尚无数据 {sum(1 for row in projects if row.value is None)} 项。"
        )
    )
    rows = []
    for indicator in plan.indicators:
        value, reason = _base_value(data, indicator)
        rows.append([str(indicator.number), indicator.name, value, reason or DASH])
    blocks.append(
        Table(
            ["序号", "指标", f"{base} 年（基期）", "说明"],
            rows,
            caption=f"表：主要指标的 {base} 年基期数值（按系统数据计算；无数据的注明原因）",
            widths=[0.6, 3, 1.2, 3],
        )
    )
    names = {item.code: item for item in plan.indicators}
    previous = plan.previous_period_name or "上一规划期"
    figure_rows = []
    for figure in plan.baseline:
        code = baseline_indicator(plan, figure)
        counterpart_indicator = names.get(code or "")
        if counterpart_indicator is None:
            counterpart, value = "无对应指标", NO_DATA
            reason = figure.note or "本规划没有测量同一事项的指标，系统中没有对应数据"
        else:
            counterpart = f"{counterpart_indicator.number}. {counterpart_indicator.name}"
            value, why = _base_value(data, counterpart_indicator)
            reason = "；".join(part for part in (figure.note, why) if part) or DASH
        figure_rows.append([figure.name, stated(figure), counterpart, value, reason])
    blocks.append(
        Table(
            [f"“{previous}”指标", "规划所述数值", "本规划对应指标", f"{base} 年（系统数据）", "说明"],
            figure_rows,
            caption=f"表：“{previous}”主要数据（规划 §一 发展现状）与系统基期数据",
            widths=[2.4, 1.3, 2.4, 1.2, 2.6],
        )
    )
    return blocks


# --- 二、主要指标完成情况 -------------------------------------------------------------------------------


def _years(data: ReportData) -> list[int]:
    return [p.year for p in data.city.items[0].trend] if data.city.items else []


def indicator_table(data: ReportData) -> Table:
    years = _years(data)
    header = ["序号", "指标", "属性", "目标", f"{data.plan.base_year} 年", *[f"{y} 年" for y in years]]
    header += ["终期值", "达标情况"]
    rows = []
    for item in plan_order(data):
        unit = item.indicator.unit
        base, _ = _base_value(data, item.indicator)
        rows.append(
            [
                str(item.indicator.number),
                item.indicator.name,
                KIND_NAMES[item.indicator.kind],
                target_text(item.indicator, item.row["target"], CITY_CODE),
                base,
                *[shown(p.value, unit) for p in item.trend],
                shown(item.row["value"], unit),
                met_text(item.row["met"]),
            ]
        )
    return Table(
        header,
        rows,
        caption=f"表：主要指标完成情况（全市，{data.plan.base_year}—{data.year} 年）",
        widths=[0.5, 3, 0.8, 1.6, 1, *[1] * len(years), 1, 1],
    )


def county_table(data: ReportData, item: IndicatorSummary) -> Table:
    unit = item.indicator.unit
    points = [(p.year, p.on) for p in item.trend]
    values: dict[tuple[int, str], Any] = {}
    met: dict[str, bool | None] = {}
    for point in points:
        for row in data.runs.get(point, []):
            if row["code"] == item.code:
                values[(point[0], row["region"])] = row["value"]
                if point[0] == data.year:
                    met[row["region"]] = row["met"]
    years = [year for year, _ in points]
    rows = [
        [name, *[shown(values.get((year, code)), unit) for year in years], met_text(met.get(code))]
        for code, name, _ in COUNTIES
    ]
    return Table(
        ["县（市、区）", *[f"{y} 年" for y in years], "终期达标情况"],
        rows,
        caption=f"表：{item.indicator.name}（各县（市、区），{years[0]}—{years[-1]} 年）",
        widths=[1.6, *[1] * len(years), 1.1],
    )


def indicator_blocks(data: ReportData) -> list[Block]:
    blocks: list[Block] = [section(2, "主要指标完成情况"), indicator_table(data)]
    for n, item in enumerate(plan_order(data), start=1):
        indicator = item.indicator
        row = item.row
        target = target_text(indicator, row["target"], CITY_CODE)
        blocks.append(subsection(n, f"{indicator.name}（{KIND_NAMES[indicator.kind]}）"))
        behind = "、".join(entry.name for entry in item.counties_behind)
        blocks.append(
            Paragraph(
                f"终期（{data.year} 年）全市数值 {shown(row['value'], indicator.unit)}，目标 {target}，"
                f"{met_text(row['met'])}。分子 {shown(row['numerator'])}，分母 {shown(row['denominator'])}。"
                + (f"未达到目标的县（市、区）：{behind}。" if behind else "")
            )
        )
        trend, _ranking = trend_chart(data, item)
        blocks.append(trend)
        blocks.append(county_table(data, item))
    return blocks


# --- 三、重点任务进展 ---------------------------------------------------------------------------------


def task_blocks(data: ReportData) -> list[Block]:
    blocks: list[Block] = [section(3, "重点任务进展")]
    by_task: dict[str, list[dict[str, Any]]] = {}
    for row in data.progress:
        by_task.setdefault(row["task"], []).append(row)
    chapters: list[str] = list(dict.fromkeys(task.chapter or task.section for task in data.plan.tasks))
    for c, chapter in enumerate(chapters, start=1):
        blocks.append(subsection(c, re.sub(r"^（[一二三四五六七八九十]+）", "", chapter)))
        tasks = [task for task in data.plan.tasks if (task.chapter or task.section) == chapter]
        for t, task in enumerate(tasks, start=1):
            blocks.append(Heading(3, f"{t}. {task.title}（任务 {task.code}）"))
            units = "责任单位" if task.responsible else "牵头单位"
            line = f"{units}：{'、'.join(task.lead)}"
            if task.participating:
                line += f"；参与单位：{'、'.join(task.participating)}"
            blocks.append(Paragraph(line + "。"))
            blocks.append(
                Paragraph("成效：" + " ".join(paragraphs(in_force(data, f"{TASK_PREFIX}{task.code}"))))
            )
            reports = by_task.get(task.code, [])
            if not reports:
                continue
            for year in range(data.plan.start_year, data.year + 1):
                own = [row for row in reports if row["year"] == year]
                if not own:
                    blocks.append(Paragraph(f"{year} 年：没有进展报告。"))
                    continue
                for row in own:
                    figures = "；".join(figure_text(figure) for figure in row["figures"])
                    text = " ".join(paragraphs(row["text"]))
                    blocks.append(
                        Paragraph(
                            f"{year} 年 {row['unit']}：{text}" + (f"（数据：{figures}）" if figures else "")
                        )
                    )
    return blocks


# --- 四、专栏项目完成情况 -------------------------------------------------------------------------------


def project_blocks(data: ReportData) -> list[Block]:
    rows = project_rows(data)
    blocks: list[Block] = [section(4, "专栏项目完成情况")]
    if not rows:
        return [*blocks, Paragraph("规划的专栏项目中没有量化目标。")]
    blocks.append(
        Paragraph(
            f"规划专栏2—9中有量化目标的项目目标 {len(rows)} 项：完成 {sum(1 for r in rows if r.met is True)} 项，"
            f"未完成 {sum(1 for r in rows if r.met is False)} 项，"
            f"待录入 {sum(1 for r in rows if r.pending)} 项。有对应主要指标的取指标终期值，系统能计算的按数据计算，"
            "其余由市残联工作人员按部门报送的数据录入。"
        )
    )
    blocks.append(
        Table(
            ["专栏", "项目", "目标", "目标值", "完成值", "数据来源", "完成情况"],
            [
                [
                    f"专栏{row.project.column}",
                    f"{row.project.number}. {row.project.name}",
                    row.target.name,
                    key_target_text(row.target),
                    shown(row.value, row.target.unit)
                    if row.value is not None
                    else (PENDING if row.pending else NO_DATA),
                    DASH if row.pending else row.source,
                    completion_text(row),
                ]
                for row in rows
            ],
            caption=f"表：专栏项目量化目标完成情况（{data.year} 年）",
            widths=[0.7, 2, 3, 1, 1, 2.6, 0.8],
        )
    )
    return blocks


# --- 附件 ----------------------------------------------------------------------------------------------


@cache
def docstring_definitions() -> dict[str, str]:
    """Indicator code → its definition line(s) in huican.monitoring.indicators' module docstring."""
    from huican.monitoring import indicators

    doc = indicators.__doc__ or ""
    found: dict[str, str] = {}
    pattern = re.compile(r"^\d+\.\s+([a-z_]+)\s+—\s+(.*?)(?=^\d+\.\s+[a-z_]+\s+—|\n\s*\n)", re.M | re.S)
    for match in pattern.finditer(doc):
        found[match.group(1)] = " ".join(match.group(2).split())
    return found


def definition(indicator: IndicatorTarget) -> str:
    return str(getattr(indicator, "description", "") or "").strip() or docstring_definitions().get(
        indicator.code, DASH
    )


def annex_blocks(data: ReportData) -> list[Block]:
    return [
        PageBreak(),
        Paragraph("附件1"),
        Heading(1, "主要指标定义"),
        Table(
            ["序号", "指标", "属性", "目标", "定义（计算口径）"],
            [
                [
                    str(indicator.number),
                    indicator.name,
                    KIND_NAMES[indicator.kind],
                    target_text(indicator, indicator.target, CITY_CODE),
                    definition(indicator),
                ]
                for indicator in data.plan.indicators
            ],
            caption="表：主要指标的定义和计算口径",
            widths=[0.5, 2.2, 0.7, 1.2, 5],
        ),
        PageBreak(),
        Paragraph("附件2"),
        Heading(1, "数据来源"),
        sources_table(data),
    ]


def final_blocks(data: ReportData) -> list[Block]:
    blocks: list[Block] = [masthead(data)]
    blocks += overview_blocks(data)
    blocks += indicator_blocks(data)
    blocks += task_blocks(data)
    blocks += project_blocks(data)
    blocks.append(section(5, "存在的问题"))
    blocks += [Paragraph(text) for text in paragraphs(in_force(data, PROBLEMS))]
    blocks.append(section(6, "下一步建议"))
    blocks += [Paragraph(text) for text in paragraphs(in_force(data, NEXT_STEPS))]
    blocks.append(Paragraph("附件：1. 主要指标定义"))
    blocks.append(Paragraph("2. 数据来源"))
    blocks.append(closing(data))
    blocks += annex_blocks(data)
    return blocks
