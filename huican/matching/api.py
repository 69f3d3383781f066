"""REST API for cross-matching findings (政策找人): read them filtered by code, region and status,
and record a finding's follow-up. Same scope as the web work list (``matching.selectors``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from huican.accounts.access import can
from huican.accounts.decorators import client_ip
from huican.core.audit import audit_record
from huican.matching.models import Finding, FindingCode
from huican.matching.selectors import access_finding_by_id, findings_for
from huican.matching.services import FindingError, finding_update

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
    offset: int = Field(0, ge=0)


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
        findings.select_related("first_seen_run", "last_seen_run").order_by("code", "county_code", "id")[
            query.offset : query.offset + query.limit
        ]
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
            if not findings_for(assignee).filter(pk=finding.pk).exists():
                raise _problem("body.assigned_to", "被指派的人员无权查看这条发现")
    try:
        updated = finding_update(finding=finding, actor=user, status=status, assigned_to=assignee, note=note)
    except FindingError as exc:
        raise _problem("body", str(exc)) from None
    updated = Finding.objects.select_related("person", "assigned_to", "first_seen_run", "last_seen_run").get(
        pk=updated.pk
    )
    return finding_out(updated)
