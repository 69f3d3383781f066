"""REST API for cross-matching findings (政策找人): read them filtered by code, region and status,
and record a finding's follow-up. Same scope as the web work list (``matching.selectors``).

Runs: ``POST /runs`` starts one as the web's 「立即比对」 does (``runs.start_findings_run``; whether it
reconciles the work list or is a read-only view is ``services.run_mode``), ``GET /runs/{id}`` says
which kind it was and which yearly lists were missing, ``GET /runs/{id}/findings`` lists a read-only
run's own findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from huican.accounts.access import can
from huican.accounts.decorators import client_ip
from huican.core.audit import audit_record
from huican.matching import services
from huican.matching.models import Finding, FindingCode, FindingRun, RunFinding
from huican.matching.runs import may_start_run, start_findings_run
from huican.matching.selectors import access_finding_by_id, findings_for, run_findings_for
from huican.matching.services import FindingError, finding_update, run_mode
from huican.matching.urgency import urgency_order

router = Router(tags=["比对发现"])


class ApiProblem(HttpError):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.details = details


class FindingOut(Schema):
    id: int
    code: str
    code_name: str
    person_id: int
    name: str
    id_masked: str
    county_code: str
    township_code: str
    detail: str
    status: str = Field(description="待核实 / 已核实-需处理 / 已处理 / 误报")
    assigned_to: str | None = Field(description="指派给（用户名）")
    note: str
    auto_resolved: bool
    first_seen_on: dt.date
    last_seen_on: dt.date
    resolved_at: dt.datetime | None
    updated_at: dt.datetime


class FindingQuery(Schema):
    code: str | None = Field(None, max_length=32, description="发现代码，如 dibao_not_covered")
    region: str | None = Field(None, max_length=12, description="区划代码（6、9 或 12 位）")
    status: str | None = Field(None, max_length=16, description="待核实 / 已核实-需处理 / 已处理 / 误报")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000_000, description="跳过的条数（不超过 10 亿）")


class FindingPatch(Schema):
    """Only the fields given change; ``assigned_to: null`` removes the assignee."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(None, max_length=16, description="待核实 / 已核实-需处理 / 已处理 / 误报")
    assigned_to: str | None = Field(None, max_length=150, description="指派给（用户名）；null 取消指派")
    note: str | None = Field(None, max_length=2000, description="处理结果说明")


def finding_out(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "code": finding.code,
        "code_name": str(finding.get_code_display()),
        "person_id": finding.person_id,
        "name": finding.person.name,
        "id_masked": finding.person.id_masked,
        "county_code": finding.county_code,
        "township_code": finding.township_code,
        "detail": finding.detail,
        "status": finding.status,
        "assigned_to": finding.assigned_to.username if finding.assigned_to else None,
        "note": finding.note,
        "auto_resolved": finding.auto_resolved,
        "first_seen_on": finding.first_seen_run.on_date,
        "last_seen_on": finding.last_seen_run.on_date,
        "resolved_at": finding.resolved_at,
        "updated_at": finding.updated_at,
    }


class MissingListOut(Schema):
    kind: str = Field(description="名单类型，如 medical")
    period: str = Field(description="年度（如 2026）或学年（如 2025-2026）")
    list: str = Field(description="名单名称")
    finding_code: str = Field(description="因此未产生的发现代码")
    indicator_code: str = Field(description="因此数据缺失的指标代码")
    message: str


class RunOut(Schema):
    id: int
    on_date: dt.date
    mode: str = Field(description="reconcile（核对工作清单）或 read_only（只读查看）")
    mode_name: str
    status: str
    triggered_by: str
    total: int
    new: int
    reopened: int
    resolved: int
    missing_lists: list[MissingListOut] = Field(description="缺少数据的年度名单")


class RunStartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    on: dt.date | None = Field(None, description="比对日期，默认今天")


class RunStartOut(Schema):
    job_id: int
    job_status: str
    mode: str = Field(description="reconcile（核对工作清单）或 read_only（只读查看）")
    mode_name: str
    run: RunOut | None = Field(description="比对完成后的结果；仍在排队或进行中时为 null")


class RunFindingOut(Schema):
    code: str
    code_name: str
    person_id: int
    name: str
    id_masked: str
    county_code: str
    township_code: str
    detail: str


def run_out(run: FindingRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "on_date": run.on_date,
        "mode": run.mode,
        "mode_name": str(run.get_mode_display()),
        "status": run.status,
        "triggered_by": run.triggered_by_name,
        "total": run.total,
        "new": run.new_count,
        "reopened": run.reopened_count,
        "resolved": run.resolved_count,
        "missing_lists": [gap.as_dict() for gap in run.missing],
    }


def run_finding_out(finding: RunFinding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "code_name": str(finding.get_code_display()),
        "person_id": finding.person_id,
        "name": finding.person.name,
        "id_masked": finding.person.id_masked,
        "county_code": finding.county_code,
        "township_code": finding.township_code,
        "detail": finding.detail,
    }


def _problem(field: str, message: str) -> ApiProblem:
    return ApiProblem(422, "validation_error", message, [{"field": field, "problem": message}])


@router.get("", response=list[FindingOut], summary="比对发现（可按代码、区划、处理状态筛选）")
def list_findings(request: HttpRequest, query: Query[FindingQuery]) -> list[dict[str, Any]]:
    user: Any = request.user
    if not can(user, "view_findings"):
        raise ApiProblem(403, "forbidden", "您的角色无权查看比对发现")
    if query.code and query.code not in FindingCode.values:
        raise _problem("query.code", f"不认识的发现代码：{query.code}")
    if query.status and query.status not in Finding.Status.values:
        raise _problem("query.status", "处理状态应为 待核实、已核实-需处理、已处理 或 误报")
    region = query.region or ""
    if region and (not region.isdigit() or len(region) not in (6, 9, 12)):
        raise _problem("query.region", "区划代码应为 6、9 或 12 位数字")
    findings = findings_for(user, code=query.code or None, status=query.status or None)
    if len(region) == 6:
        findings = findings.filter(county_code=region)
    elif len(region) == 9:
        findings = findings.filter(township_code=region)
    elif len(region) == 12:
        findings = findings.filter(person__region_id=region)
    page = list(
        findings.select_related("first_seen_run", "last_seen_run").order_by(
            urgency_order(), "county_code", "id"
        )[query.offset : query.offset + query.limit]
    )
    audit_record(
        actor=user,
        action="finding.list",
        object_type="Finding",
        region_code=region or user.region_id or "",
        detail={"via": "api", "code": query.code, "status": query.status, "results": len(page)},
        ip_address=client_ip(request),
    )
    return [finding_out(f) for f in page]


@router.post(
    "/runs", response={202: RunStartOut}, summary="立即比对（核对工作清单或只读查看，由发起人和比对日期决定）"
)
def start_run(request: HttpRequest, payload: RunStartIn) -> Status[dict[str, Any]]:
    user: Any = request.user
    if not may_start_run(user):
        raise ApiProblem(403, "forbidden", "您的角色无权发起比对")
    on = payload.on or services.today()
    job = start_findings_run(actor=user, on=on, automatic=False)
    run_id = (job.result or {}).get("run_id")
    run = FindingRun.objects.filter(pk=run_id).first() if run_id else None
    mode = FindingRun.Mode(run.mode) if run else run_mode(actor=user, on=on)
    return Status(
        202,
        {
            "job_id": job.pk,
            "job_status": job.status,
            "mode": mode.value,
            "mode_name": str(mode.label),
            "run": run_out(run) if run else None,
        },
    )


def _run_for(user: Any, run_id: int) -> FindingRun:
    if not (can(user, "view_findings") or can(user, "view_aggregates")):
        raise ApiProblem(403, "forbidden", "您的角色无权查看比对记录")
    run = FindingRun.objects.filter(pk=run_id).first()
    if run is None:
        raise ApiProblem(404, "not_found", "未找到该次比对")
    return run


@router.get(
    "/runs/{run_id}", response=RunOut, summary="一次比对：类型（核对工作清单 / 只读查看）和缺少的数据"
)
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return run_out(_run_for(request.user, run_id))


@router.get(
    "/runs/{run_id}/findings",
    response=list[RunFindingOut],
    summary="一次只读查看比对的发现（按紧急程度排列）",
)
def list_run_findings(request: HttpRequest, run_id: int, query: Query[FindingQuery]) -> list[dict[str, Any]]:
    user: Any = request.user
    run = _run_for(user, run_id)
    if not can(user, "view_findings"):
        raise ApiProblem(403, "forbidden", "您的角色无权查看比对发现")
    if run.reconciles:
        raise ApiProblem(409, "conflict", "该次比对核对了工作清单，其发现见 /api/findings")
    if query.code and query.code not in FindingCode.values:
        raise _problem("query.code", f"不认识的发现代码：{query.code}")
    found = run_findings_for(user, run, code=query.code or None)
    page = list(found[query.offset : query.offset + query.limit])
    audit_record(
        actor=user,
        action="finding.list",
        object_type="FindingRun",
        object_id=run.pk,
        region_code=user.region_id or "",
        detail={"via": "api", "run": run.pk, "code": query.code, "results": len(page)},
        ip_address=client_ip(request),
    )
    return [run_finding_out(f) for f in page]


@router.get("/{finding_id}", response=FindingOut, summary="一条比对发现")
def get_finding(request: HttpRequest, finding_id: int) -> dict[str, Any]:
    return finding_out(access_finding_by_id(request.user, finding_id))


@router.patch("/{finding_id}", response=FindingOut, summary="记录一条发现的核实处理（状态、指派、结果说明）")
def patch_finding(request: HttpRequest, finding_id: int, payload: FindingPatch) -> dict[str, Any]:
    user: Any = request.user
    finding = access_finding_by_id(user, finding_id)
    given = payload.model_fields_set
    if not given:
        raise _problem("body", "请至少提供 status、assigned_to 或 note 中的一项")
    status = payload.status if "status" in given and payload.status is not None else finding.status
    note = payload.note if "note" in given and payload.note is not None else finding.note
    assignee = finding.assigned_to
    if "assigned_to" in given:
        assignee = None
        if payload.assigned_to:
            assignee = get_user_model().objects.filter(username=payload.assigned_to, is_active=True).first()
            if assignee is None:
                raise _problem("body.assigned_to", f"没有这个在用的用户：{payload.assigned_to}")
    try:  # the work list's rules are the service's (huican.matching.worklist_rules), as on the web
        updated = finding_update(finding=finding, actor=user, status=status, assigned_to=assignee, note=note)
    except FindingError as exc:
        field = getattr(exc, "field", "")
        raise _problem(f"body.{field}" if field else "body", str(exc)) from None
    updated = Finding.objects.select_related("person", "assigned_to", "first_seen_run", "last_seen_run").get(
        pk=updated.pk
    )
    return finding_out(updated)
