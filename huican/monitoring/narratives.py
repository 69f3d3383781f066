"""Staff-edited parts of a report (叙述部分) and the 专栏 project figures staff enter.

A report (plan, year, annual or final) has editable parts (``reports.drafts.editable_sections``):
主送机关, 落款, 成文日期 and, in the final evaluation, 五、存在的问题, 六、下一步建议 and each task's
成效 summary. Each save adds a version (``ReportNarrative``; the newest is in force, older ones are
kept and may be restored, which saves them again as the newest). A part never edited prints its
draft, generated from the report's figures (``reports.drafts``).

``ProjectFigure`` holds the figure of a 专栏 project target the data cannot compute (e.g. the share
of units employing disabled staff), per plan, target and year, with its source.

Who: the city staff who publish reports (``publishing.may_publish``). Every save is audited.
Issuing (publishing) a report freezes the versions in force and the project figures into it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from huican.core.audit import audit_record
from huican.monitoring.models import ProjectFigure, ReportNarrative
from huican.monitoring.plan import KeyTarget, Plan
from huican.monitoring.publishing import may_publish
from huican.monitoring.reports.drafts import Section, editable_sections
from huican.monitoring.reports.projects import computable, numbered_targets

MAX_TEXT = 20_000
MAX_LINE = 200


class NarrativeError(ValueError):
    """A narrative or project figure the report does not accept."""


def may_edit_narratives(user: Any) -> bool:
    """The staff who issue reports edit what they say (city staff: ``may_publish``)."""
    return may_publish(user)


def _check(actor: Any) -> Any:
    if not may_edit_narratives(actor):
        raise PermissionDenied("只有市级工作人员可以编辑报告")
    return actor if getattr(actor, "is_authenticated", False) else None


def find_section(plan: Plan, *, final: bool, section: str) -> Section:
    for item in editable_sections(plan, final=final):
        if item.key == section:
            return item
    raise NarrativeError(f"报告中没有可编辑的部分“{section}”")


def _clean(section: Section, text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if section.kind == "date":
        if not text:
            return ""
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise NarrativeError("成文日期应为 YYYY-MM-DD 格式的日期") from None
    if section.kind == "line":
        if "\n" in text:
            raise NarrativeError(f"“{section.title}”只能写一行")
        if len(text) > MAX_LINE:
            raise NarrativeError(f"“{section.title}”最多 {MAX_LINE} 个字")
        return text
    if len(text) > MAX_TEXT:
        raise NarrativeError(f"“{section.title}”最多 {MAX_TEXT} 个字")
    return text


def _versions(plan: Plan, year: int, final: bool, section: str) -> Any:
    return ReportNarrative.objects.filter(plan_code=plan.code, year=year, final=final, section=section)


def narrative_save(
    *,
    plan: Plan,
    year: int,
    final: bool,
    section: str,
    text: str,
    actor: Any,
    ip_address: str = "",
    restored_from: int | None = None,
) -> ReportNarrative:
    """Save a new version of a report's part (the newest is in force); audited with the text before."""
    user = _check(actor)
    part = find_section(plan, final=final, section=section)
    if not plan.start_year <= int(year) <= plan.end_year + 1:
        raise NarrativeError(f"年度应在 {plan.start_year}–{plan.end_year + 1} 之间")
    cleaned = _clean(part, text)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                versions = _versions(plan, year, final, section)
                before = versions.order_by("-version").values("version", "text").first()
                number = (versions.aggregate(top=Max("version"))["top"] or 0) + 1
                saved = ReportNarrative.objects.create(
                    plan_code=plan.code,
                    year=year,
                    final=final,
                    section=section,
                    version=number,
                    text=cleaned,
                    saved_by=user,
                    saved_by_name=getattr(user, "username", "") if user else str(actor or ""),
                    saved_at=timezone.now(),
                )
                audit_record(
                    actor=actor,
                    action="monitoring.narrative_restore" if restored_from else "monitoring.narrative_save",
                    object_type="ReportNarrative",
                    object_id=saved.pk,
                    detail={
                        "plan": plan.code,
                        "year": int(year),
                        "final": final,
                        "section": section,
                        "version": number,
                        "restored_from": restored_from,
                        "before": before,
                        "after": cleaned,
                    },
                    ip_address=ip_address,
                )
                return saved
        except IntegrityError:  # two saves at once took the same number: take the next one
            continue
    raise NarrativeError("保存冲突，请重试")


def narrative_restore(
    *, plan: Plan, year: int, final: bool, section: str, version: int, actor: Any, ip_address: str = ""
) -> ReportNarrative:
    """Put an older version back in force by saving its text as a new version; audited."""
    _check(actor)
    old = _versions(plan, year, final, section).filter(version=version).first()
    if old is None:
        raise NarrativeError(f"没有第 {version} 版")
    return narrative_save(
        plan=plan,
        year=year,
        final=final,
        section=section,
        text=old.text,
        actor=actor,
        ip_address=ip_address,
        restored_from=version,
    )


def narrative_history(*, plan: Plan, year: int, final: bool, section: str) -> list[ReportNarrative]:
    """Every saved version of a part, newest first."""
    return list(_versions(plan, year, final, section).select_related("saved_by").order_by("-version"))


def narrative_version(*, plan: Plan, year: int, final: bool, section: str, version: int) -> ReportNarrative:
    found = _versions(plan, year, final, section).filter(version=version).first()
    if found is None:
        raise NarrativeError(f"没有第 {version} 版")
    return found


def narratives_in_force(*, plan_code: str, year: int, final: bool) -> dict[str, dict[str, Any]]:
    """section → the newest version (text, version, saved_by_name, saved_at) of a report's parts."""
    found: dict[str, dict[str, Any]] = {}
    rows = ReportNarrative.objects.filter(plan_code=plan_code, year=year, final=final).order_by(
        "section", "-version"
    )
    for row in rows:
        found.setdefault(
            row.section,
            {
                "text": row.text,
                "version": row.version,
                "saved_by_name": row.saved_by_name,
                "saved_at": row.saved_at.isoformat(),
            },
        )
    return found


# --- 专栏 project figures -------------------------------------------------------------------------


def enterable_targets(plan: Plan) -> list[KeyTarget]:
    """The numbered key targets the data cannot compute: staff enter their figures."""
    return [target for _, target in numbered_targets(plan) if not computable(target)]


def project_figure_set(
    *,
    plan: Plan,
    target_code: str,
    year: int,
    value: Decimal | str,
    source: str,
    actor: Any,
    ip_address: str = "",
) -> ProjectFigure:
    """Enter (or correct) the figure of a key-project target for a year; audited with the one before."""
    user = _check(actor)
    target = next((t for t in enterable_targets(plan) if t.code == target_code), None)
    if target is None:
        raise NarrativeError(f"专栏项目目标“{target_code}”由系统数据计算或不存在，不能录入")
    if not plan.start_year <= int(year) <= plan.end_year + 1:
        raise NarrativeError(f"年度应在 {plan.start_year}–{plan.end_year + 1} 之间")
    try:
        number = Decimal(str(value).replace(",", "").strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise NarrativeError(f"数值应为数字：{value!r}") from None
    if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
        raise NarrativeError(f"数值不正确：{value}")
    if target.unit == "%" and number > 100:
        raise NarrativeError("比例应在 0–100 之间")
    source = (source or "").strip()
    if not source:
        raise NarrativeError("请填写数据来源（如部门报送的文件）")
    with transaction.atomic():
        before = (
            ProjectFigure.objects.filter(plan_code=plan.code, target_code=target_code, year=year)
            .values("value", "source")
            .first()
        )
        figure, _ = ProjectFigure.objects.update_or_create(
            plan_code=plan.code,
            target_code=target_code,
            year=year,
            defaults={"value": number, "source": source[:200], "entered_by": user},
        )
        audit_record(
            actor=actor,
            action="monitoring.project_figure",
            object_type="ProjectFigure",
            object_id=figure.pk,
            detail={
                "plan": plan.code,
                "target": target_code,
                "year": int(year),
                "before": {"value": str(before["value"]), "source": before["source"]} if before else None,
                "after": {"value": str(number), "source": figure.source},
            },
            ip_address=ip_address,
        )
    return figure


def project_figures_in_force(*, plan_code: str, year: int) -> dict[str, dict[str, Any]]:
    """target code → the latest figure entered for a year up to `year` (value, year, source, who)."""
    found: dict[str, dict[str, Any]] = {}
    rows = (
        ProjectFigure.objects.filter(plan_code=plan_code, year__lte=year)
        .select_related("entered_by")
        .order_by("target_code", "-year")
    )
    for row in rows:
        found.setdefault(
            row.target_code,
            {
                "value": str(row.value),
                "year": row.year,
                "source": row.source,
                "entered_by_name": row.entered_by.username if row.entered_by else "",
                "entered_at": row.entered_at.isoformat(),
            },
        )
    return found


def project_figure_list(plan: Plan) -> list[ProjectFigure]:
    """Every figure entered for the plan's key targets (the page's table)."""
    return list(
        ProjectFigure.objects.filter(plan_code=plan.code)
        .select_related("entered_by")
        .order_by("target_code", "year")
    )
