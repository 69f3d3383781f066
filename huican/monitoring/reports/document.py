"""The readable report (Word and PDF) as a list of blocks — headings, paragraphs, tables, charts —
written once here and rendered by reports.word and reports.pdf, so both say exactly the same.

Both reports are 公文 (GB/T 9704): a masthead (title, 主送机关), the body in sections numbered 一、
（一） 1., the 落款 and 成文日期, then the 附件 on a new page. The annual report is built here; the
final evaluation in ``reports.final``. Indicators are printed in the plan's order (1..11).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from huican.core.dates import chinese_date
from huican.monitoring.plan import KIND_NAMES
from huican.monitoring.reports.build import DASH, ReportData, data_date_text, met_text, shown
from huican.monitoring.reports.charts import indicator_pngs
from huican.monitoring.reports.drafts import ADDRESSEE, SIGNATORY, in_force, issue_date
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


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 31 → 三十一 (公文 section numbers, 1–99)."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")


def section(n: int, text: str) -> Heading:
    """一、总体情况"""
    return Heading(1, f"{chinese_number(n)}、{text}")


def subsection(n: int, text: str) -> Heading:
    """（一）…"""
    return Heading(2, f"（{chinese_number(n)}）{text}")


def plan_order(data: ReportData) -> list[IndicatorSummary]:
    """The city's indicators in the plan's order (1..11), whatever order the dashboard shows."""
    return sorted(data.city.items, key=lambda item: item.indicator.number)


def masthead(data: ReportData) -> Masthead:
    return Masthead(title=data.title, addressee=in_force(data, ADDRESSEE))


def closing(data: ReportData) -> Closing:
    return Closing(issuer=in_force(data, SIGNATORY), date=chinese_date(issue_date(data)))


def trend_alt(item: IndicatorSummary) -> str:
    """The figures a trend chart shows, as a screen reader reads them."""
    unit = item.indicator.unit
    points = "，".join(f"{p.year} 年 {shown(p.value, unit)}" for p in item.trend)
    target = target_text(item.indicator, item.row["target"], CITY_CODE)
    projected = f"，预计 {shown(item.projection, unit)}" if item.projection is not None else ""
    return f"{item.indicator.name}逐年数值：{points}；目标 {target}{projected}。"


def ranking_alt(item: IndicatorSummary, year: int) -> str:
    unit = item.indicator.unit
    entries = "，".join(f"{e.name} {shown(e.value, unit)}（{met_text(e.met)}）" for e in item.ranking)
    return f"{item.indicator.name}各县（市、区）{year} 年数值：{entries}。"


def trend_chart(data: ReportData, item: IndicatorSummary) -> tuple[Chart, Chart | None]:
    """The trend chart and (when ranked) the ranking chart of an indicator, with captions and alt texts."""
    trend_png, ranking_png = indicator_pngs(item, data.plan)
    name = item.indicator.name
    trend = Chart(
        trend_png, f"图：{name}，{item.trend[0].year}–{item.trend[-1].year} 年趋势", alt=trend_alt(item)
    )
    ranking = (
        Chart(ranking_png, f"图：{name}，各县（市、区）{data.year} 年排名", alt=ranking_alt(item, data.year))
        if ranking_png is not None
        else None
    )
    return trend, ranking


def summary_text(data: ReportData) -> list[Block]:
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
    binding = sorted(city.binding_not_met, key=lambda item: item.indicator.number)
    if binding:
        blocks.append(
            Paragraph("未达标的约束性指标：" + "；".join(one_line(item) for item in binding) + "。")
        )
    else:
        blocks.append(Paragraph("约束性指标均已达标或暂无数据。"))
    if not data.final:
        missing = data.tasks_without_report
        blocks.append(
            Paragraph(
                f"规划的 {len(data.tasks)} 项任务中，{len(missing)} 项没有 {data.year} 年的进展报告。"
                if data.tasks
                else "规划文件中没有任务。"
            )
        )
    return blocks


def one_line(item: IndicatorSummary) -> str:
    unit = item.indicator.unit
    target = target_text(item.indicator, item.row["target"], CITY_CODE)
    return f"{item.indicator.name} {shown(item.row['value'], unit)}（目标 {target}）"


def ranking_table(data: ReportData, item: IndicatorSummary) -> Table:
    unit = item.indicator.unit
    return Table(
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
        caption=f"表：{item.indicator.name}（各县（市、区），{data.year} 年）",
        widths=[0.8, 2, 1.2, 1.2, 1.2, 1],
    )


def _indicator_blocks(data: ReportData, item: IndicatorSummary, n: int) -> list[Block]:
    indicator = item.indicator
    unit = indicator.unit
    row = item.row
    target = target_text(indicator, row["target"], CITY_CODE)
    blocks: list[Block] = [
        subsection(n, f"{indicator.name}（{KIND_NAMES[indicator.kind]}）"),
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
    trend, ranking = trend_chart(data, item)
    blocks.append(trend)
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
    if ranking is not None:
        blocks.append(ranking)
        blocks.append(ranking_table(data, item))
    return blocks


def document_blocks(data: ReportData) -> list[Block]:
    """The blocks of the report: the final evaluation (``reports.final``) or the annual report."""
    if data.final:
        from huican.monitoring.reports.final import final_blocks

        return final_blocks(data)
    return annual_blocks(data)


def annual_blocks(data: ReportData) -> list[Block]:
    blocks: list[Block] = [masthead(data), section(1, "总体情况"), *summary_text(data)]
    blocks.append(section(2, "主要指标"))
    for n, item in enumerate(plan_order(data), start=1):
        blocks.extend(_indicator_blocks(data, item, n))

    blocks.append(section(3, "未达到目标的县（市、区）"))
    behind: list[str] = []
    for item in plan_order(data):
        names = [e.name for e in item.counties_behind]
        if names:
            behind.append(f"{item.indicator.name}：{'、'.join(names)}")
    blocks.append(Bullets(behind) if behind else Paragraph("没有未达到目标的县（市、区），或暂无数据。"))

    blocks.append(section(4, "比对发现"))
    blocks.append(findings_table(data))

    blocks.append(section(5, "没有进展报告的任务"))
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
    blocks.append(Paragraph("附件：数据来源"))
    blocks.append(closing(data))
    blocks.append(PageBreak())
    blocks.append(Paragraph("附件"))
    blocks.append(Heading(1, "数据来源"))
    blocks.append(sources_table(data))
    return blocks


def findings_table(data: ReportData) -> Table:
    finding_names = data.finding_names
    total = {code: sum(data.findings.get(code, {}).values()) for code in finding_names}
    return Table(
        ["发现", "全市合计", "最多的县（市、区）"],
        [[label, str(total[code]), _top_county(data, code)] for code, label in finding_names.items()],
        caption=f"表：{data.on:%Y-%m-%d} 比对发现（各县明细见 Excel 版）",
        widths=[2, 1, 2.5],
    )


def sources_table(data: ReportData) -> Table:
    return Table(
        ["数据", "来源部门", "文件", "数据日期", "导入时间"],
        _source_rows(data),
        caption="表：数据来源（评估日期有效的各部门名单）",
        widths=[2, 1, 3, 1.3, 1.6],
    )


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
