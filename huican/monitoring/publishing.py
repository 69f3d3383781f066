"""Published reports (发布): an annual report or final evaluation frozen with the data it was computed on.

City staff publish a report from the report page (``publish_report``, audited). The publication keeps
the figures the report prints (every indicator row of its trend for every unit, the findings per code
and county, the task progress reports, the data sources; for the final evaluation also the base
year's rows, the progress reports of every year and the computed 专栏 project figures), the
staff-edited narratives in force with their version numbers and the staff-entered project figures
(``huican.monitoring.narratives``), and its data version: the list batches in
force on D per kind, the stamps of the registry and survey columnar copies (``huican.core.copies``)
and the dashboard's data digest. ``published_report_data`` rebuilds the report from those figures
alone, so the .xlsx, .docx and .pdf of a published report are the same whatever data arrive later
(``huican report`` and the web download use them unless asked for current data).

``publication_changes`` compares a publication with what current data give for the same year and
D: per indicator of the city, the published value, the current value and the difference; the
monitoring dashboard shows it for every report published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from huican.accounts.access import can
from huican.core import copies
from huican.core.audit import audit_record
from huican.monitoring.models import PublishedReport, TaskProgress
from huican.monitoring.plan import Plan, plan_for_year, plan_of
from huican.monitoring.reports.build import ReportData, assemble_report, build_report
from huican.monitoring.selectors import data_version, indicator_runs, plan_years, rows_for
from huican.monitoring.tasks_progress import TaskStatus
from huican.regions.divisions import CITY_CODE


class PublishError(ValueError):
    """A publication the system does not accept (a year outside the plan's years)."""


def may_publish(user: Any) -> bool:
    """Only city staff (who manage the standards for the whole city) publish reports."""
    return can(user, "manage_standards")


# --- publishing ------------------------------------------------------------------------------------


def publish_report(*, year: int, final: bool, actor: Any, today: dt.date | None = None) -> PublishedReport:
    """Compute the report from current data and keep its figures and data version; audited."""
    if not may_publish(actor):
        raise PermissionDenied("只有市级工作人员可以发布报告")
    today = today or timezone.localdate()
    plan = plan_for_year(year)
    if year not in plan_years(plan, today):
        raise PublishError(f"年度不正确：{year}")
    data = build_report(year=year, final=final, today=today)
    stamps = {table: copies.stamp(table) for table in copies.WATCHED}
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        published = PublishedReport.objects.create(
            plan_code=plan.code,
            year=year,
            final=final,
            on=data.on,
            today=today,
            figures=report_figures(data),
            batches=data.batches,
            copies=stamps,
            data_version=data_version(),
            published_by=user,
            published_by_name=getattr(user, "username", "") if user else str(actor or ""),
            published_at=data.generated_at,
        )
        audit_record(
            actor=actor,
            action="monitoring.report_publish",
            object_type="PublishedReport",
            object_id=published.pk,
            detail={
                "year": year,
                "final": final,
                "on": data.on.isoformat(),
                "batches": data.batches,
                "copies": stamps,
                "data_version": published.data_version,
                "narratives": {section: entry["version"] for section, entry in data.narratives.items()},
            },
        )
    return published


def report_figures(data: ReportData) -> dict[str, Any]:
    """The JSON figures of a report (what ``published_report_data`` rebuilds it from)."""
    return {
        "runs": [
            {"year": year, "on": on.isoformat(), "rows": rows} for (year, on), rows in data.runs.items()
        ],
        "findings": [
            [code, county, count]
            for code, counties in data.findings.items()
            for county, count in counties.items()
        ],
        "tasks": [
            {
                "code": status.task.code,
                "reports": [{"unit": report.unit, "text": report.text} for report in status.reports],
            }
            for status in data.tasks
        ],
        # The final evaluation's progress reports of every year, the narrative versions in force
        # (with their version numbers) and the 专栏 project figures: later edits never change them.
        "progress": data.progress,
        "narratives": data.narratives,
        "project_figures": data.project_figures,
        "project_computed": data.project_computed,
        "sources": [
            {
                **{key: value for key, value in source.items() if key != "batches"},
                "batches": [
                    {
                        "file_name": batch["file_name"],
                        "imported_at": batch["imported_at"].isoformat(),
                        "data_date": batch["data_date"].isoformat() if batch.get("data_date") else None,
                        "accepted": batch["accepted"],
                    }
                    for batch in source["batches"]
                ],
            }
            for source in data.sources
        ],
    }


# --- reading publications --------------------------------------------------------------------------


def latest_publication(*, year: int, final: bool, plan: Plan | None = None) -> PublishedReport | None:
    """The publication in force for `year` (and kind): the latest one under the plan of that year."""
    plan_code = (plan or plan_for_year(year)).code
    return (
        PublishedReport.objects.filter(plan_code=plan_code, year=year, final=final)
        .order_by("-published_at", "-id")
        .first()
    )


def publications(plan: Plan | None = None) -> list[PublishedReport]:
    """The publication in force of every year and kind (of `plan`, or of every plan; latest year first)."""
    reports = (
        PublishedReport.objects.all() if plan is None else PublishedReport.objects.filter(plan_code=plan.code)
    )
    seen: dict[tuple[int, bool], PublishedReport] = {}
    for published in reports.order_by("-published_at", "-id"):
        seen.setdefault((published.year, published.final), published)
    return sorted(seen.values(), key=lambda p: (-p.year, not p.final))


def _runs(published: PublishedReport) -> dict[tuple[int, dt.date], list[dict[str, Any]]]:
    return {(run["year"], dt.date.fromisoformat(run["on"])): run["rows"] for run in published.figures["runs"]}


def published_report_data(published: PublishedReport) -> ReportData:
    """The report exactly as published: every figure from the publication, none from current data."""
    figures = published.figures
    plan = plan_of(published.plan_code, published.year)
    tasks_by_code = {task.code: task for task in plan.tasks}
    tasks = [
        TaskStatus(
            task=tasks_by_code[entry["code"]],
            reports=[TaskProgress(unit=r["unit"], text=r["text"]) for r in entry["reports"]],
        )
        for entry in figures["tasks"]
        if entry["code"] in tasks_by_code
    ]
    findings: dict[str, dict[str, int]] = {}
    for code, county, count in figures["findings"]:
        findings.setdefault(code, {})[county] = count
    sources = [
        {
            **{key: value for key, value in source.items() if key != "batches"},
            "batches": [
                {
                    **batch,
                    "imported_at": timezone.localtime(dt.datetime.fromisoformat(batch["imported_at"])),
                    "data_date": dt.date.fromisoformat(batch["data_date"])
                    if batch.get("data_date")
                    else None,
                }
                for batch in source["batches"]
            ],
        }
        for source in figures["sources"]
    ]
    data = assemble_report(
        year=published.year,
        final=published.final,
        today=published.today,
        runs=_runs(published),
        findings=findings,
        tasks=tasks,
        sources=sources,
        generated_at=timezone.localtime(published.published_at),
    )
    data.batches = published.batches
    data.progress = list(figures.get("progress") or [])
    data.narratives = dict(figures.get("narratives") or {})
    data.project_figures = dict(figures.get("project_figures") or {})
    data.project_computed = dict(figures.get("project_computed") or {})
    return data


# --- would current data change it? -----------------------------------------------------------------


@dataclass(frozen=True)
class FigureChange:
    code: str
    number: int
    name: str
    unit: str
    published: float | int | None
    current: float | int | None

    @property
    def changed(self) -> bool:
        return self.published != self.current

    @property
    def difference(self) -> float | int | None:
        """current − published (None when either is unknown), without float error."""
        if self.published is None or self.current is None:
            return None
        diff = Decimal(str(self.current)) - Decimal(str(self.published))
        return int(diff) if diff == diff.to_integral_value() else float(diff)


@dataclass
class PublicationCheck:
    published: PublishedReport
    figures: list[FigureChange] = field(default_factory=list)  # the city's indicators, plan order
    units_changed: int = 0  # rows of the county-level units whose value would change

    @property
    def changes(self) -> list[FigureChange]:
        return [figure for figure in self.figures if figure.changed]

    @property
    def changed(self) -> bool:
        return bool(self.changes) or self.units_changed > 0


def publication_changes(published: PublishedReport) -> PublicationCheck:
    """What current data give for the publication's year and D, against the published figures."""
    plan = plan_of(published.plan_code, published.year)
    point = (published.year, published.on)
    then = _runs(published).get(point, [])
    now = indicator_runs([point])[point]
    current = {(row["code"], row["region"]): row["value"] for row in now}
    check = PublicationCheck(published=published)
    city = {row["code"]: row["value"] for row in rows_for(then, CITY_CODE)}
    for indicator in plan.indicators:
        check.figures.append(
            FigureChange(
                code=indicator.code,
                number=indicator.number,
                name=indicator.name,
                unit=indicator.unit,
                published=city.get(indicator.code),
                current=current.get((indicator.code, CITY_CODE)),
            )
        )
    check.units_changed = sum(
        1
        for row in then
        if row["region"] != CITY_CODE and current.get((row["code"], row["region"])) != row["value"]
    )
    return check


def publication_checks() -> list[PublicationCheck]:
    """`publication_changes` of every publication in force (the dashboard's list)."""
    return [publication_changes(published) for published in publications()]


def publish_job(*, progress: Any, year: int, final: bool, actor_id: int) -> dict[str, Any]:
    """Background task of the web's publish button: `publish_report` for the user `actor_id`."""
    from django.contrib.auth import get_user_model

    progress(10, "计算报告")
    actor = get_user_model().objects.get(pk=actor_id)
    published = publish_report(year=year, final=final, actor=actor)
    progress(100, "完成")
    return {"published_id": published.pk, "year": year, "final": final}
