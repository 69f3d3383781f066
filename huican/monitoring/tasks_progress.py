"""Task progress (任务进展): units report per year on the plan's tasks (§三 and §四).

Who may report: any staff user (city, county or township) for now — the plan names departments
(市民政局, 市人社局 …) as lead units, but the system has no per-department accounts for them yet, so a
staff member enters the report on the unit's behalf and names the unit (one of the task's lead or
participating units). Evaluators read every report and the list of tasks without a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from huican.accounts.access import STAFF_ROLES, can
from huican.core.audit import audit_record
from huican.monitoring.models import TaskProgress
from huican.monitoring.plan import Plan, Task, plan_for_year

MAX_FIGURES = 10


class TaskProgressError(ValueError):
    """A progress report the plan does not accept (unknown task, unit or year, empty text)."""


def may_report_progress(user: Any) -> bool:
    """Staff users with a region report progress (see the module docstring)."""
    return can(user, "browse_registry") and getattr(user, "role", None) in STAFF_ROLES


def task_units(task: Task) -> tuple[str, ...]:
    """The units that may report on a task: its lead (or responsible) units, then participating ones."""
    return tuple(dict.fromkeys((*task.lead, *task.participating)))


def find_task(plan: Plan, code: str) -> Task:
    for task in plan.tasks:
        if task.code == code:
            return task
    raise TaskProgressError(f"规划中没有任务 {code}")


def _figures(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    for figure in figures:
        name = str(figure.get("name") or "").strip()
        raw = figure.get("value")
        unit = str(figure.get("unit") or "").strip()
        if not name and raw in (None, ""):
            continue
        if not name:
            raise TaskProgressError("每项数据都要写名称")
        try:
            value = Decimal(str(raw).replace(",", "").strip())
        except (InvalidOperation, ValueError):
            raise TaskProgressError(f"“{name}”的数值应为数字") from None
        if not value.is_finite():
            raise TaskProgressError(f"“{name}”的数值应为数字")
        cleaned.append({"name": name[:100], "value": format(value.normalize(), "f"), "unit": unit[:20]})
    if len(cleaned) > MAX_FIGURES:
        raise TaskProgressError(f"每份报告最多 {MAX_FIGURES} 项数据")
    return cleaned


def task_progress_submit(
    *,
    task_code: str,
    year: int,
    unit: str,
    text: str,
    figures: list[dict[str, Any]],
    actor: Any,
    ip_address: str = "",
    plan: Plan | None = None,
) -> TaskProgress:
    """Record (or correct) a unit's progress on a task for a year; audited with the text before."""
    if not may_report_progress(actor):
        raise PermissionDenied("无权填报任务进展")
    plan = plan or plan_for_year(int(year))
    task = find_task(plan, task_code)
    if not plan.start_year <= int(year) <= plan.end_year + 1:
        raise TaskProgressError(f"年度应在 {plan.start_year}–{plan.end_year + 1} 之间")
    if unit not in task_units(task):
        raise TaskProgressError(f"“{unit}”不是任务 {task.code} 的牵头或参与单位")
    text = text.strip()
    if not text:
        raise TaskProgressError("请填写进展情况")
    cleaned = _figures(figures)
    with transaction.atomic():
        before = (
            TaskProgress.objects.filter(plan_code=plan.code, task_code=task.code, year=year, unit=unit)
            .values("text", "figures")
            .first()
        )
        report, _ = TaskProgress.objects.update_or_create(
            plan_code=plan.code,
            task_code=task.code,
            year=year,
            unit=unit,
            defaults={"text": text, "figures": cleaned, "submitted_by": actor},
        )
        audit_record(
            actor=actor,
            action="monitoring.task_progress",
            object_type="TaskProgress",
            object_id=report.pk,
            detail={
                "plan": plan.code,
                "task": task.code,
                "year": int(year),
                "unit": unit,
                "before": before,
                "after": {"text": text, "figures": cleaned},
            },
            ip_address=ip_address,
        )
    return report


@dataclass
class TaskStatus:
    task: Task
    reports: list[TaskProgress]

    @property
    def reported(self) -> bool:
        return bool(self.reports)

    @property
    def lead_reported(self) -> bool:
        return any(report.unit in self.task.lead for report in self.reports)


def task_statuses(year: int, plan: Plan | None = None) -> list[TaskStatus]:
    """Every task of the plan with the reports of `year` (lead units first)."""
    plan = plan or plan_for_year(year)
    reports: dict[str, list[TaskProgress]] = {}
    for report in TaskProgress.objects.filter(plan_code=plan.code, year=year).select_related("submitted_by"):
        reports.setdefault(report.task_code, []).append(report)
    statuses = []
    for task in plan.tasks:
        own = reports.get(task.code, [])
        units = task_units(task)
        own.sort(key=lambda r: units.index(r.unit) if r.unit in units else len(units))
        statuses.append(TaskStatus(task=task, reports=own))
    return statuses


def tasks_without_report(year: int, plan: Plan | None = None) -> list[Task]:
    """The tasks no unit has reported on for `year`."""
    return [status.task for status in task_statuses(year, plan) if not status.reported]
