"""The readable report (Word and PDF) as a list of blocks — headings, paragraphs, tables, charts —
written once here and rendered by reports.word and reports.pdf, so both say exactly the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from huican.core.dates import chinese_date
from huican.monitoring.plan import KIND_NAMES
from huican.monitoring.reports.build import DASH, ReportData, data_date_text, met_text, shown
from huican.monitoring.reports.charts import indicator_pngs
from huican.monitoring.reports.summary import IndicatorSummary, target_text
from huican.regions.divisions import CITY_CODE


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""
    widths: list[float] = field(default_factory=list)  # relative column widths


@dataclass(frozen=True)
class Chart:
    png: bytes
    caption: str
    width_cm: float = 15.5
    alt: str = ""  # the text alternative a screen reader reads (the figures the chart shows)


@dataclass(frozen=True)
class Masthead:
    """The head of a 公文 (GB/T 9704-2012): its title and the 主送机关 line below it."""

    title: str
    addressee: str = ""


@dataclass(frozen=True)
class Closing:
    """The 落款 (issuing organ) and 成文日期 after the body, right-aligned; ``date`` as 2026年1月5日."""

    issuer: str
    date: str


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (before the 附件)."""


Block = Heading | Paragraph | Bullets | Table | Chart | Masthead | Closing | PageBreak


def _summary_text(data: ReportData) -> list[Block]:
    city = data.city
    period = f"{data.plan.start_year}–{data.year} 年" if data.final else f"{data.year} 年"
    blocks: list[Block] = [
        Paragraph(
            f"本报告依据《{data.plan.title}》（{data.plan.issuer} {chinese_date(data.plan.issued)} 印发）专栏1"
            f"的主要指标，对{period}的实施情况进行{'终期评估' if data.final else '年度监测'}。指标按系统数据"
            f"计算，评估日期为 {chinese_date(data.on)}；报告生成于 {chinese_date(data.generated_at)} {data.generated_at:%H:%M}。"
        ),
        Paragraph(
            f"全市 {len(city.items)} 项指标中，达标 {city.met_count} 项，未达标 {city.not_met_count} 项，"
            f"因缺少数据或目标无法判断 {city.unknown_count} 项。"
        ),
    ]
    binding = city.binding_not_met
    if binding:
        blocks.append(
            Paragraph("未达标的约束性指标：" + "；".join(_one_line(item) for item in binding) + "。")
        )
    else:
        blocks.append(Paragraph("约束性指标均已达标或暂无数据。"))
    missing = data.tasks_without_report
    blocks.append(
        Paragraph(
            f"规划的 {len(data.tasks)} 项任务中，{len(missing)} 项没有 {data.year} 年的进展报告。"
            if data.tasks
            else "规划文件中没有任务。"
        )
    )
    return blocks


def _one_line(item: IndicatorSummary) -> str:
    unit = item.indicator.unit
    target = target_text(item.indicator, item.row["target"], CITY_CODE)
    return f"{item.indicator.name} {shown(item.row['value'], unit)}（目标 {target}）"


def _indicator_blocks(data: ReportData, item: IndicatorSummary) -> list[Block]:
    indicator = item.indicator
    unit = indicator.unit
    row = item.row
    target = target_text(indicator, row["target"], CITY_CODE)
    blocks: list[Block] = [
        Heading(2, f"{indicator.number}. {indicator.name}（{KIND_NAMES[indicator.kind]}）"),
        Paragraph(
            f"{data.year} 年全市数值 {shown(row['value'], unit)}，目标 {target}，{met_text(row['met'])}。"
            f"分子 {shown(row['numerator'])}，分母 {shown(row['denominator'])}。"
            + (
                f"按 {item.trend[0].year}–{item.trend[-1].year} 年趋势线性外推，{data.plan.end_year} 年预计为 "
                f"{shown(item.projection, unit)}（{met_text(item.projected_met)}）。"
                if item.projection is not None
                else ""
            )
        ),
    ]
    trend_png, ranking_png = indicator_pngs(item, data.plan)
    blocks.append(
        Chart(trend_png, f"图：{indicator.name}，{item.trend[0].year}–{item.trend[-1].year} 年趋势")
    )
    blocks.append(
        Table(
            ["年度", "分子", "分母", "数值", "目标", "是否达标"],
            [
                [
                    str(p.year),
                    shown(p.numerator),
                    shown(p.denominator),
                    shown(p.value, unit),
                    shown(p.target, unit),
                    met_text(p.met),
                ]
                for p in item.trend
            ],
            caption=f"表：{indicator.name}（全市，逐年）",
            widths=[1, 1.4, 1.4, 1.2, 1.2, 1],
        )
    )
    if ranking_png is not None:
        blocks.append(Chart(ranking_png, f"图：{indicator.name}，各县（市、区）{data.year} 年排名"))
        blocks.append(
            Table(
                ["名次", "县（市、区）", "分子", "分母", "数值", "是否达标"],
                [
                    [
                        str(e.rank) if e.rank else DASH,
                        e.name,
                        shown(e.numerator),
                        shown(e.denominator),
                        shown(e.value, unit),
                        met_text(e.met),
                    ]
                    for e in item.ranking
                ],
                caption=f"表：{indicator.name}（各县（市、区），{data.year} 年）",
                widths=[0.8, 2, 1.2, 1.2, 1.2, 1],
            )
        )
    return blocks


def document_blocks(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading(0, data.title), Heading(1, "一、总体情况"), *_summary_text(data)]
    blocks.append(Heading(1, "二、主要指标"))
    for item in data.city.items:
        blocks.extend(_indicator_blocks(data, item))

    blocks.append(Heading(1, "三、未达到目标的县（市、区）"))
    behind: list[str] = []
    for item in data.city.items:
        names = [e.name for e in item.counties_behind]
        if names:
            behind.append(f"{item.indicator.name}：{'、'.join(names)}")
    blocks.append(Bullets(behind) if behind else Paragraph("没有未达到目标的县（市、区），或暂无数据。"))

    blocks.append(Heading(1, "四、比对发现"))
    finding_names = data.finding_names
    total = {code: sum(data.findings.get(code, {}).values()) for code in finding_names}
    blocks.append(
        Table(
            ["发现", "全市合计", "最多的县（市、区）"],
            [[label, str(total[code]), _top_county(data, code)] for code, label in finding_names.items()],
            caption=f"表：{data.on:%Y-%m-%d} 比对发现（各县明细见 Excel 版）",
            widths=[2, 1, 2.5],
        )
    )

    blocks.append(Heading(1, "五、没有进展报告的任务"))
    missing = data.tasks_without_report
    blocks.append(
        Table(
            ["任务", "名称", "牵头（责任）单位"],
            [[task.code, task.title, "、".join(task.lead)] for task in missing],
            caption=f"表：{data.year} 年没有进展报告的任务",
            widths=[0.8, 3, 3],
        )
        if missing
        else Paragraph(f"所有任务都有 {data.year} 年的进展报告。")
    )

    if data.final:
        blocks.append(Heading(1, "六、与“十三五”基线对照"))
        blocks.append(
            Table(
                ["“十三五”末指标", "基线", f"{data.year} 年"],
                [
                    [figure.name, shown(float(figure.value), figure.unit), shown(value, figure.unit)]
                    for figure, value in data.baseline
                ],
                caption="表：“十三五”基线（规划 §一）与本期数值（无对应数据的为“—”）",
                widths=[3, 1.2, 1.2],
            )
        )

    blocks.append(Heading(1, ("七" if data.final else "六") + "、数据来源"))
    blocks.append(
        Table(
            ["数据", "来源部门", "文件", "数据日期", "导入时间"],
            _source_rows(data),
            widths=[2, 1, 3, 1.3, 1.6],
        )
    )
    return blocks


def _top_county(data: ReportData, code: str) -> str:
    counts = data.findings.get(code, {})
    if not counts:
        return DASH
    county, count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return f"{dict(data.counties).get(county, county)}（{count}）"


def _source_rows(data: ReportData) -> list[list[Any]]:
    rows = []
    for source in data.sources:
        for batch in source["batches"] or [None]:
            rows.append(
                [source["title"], source["source"], batch["file_name"] if batch else "未导入",
                 data_date_text(batch),
                 batch["imported_at"].strftime("%Y-%m-%d %H:%M") if batch else DASH]
            )  # fmt: skip
    return rows
