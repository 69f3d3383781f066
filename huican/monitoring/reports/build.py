"""The annual monitoring report and the final evaluation (年度监测报告 / 终期评估).

``build_report(year=…, final=…)`` gathers everything the report says: the city summary (each
indicator with its trend, projection and county ranking), the rows of every county-level unit, the
findings on D counted per code and county, the tasks without a progress report, the data sources in
force and, for the final evaluation, the indicators of the plan's base year (2020), the 十三五
baseline of the plan file, the progress reports of every year, the 专栏 project figures computed
from data or entered by staff, and the staff-edited narratives in force (``huican.monitoring
.narratives``). ``write_report`` writes it as .xlsx, .docx or .pdf (the suffix decides). An empty
database gives a report of "—".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.utils import timezone

from huican.matching.findings import compute_findings
from huican.matching.models import FindingCode
from huican.matching.urgency import urgency_rank
from huican.monitoring.models import TaskProgress
from huican.monitoring.plan import BaselineFigure, Plan, Task, plan_for_year
from huican.monitoring.reports.summary import Summary, build_summary, summary_points
from huican.monitoring.selectors import data_sources, evaluation_day, indicator_runs, region_name, rows_for
from huican.monitoring.tasks_progress import TaskStatus, task_statuses, task_units
from huican.policy.facts import load_facts
from huican.policy.rules import evaluate
from huican.policy.vocabulary import prepare
from huican.regions.divisions import CITY_CODE, COUNTIES

REPORT_KINDS = {".xlsx": "Excel 表格（.xlsx）", ".docx": "Word 文档（.docx）", ".pdf": "PDF 文档（.pdf）"}
DASH = "—"


class ReportFormatError(ValueError):
    """The output file's suffix is not one of .xlsx, .docx, .pdf."""


@dataclass
class ReportData:
    plan: Plan
    year: int
    final: bool
    on: dt.date
    generated_at: dt.datetime
    city: Summary
    units: list[tuple[str, str, list[dict[str, Any]]]]  # (code, name, rows) for the city and each unit
    findings: dict[str, dict[str, int]]  # code → county → count
    tasks: list[TaskStatus]
    sources: list[dict[str, Any]]
    baseline: list[tuple[BaselineFigure, Any]] = field(default_factory=list)
    # The progress reports of every year of the plan up to `year` (final evaluation): dicts of
    # task, year, unit, text, figures (TaskProgress), in the plan's task and unit order.
    progress: list[dict[str, Any]] = field(default_factory=list)
    # Staff-edited narrative sections in force (section → text, version, saved_by_name, saved_at).
    narratives: dict[str, dict[str, Any]] = field(default_factory=dict)
    # 专栏 project figures entered by staff (target code → value, year, source, entered_by_name).
    project_figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    # 专栏 project figures computed from data (target code → value, numerator, denominator, basis).
    project_computed: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The indicator rows of every (year, D) of the trend, all units: what a publication stores.
    runs: dict[tuple[int, dt.date], list[dict[str, Any]]] = field(default_factory=dict)
    # The list batches in force on D (kind → ids), when computed from current data.
    batches: dict[str, list[int]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        if self.final:
            return f"{self.plan.title}终期评估报告"
        return f"{self.plan.title}{self.year}年度监测报告"

    @property
    def base_point(self) -> tuple[int, dt.date] | None:
        """The (year, D) of the plan's base year among `runs`, when the report holds it."""
        return next((point for point in self.runs if point[0] == self.plan.base_year), None)

    def base_rows(self) -> list[dict[str, Any]]:
        """The city's indicator rows of the plan's base year (empty when not computed)."""
        point = self.base_point
        return rows_for(self.runs[point], CITY_CODE) if point else []

    def narrative(self, section: str) -> str | None:
        """The staff-edited text in force for `section`, or None (the report then prints a draft)."""
        entry = self.narratives.get(section)
        return None if entry is None else str(entry.get("text") or "")

    @property
    def tasks_without_report(self) -> list[Task]:
        return [status.task for status in self.tasks if not status.reported]

    @property
    def finding_names(self) -> dict[str, str]:
        """Code → name, most urgent first (huican.matching.urgency)."""
        return {code.value: str(code.label) for code in sorted(FindingCode, key=urgency_rank)}

    @property
    def counties(self) -> list[tuple[str, str]]:
        return [(code, name) for code, name, _ in COUNTIES]


def build_report(*, year: int, final: bool = False, today: dt.date | None = None) -> ReportData:
    """Everything the report prints, for the city and every county-level unit, from current data."""
    from huican.monitoring.narratives import narratives_in_force, project_figures_in_force
    from huican.monitoring.reports.projects import computed_project_values

    today = today or timezone.localdate()
    on = evaluation_day(year, today=today)
    facts = load_facts(on=on)
    plan = plan_for_year(year)
    points = summary_points(plan, year=year, today=today)
    if final and plan.base_year < plan.start_year:
        points = [(plan.base_year, evaluation_day(plan.base_year, today=today)), *points]
    runs = indicator_runs(points, region=CITY_CODE, facts=facts)
    prepared = prepare(facts)
    found = compute_findings(facts, evaluate(prepared), prepared=prepared)
    findings: dict[str, dict[str, int]] = {}
    for row in found.group_by("code", "county").agg(pl.len().alias("n")).iter_rows(named=True):
        findings.setdefault(row["code"], {})[row["county"]] = int(row["n"])
    data = assemble_report(
        year=year,
        final=final,
        today=today,
        runs=runs,
        findings=findings,
        tasks=task_statuses(year, plan),
        sources=data_sources(on),
        generated_at=timezone.localtime(),
    )
    data.batches = facts.batches
    data.narratives = narratives_in_force(plan_code=data.plan.code, year=year, final=final)
    if final:
        data.progress = progress_reports(data.plan, year)
        data.project_figures = project_figures_in_force(plan_code=data.plan.code, year=year)
        data.project_computed = computed_project_values(facts, data.plan, year=year)
    return data


def progress_reports(plan: Plan, year: int) -> list[dict[str, Any]]:
    """Every progress report on the plan's tasks from its first year to `year`, as JSON values."""
    order = {task.code: i for i, task in enumerate(plan.tasks)}
    units = {task.code: task_units(task) for task in plan.tasks}
    reports = TaskProgress.objects.filter(
        plan_code=plan.code, year__gte=plan.start_year, year__lte=year, task_code__in=list(order)
    )
    rows: list[dict[str, Any]] = [
        {
            "task": report.task_code,
            "year": report.year,
            "unit": report.unit,
            "text": report.text,
            "figures": list(report.figures or []),
        }
        for report in reports
    ]

    def unit_rank(row: dict[str, Any]) -> int:
        own = units[row["task"]]
        return own.index(row["unit"]) if row["unit"] in own else len(own)

    rows.sort(key=lambda row: (order[row["task"]], row["year"], unit_rank(row), row["unit"]))
    return rows


def assemble_report(
    *,
    year: int,
    final: bool,
    today: dt.date,
    runs: dict[tuple[int, dt.date], list[dict[str, Any]]],
    findings: dict[str, dict[str, int]],
    tasks: list[TaskStatus],
    sources: list[dict[str, Any]],
    generated_at: dt.datetime,
) -> ReportData:
    """The report from its figures: `runs` holds the indicator rows of every (year, D) of the trend
    (all units); a published report passes its stored figures (``huican.monitoring.publishing``)."""
    on = evaluation_day(year, today=today)
    city = build_summary(region=CITY_CODE, year=year, today=today, show_ranking=True, runs=runs)
    plan = city.plan
    all_rows = runs[(year, on)]
    units = [(CITY_CODE, region_name(CITY_CODE), rows_for(all_rows, CITY_CODE))]
    units += [(code, name, rows_for(all_rows, code)) for code, name, _ in COUNTIES]
    baseline = []
    if final:
        values = {item.code: item.row["value"] for item in city.items}
        baseline = [(figure, values.get(baseline_indicator(plan, figure) or "")) for figure in plan.baseline]
    return ReportData(
        plan=plan,
        year=year,
        final=final,
        on=on,
        generated_at=generated_at,
        city=city,
        units=units,
        findings=findings,
        tasks=tasks,
        sources=sources,
        baseline=baseline,
        runs=runs,
    )


def baseline_indicator(plan: Plan, figure: BaselineFigure) -> str | None:
    """The code of the plan's indicator measuring the same thing as a 十三五 figure, if any."""
    code = figure.indicator or (figure.code if figure.code in plan.indicator_codes else None)
    return code if code in plan.indicator_codes else None


def check_suffix(out: Path | str) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in REPORT_KINDS:
        raise ReportFormatError(f"报告文件的扩展名应为 .xlsx、.docx 或 .pdf：{Path(out).name}")
    return suffix


def write_report(
    *, year: int, out: Path | str, final: bool = False, today: dt.date | None = None, current: bool = False
) -> Path:
    """Write the report to `out` in the format its suffix names.

    A published report (``huican.monitoring.publishing``) is produced again from its stored figures,
    identically; `current` computes it from current data instead (as an unpublished one always is).
    """
    from huican.monitoring.publishing import latest_publication, published_report_data

    check_suffix(out)
    published = None if current else latest_publication(year=year, final=final)
    if published is not None:
        return write_report_data(published_report_data(published), out)
    return write_report_data(build_report(year=year, final=final, today=today), out)


def write_report_data(data: ReportData, out: Path | str) -> Path:
    """Write `data` to `out` as .xlsx, .docx or .pdf (its suffix decides)."""
    suffix = check_suffix(out)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        from huican.monitoring.reports.workbook import write_xlsx

        write_xlsx(data, target)
    elif suffix == ".docx":
        from huican.monitoring.reports.word import write_docx

        write_docx(data, target)
    else:
        from huican.monitoring.reports.pdf import write_pdf

        write_pdf(data, target)
    return target


# --- the web download (a background job) -------------------------------------------------------------


def reports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def report_path(file_name: str) -> Path | None:
    """The stored report `file_name` (only plain names this module writes; anything else is None)."""
    if not re.fullmatch(r"report-\d+-\d{4}(-final)?\.(xlsx|docx|pdf)", file_name or ""):
        return None
    return reports_dir() / file_name


def report_job(
    *, progress: Any, year: int, suffix: str, final: bool, current: bool = False
) -> dict[str, Any]:
    """Background task: write the report under MEDIA_ROOT/reports and return its names."""
    check_suffix(f"x{suffix}")
    progress(10, "计算指标")
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    file_name = f"report-{stamp}-{year}{'-final' if final else ''}{suffix}"
    write_report(year=year, out=reports_dir() / file_name, final=final, current=current)
    progress(100, "完成")
    label = "终期评估报告" if final else f"{year}年度监测报告"
    return {"file_name": file_name, "download_name": f"{label}{suffix}"}


def shown(value: Any, unit: str = "") -> str:
    """A figure as the report prints it ("—" for null)."""
    from huican.monitoring.charts import format_value

    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return "是" if value else "否"
    return format_value(value, unit)


def data_date_text(batch: dict[str, Any] | None) -> str:
    """A source batch's data date (the day the department drew the list; "—" when it has none)."""
    value = (batch or {}).get("data_date")
    return value.isoformat() if value else DASH


def met_text(met: bool | None) -> str:
    return DASH if met is None else ("达标" if met else "未达标")
