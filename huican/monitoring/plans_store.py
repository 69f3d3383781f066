"""Loading plans into the database (``huican plan load FILE``) and listing them (``huican plan list``).

A plan file is parsed and checked whole (every field, every indicator definition) before anything is
stored; it is then kept as a ``PlanDocument`` (the text is the source of truth, parsed again when read:
huican.monitoring.plan). Rules:

- a code not stored yet is stored;
- the same code with the same text (checksum) changes nothing;
- the same code with another text needs ``replace=True`` (the person's confirmation): ``ReplaceNeeded``;
- years overlapping a plan of another code (stored, or the bundled 2021–2025 file while it is the
  default) are refused: a year must pick exactly one plan;
- every load and replacement is audited; a replacement's audit entry keeps the text it replaced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from huican.core.audit import audit_record
from huican.monitoring.models import PlanDocument
from huican.monitoring.plan import Plan, PlanError, all_plans, checksum_of, parse_plan_text

CREATED, REPLACED, UNCHANGED = "created", "replaced", "unchanged"
OPERATOR = "命令行"


class PlanLoadRefused(PlanError):
    """The plan is valid but cannot be stored as asked (overlapping years)."""


class ReplaceNeeded(PlanLoadRefused):
    """A plan of that code is stored with another text: replacing it must be confirmed."""


@dataclass(frozen=True)
class LoadResult:
    outcome: str  # created | replaced | unchanged
    plan: Plan
    document: PlanDocument


def years_text(start: int, end: int) -> str:
    return f"{start}–{end}"


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_username())
    return actor if isinstance(actor, str) and actor else OPERATOR


def load_plan_text(text: str, *, file_name: str = "", replace: bool = False, actor: Any = None) -> LoadResult:
    """Parse, check and store a plan file's text (see the module docstring). PlanError when refused."""
    plan = parse_plan_text(text, file_name)
    checksum = checksum_of(text)
    with transaction.atomic():
        existing = PlanDocument.objects.select_for_update().filter(code=plan.code).first()
        if existing is not None and existing.checksum == checksum:
            return LoadResult(UNCHANGED, plan, existing)
        if existing is not None and not replace:
            raise ReplaceNeeded(
                f"已有代码为 {plan.code} 的规划（{existing.loaded_at:%Y-%m-%d %H:%M} 载入，内容不同）；"
                "确认要替换，请加 --replace"
            )
        for other in all_plans():
            if (
                other.code != plan.code
                and other.start_year <= plan.end_year
                and plan.start_year <= other.end_year
            ):
                raise PlanLoadRefused(
                    f"规划 {plan.code} 的年份 {years_text(plan.start_year, plan.end_year)} 与规划 {other.code}"
                    f"（{other.title}，{years_text(other.start_year, other.end_year)}）重叠：每一年只能属于一个规划"
                )
        user = actor if getattr(actor, "is_authenticated", False) else None
        fields = {
            "title": plan.title,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "base_year": plan.base_year,
            "illustrative": plan.illustrative,
            "source": text,
            "file_name": file_name[:255],
            "checksum": checksum,
            "loaded_by": user,
            "loaded_by_name": _actor_name(actor)[:150],
            "loaded_at": timezone.now(),
        }
        detail: dict[str, Any] = {
            "code": plan.code,
            "title": plan.title,
            "years": years_text(plan.start_year, plan.end_year),
            "illustrative": plan.illustrative,
            "indicators": len(plan.indicators),
            "file_name": file_name,
            "checksum": checksum,
        }
        if existing is None:
            document = PlanDocument.objects.create(code=plan.code, **fields)
            outcome, action = CREATED, "monitoring.plan_load"
        else:
            detail.update(
                previous_checksum=existing.checksum,
                previous_file_name=existing.file_name,
                previous_loaded_at=existing.loaded_at.isoformat(),
                previous_source=existing.source,  # earlier texts stay in the audit log
            )
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            document = existing
            outcome, action = REPLACED, "monitoring.plan_replace"
        audit_record(
            actor=actor or OPERATOR,
            action=action,
            object_type="monitoring.PlanDocument",
            object_id=plan.code,
            detail=detail,
        )
    return LoadResult(outcome, plan, document)


@dataclass(frozen=True)
class PlanListing:
    """One plan as ``huican plan list`` and the plans page show it."""

    plan: Plan
    stored: bool  # loaded into the database (False: the bundled 2021–2025 file, the default)
    loaded_at: dt.datetime | None
    loaded_by: str

    def as_dict(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "code": plan.code,
            "title": plan.title,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "base_year": plan.base_year,
            "period_name": plan.period_name,
            "illustrative": plan.illustrative,
            "source": "stored" if self.stored else "bundled",
            "file_name": plan.file_name,
            "checksum": plan.checksum,
            "loaded_at": timezone.localtime(self.loaded_at).isoformat() if self.loaded_at else None,
            "loaded_by": self.loaded_by or None,
            "indicators": len(plan.indicators),
        }


def plan_listing() -> list[PlanListing]:
    """Every plan (huican.monitoring.plan.all_plans) with who loaded it and when."""
    documents = {
        doc.code: doc for doc in PlanDocument.objects.only("code", "loaded_at", "loaded_by_name", "checksum")
    }
    out = []
    for plan in all_plans():
        document = documents.get(plan.code)
        out.append(
            PlanListing(
                plan=plan,
                stored=document is not None,
                loaded_at=document.loaded_at if document else None,
                loaded_by=document.loaded_by_name if document else "",
            )
        )
    return out
