"""Reading findings, always scoped to the user (huican.accounts.access decides the region).

- Staff (city / county / township) see the findings of persons registered in their region.
- Department officers see, within their region, only the codes that concern their department
  (``DEPARTMENT_CODES``): 民政 the coverage and payment findings, 人社 pension, 医保 medical,
  教育 school enrolment, 公安 deaths and names.
- Evaluators see counts only; administrators see nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from huican.accounts.access import can, region_prefix_for
from huican.accounts.models import Role
from huican.exchange.kinds import KINDS
from huican.matching.models import Finding, FindingCode, FindingRun, RunFinding
from huican.matching.urgency import by_urgency, urgency_order

ALL_CODES: tuple[str, ...] = tuple(by_urgency(FindingCode.values))  # most urgent first

DEPARTMENT_CODES: dict[str, tuple[str, ...]] = {
    "民政": (
        "dibao_not_covered",
        "double_benefit",
        "living_subsidy_not_covered",
        "nursing_subsidy_not_covered",
        "paid_after_death",
        "paid_while_ineligible",
        "choose_higher",
    ),
    "人社": ("pension_not_enrolled",),
    "医保": ("medical_not_enrolled",),
    "教育": ("child_not_enrolled",),
    "公安": ("paid_after_death", "name_mismatch"),
}
# How a department may be spelled in User.department.
DEPARTMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "民政": ("民政", "civil_affairs", "civil"),
    "人社": ("人社", "人力资源", "human_resources", "hrss"),
    "医保": ("医保", "医疗保障", "medical_insurance", "healthcare_security"),
    "教育": ("教育", "education"),
    "公安": ("公安", "public_security", "police"),
}
# A department officer without a department name is known by the list kinds they import
# (``KindSpec.department``).
KIND_DEPARTMENTS: dict[str, str] = {kind: spec.department for kind, spec in KINDS.items() if spec.department}


def departments_of(user: Any) -> set[str]:
    """The departments (keys of DEPARTMENT_CODES) a department officer works for."""
    name = (getattr(user, "department", "") or "").strip().lower()
    found = {dept for dept, aliases in DEPARTMENT_ALIASES.items() if name and any(a in name for a in aliases)}
    if found:
        return found
    return {
        KIND_DEPARTMENTS[kind]
        for kind in (getattr(user, "import_kinds", None) or [])
        if kind in KIND_DEPARTMENTS
    }


def finding_codes_for(user: Any) -> tuple[str, ...]:
    """The finding codes the user may see (every code for staff; none without findings access)."""
    if not can(user, "view_findings"):
        return ()
    if user.role != Role.DEPARTMENT_OFFICER:
        return ALL_CODES
    codes = {code for dept in departments_of(user) for code in DEPARTMENT_CODES[dept]}
    return tuple(code for code in ALL_CODES if code in codes)


def _region_q(prefix: str) -> Q:
    if len(prefix) < 6:
        return Q(county_code__startswith=prefix)
    if len(prefix) == 6:
        return Q(county_code=prefix)
    if len(prefix) == 9:
        return Q(township_code=prefix)
    return Q(person__region_id__startswith=prefix)


def findings_for(
    user: Any, *, code: str | None = None, county: str | None = None, status: str | None = None
) -> QuerySet[Finding]:
    """The findings the user may see, optionally narrowed by code, county-level unit and status."""
    codes = finding_codes_for(user)
    prefix = region_prefix_for(user)
    if not codes or prefix is None:
        return Finding.objects.none()
    qs = Finding.objects.filter(_region_q(prefix), code__in=codes)
    if code:
        qs = qs.filter(code=code)
    if county:
        qs = qs.filter(county_code=county)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "assigned_to")


def access_finding_by_id(user: Any, finding_id: int) -> Finding:
    """The finding, if the user may see it; otherwise Http404 (whether or not it exists)."""
    try:
        return findings_for(user).get(pk=finding_id)
    except (Finding.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该比对发现") from None


def finding_counts_for(user: Any, *, open_only: bool = True) -> list[dict[str, Any]]:
    """[{code, county_code, status, n}] of the user's findings (open ones by default)."""
    qs = findings_for(user)
    if open_only:
        qs = qs.filter(status__in=[Finding.Status.PENDING, Finding.Status.CONFIRMED])
    counted = (
        qs.values("code", "county_code", "status")
        .annotate(n=Count("id"))
        .order_by(urgency_order(), "county_code")
    )
    return [dict(row) for row in counted]


def latest_run() -> FindingRun | None:
    """The latest finished run that reconciled the work list (read-only runs never did)."""
    return (
        FindingRun.objects.filter(status=FindingRun.Status.DONE, mode=FindingRun.Mode.RECONCILE)
        .order_by("-id")
        .first()
    )


def run_findings_for(user: Any, run: FindingRun, *, code: str | None = None) -> QuerySet[RunFinding]:
    """A read-only run's findings the user may see (same scope as the work list), most urgent first."""
    codes = finding_codes_for(user)
    prefix = region_prefix_for(user)
    if not codes or prefix is None:
        return RunFinding.objects.none()
    qs = RunFinding.objects.filter(_region_q(prefix), run=run, code__in=codes)
    if code:
        qs = qs.filter(code=code)
    return qs.select_related("person").order_by(urgency_order(), "county_code", "township_code", "id")


def run_counts_for(user: Any, run: FindingRun) -> dict[str, dict[str, int]]:
    """code → county (or township, for township users) → count for one run, within the user's scope.

    Evaluators, who see aggregates only, get the counts of their region for every code.
    """
    prefix = region_prefix_for(user)
    if prefix is None:
        return {}
    if can(user, "view_findings"):
        codes = finding_codes_for(user)
    elif can(user, "view_aggregates"):
        codes = ALL_CODES
    else:
        return {}
    source = run.township_counts if len(prefix) > 6 else run.counts
    out: dict[str, dict[str, int]] = {}
    for code in codes:
        places = {place: n for place, n in (source.get(code) or {}).items() if place.startswith(prefix)}
        if places:
            out[code] = dict(sorted(places.items()))
    return out
