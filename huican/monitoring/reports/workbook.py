"""The report as an Excel workbook (xlsxwriter): one table per sheet, header in row 1, so every
sheet reads back as a table (and sorts and filters in Excel or WPS). Null figures are "—"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from huican.core.frames import is_formula_like
from huican.monitoring.plan import KIND_NAMES
from huican.monitoring.reports.build import DASH, ReportData, data_date_text, met_text
from huican.monitoring.reports.drafts import figure_text
from huican.monitoring.reports.projects import completion_text, key_target_text, project_rows
from huican.monitoring.reports.summary import target_text
from huican.regions.divisions import CITY_CODE


def _cell(value: Any) -> Any:
    """Numbers stay numbers (Excel can sum them); null becomes "—"; booleans 是/否."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _sheet(
    book: Any, name: str, header: list[str], rows: list[list[Any]], widths: list[int] | None = None
) -> None:
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True, "bg_color": "#E8ECF2", "border": 1, "text_wrap": True})
    sheet.write_row(0, 0, header, bold)
    # Text that looks like a formula is written as text with a quote prefix (it stays text even
    # when someone edits the cell; the value shown is unchanged).
    quoted = book.add_format({"quote_prefix": True})
    for i, row in enumerate(rows, start=1):
        for col, value in enumerate(_cell(v) for v in row):
            if isinstance(value, str) and is_formula_like(value, keep_numbers=False):
                sheet.write_string(i, col, value, quoted)
            else:
                sheet.write(i, col, value)
    for col, width in enumerate(widths or [16] * len(header)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(header) - 1)


def write_xlsx(data: ReportData, target: Path) -> None:
    book = xlsxwriter.Workbook(
        str(target), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    plan, city = data.plan, data.city
    summary_rows: list[list[Any]] = [
        ["报告", data.title],
        ["评估日期", data.on.isoformat()],
        ["生成时间", data.generated_at.strftime("%Y-%m-%d %H:%M")],
        ["规划", f"{plan.title}（{plan.issuer} {plan.issued.isoformat()} 印发）"],
        ["全市达标指标数", city.met_count],
        ["全市未达标指标数", city.not_met_count],
        ["无法判断的指标数", city.unknown_count],
        ["未达标的约束性指标", "、".join(i.indicator.name for i in city.binding_not_met) or "无"],
        ["没有进展报告的任务数", len(data.tasks_without_report)],
    ]
    _sheet(book, "摘要", ["项目", "内容"], summary_rows, [22, 90])

    header = ["序号", "指标代码", "指标", "属性", "目标", "分子", "分母", "数值", "单位", "是否达标"]
    header += [f"{plan.end_year} 年预测", "预测是否达标", "未达标的县（市、区）"]
    city_rows = [
        [
            item.indicator.number,
            item.code,
            item.indicator.name,
            KIND_NAMES[item.indicator.kind],
            target_text(item.indicator, item.row["target"], CITY_CODE),
            item.row["numerator"],
            item.row["denominator"],
            item.row["value"],
            item.indicator.unit,
            met_text(item.row["met"]),
            item.projection,
            met_text(item.projected_met),
            "、".join(e.name for e in item.counties_behind) or DASH,
        ]
        for item in sorted(city.items, key=lambda i: i.indicator.number)  # the plan's order
    ]
    _sheet(book, "全市指标", header, city_rows, [6, 24, 40, 8, 14, 14, 14, 10, 6, 10, 12, 12, 40])

    unit_rows = []
    for code, name, rows in data.units:
        for row in rows:
            indicator = plan.indicator(row["code"])
            unit_rows.append(
                [code, name, indicator.number, row["code"], indicator.name, KIND_NAMES[row["kind"]],
                 row["target"], row["numerator"], row["denominator"], row["value"], met_text(row["met"])]
            )  # fmt: skip
    _sheet(
        book,
        "县区指标",
        ["区划代码", "地区", "序号", "指标代码", "指标", "属性", "目标", "分子", "分母", "数值", "是否达标"],
        unit_rows,
        [10, 16, 6, 24, 40, 8, 10, 12, 12, 10, 10],
    )

    matrix = [
        [
            code,
            name,
            *[next((r["value"] for r in rows if r["code"] == ind.code), None) for ind in plan.indicators],
        ]
        for code, name, rows in data.units
    ]
    _sheet(book, "县区对比", ["区划代码", "地区", *[f"{i.number}.{i.name}" for i in plan.indicators]], matrix,
           [10, 16, *[14] * len(plan.indicators)])  # fmt: skip

    years = [p.year for p in city.items[0].trend] if city.items else []
    base = {row["code"]: row["value"] for row in data.base_rows()}
    base_header = [f"{plan.base_year} 年（基期）"] if data.final else []
    trend_rows = []
    for item in sorted(city.items, key=lambda i: i.indicator.number):
        base_value = [None if item.indicator.is_count else base.get(item.code)] if data.final else []
        trend_rows.append(
            [item.indicator.number, item.indicator.name, *base_value, *[p.value for p in item.trend],
             item.projection]
        )  # fmt: skip
    _sheet(book, "全市趋势", ["序号", "指标", *base_header, *[f"{y} 年" for y in years], f"{plan.end_year} 年预测"],
           trend_rows, [6, 40, *[12] * (len(years) + len(base_header) + 1)])  # fmt: skip

    names = data.finding_names
    finding_rows = []
    for code, label in names.items():
        counts = data.findings.get(code, {})
        finding_rows.append(
            [code, label, *[counts.get(c, 0) for c, _ in data.counties], sum(counts.values())]
        )
    _sheet(book, "比对发现汇总", ["代码", "发现", *[n for _, n in data.counties], "合计"], finding_rows,
           [26, 18, *[10] * len(data.counties), 10])  # fmt: skip

    task_rows = []
    for status in data.tasks:
        task = status.task
        task_rows.append(
            [task.code, task.title, "、".join(task.lead), "、".join(task.participating) or DASH,
             "是" if status.reported else "否",
             "；".join(f"{r.unit}：{r.text}" for r in status.reports) or DASH]
        )  # fmt: skip
    _sheet(book, "任务进展", ["任务", "名称", "牵头（责任）单位", "参与单位", f"{data.year} 年已报告", "进展"],
           task_rows, [8, 36, 30, 40, 10, 80])  # fmt: skip

    source_rows = []
    for source in data.sources:
        for batch in source["batches"] or [None]:
            source_rows.append(
                [source["title"], source["source"],
                 batch["file_name"] if batch else "未导入",
                 data_date_text(batch),
                 batch["imported_at"].strftime("%Y-%m-%d %H:%M") if batch else DASH,
                 batch["accepted"] if batch else DASH]
            )  # fmt: skip
    _sheet(
        book,
        "数据来源",
        ["数据", "来源部门", "文件", "数据日期", "导入时间", "接受行数"],
        source_rows,
        [24, 12, 40, 12, 18, 10],
    )

    if data.final:
        base_rows = [
            [figure.name, float(figure.value), figure.unit, value, figure.code, figure.note]
            for figure, value in data.baseline
        ]
        previous = plan.previous_period_name or "上一规划期"
        _sheet(book, f"{previous}基线对照", [f"“{previous}”末指标", "基线", "单位", f"{data.year} 年数值", "代码", "说明"],
               base_rows, [36, 12, 8, 14, 26, 40])  # fmt: skip
        project_sheet = [
            [f"专栏{row.project.column}", row.project.name, row.target.code, row.target.name,
             key_target_text(row.target), row.value, row.target.unit, row.source, completion_text(row)]
            for row in project_rows(data)
        ]  # fmt: skip
        _sheet(book, "专栏项目", ["专栏", "项目", "目标代码", "目标", "目标值", "完成值", "单位", "数据来源", "完成情况"],
               project_sheet, [8, 30, 24, 50, 12, 12, 6, 50, 10])  # fmt: skip
        progress_sheet = [
            [row["task"], row["year"], row["unit"], row["text"],
             "；".join(figure_text(figure) for figure in row["figures"]) or DASH]
            for row in data.progress
        ]  # fmt: skip
        _sheet(book, "历年任务进展", ["任务", "年度", "报告单位", "进展", "数据"], progress_sheet,
               [8, 8, 20, 80, 40])  # fmt: skip
    book.close()
