"""REST API of the monthly rolls (mounted at /api/v1/rolls): drafts, approved rolls, exports.

Same scope and rules as the web pages (``views_rolls``): a draft is computed in the background
(``POST /drafts`` answers 202 with the job; ``GET /drafts/{job_id}`` gives its progress, then the
roll in the JSON shape of BENEFITS.md); approved rolls are read from what was stored. ID numbers are
masked unless the token's user may see full ones; every read of lines is audited, and the exports
(``.xlsx``, the bank file) are the web's (``exports.export_roll``) with the same permissions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from huican.accounts.access import can
from huican.accounts.decorators import client_ip
from huican.benefits import drafts
from huican.benefits.exports import export_roll, may_download_bank_file
from huican.benefits.models import Roll, RollLine, RollRecovery
from huican.benefits.rolls import roll_json
from huican.benefits.selectors import rolls_for
from huican.core.audit import audit_record
from huican.core.crypto import decrypt_many, mask_id_number
from huican.core.models import Job

router = Router(tags=["发放名册"])
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class ApiProblem(HttpError):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.details = details


class DraftIn(Schema):
    month: str = Field(pattern=MONTH, description="发放月份 YYYY-MM")
    region: str = Field("", max_length=12, description="区划代码（140900 为全市；空为本人范围）")


class JobOut(Schema):
    job_id: int
    status: str
    progress: int
    message: str


class RollOut(Schema):
    id: int
    month: str
    region_code: str
    approved_by: str
    approved_at: dt.datetime
    lines: int
    paid_total: float
    recovery_total: float
    totals: list[dict[str, Any]]
    township_totals: list[dict[str, Any]]


class RollQuery(Schema):
    month: str | None = Field(None, pattern=MONTH, description="发放月份 YYYY-MM")
    limit: int = Field(100, ge=1, le=1000)


class ExportQuery(Schema):
    format: str = Field("xlsx", pattern=r"^(xlsx|bank)$", description="xlsx：名册；bank：银行代发文件")
    full: bool = Field(False, description="名册包含完整身份证号（须有权限）")


def _require(user: Any) -> None:
    if not can(user, "view_benefits"):
        raise ApiProblem(403, "forbidden", "您的角色无权查看补贴发放")


def _mask(payload: dict[str, Any], full_ids: bool) -> dict[str, Any]:
    if not full_ids:
        for row in (*payload["lines"], *payload["recoveries"]):
            row["id_number"] = mask_id_number(row["id_number"] or "")
    return payload


def _audit_read(
    request: HttpRequest, *, what: str, object_id: Any, region: str, rows: int, full: bool
) -> None:
    audit_record(
        actor=request.user,
        action=f"benefits.{what}",
        object_type="benefits.Roll",
        object_id=object_id,
        region_code=region,
        detail={"via": "api", "rows": rows, "full_id_numbers": full},
        ip_address=client_ip(request),
    )


def job_out(job: Job) -> dict[str, Any]:
    return {"job_id": job.pk, "status": job.status, "progress": job.progress, "message": job.message}


@router.post("/drafts", response={202: JobOut}, summary="计算某月发放名册草稿（后台任务）")
def draft_start(request: HttpRequest, payload: DraftIn) -> Status[dict[str, Any]]:
    user: Any = request.user
    _require(user)
    from huican.benefits.views_rolls import roll_regions

    regions = dict(roll_regions(user))
    region = payload.region or next(iter(regions))
    if region not in regions:
        raise ApiProblem(404, "not_found", "不在您的查看范围内", {"region": region})
    job = drafts.start_draft(actor=user, month=drafts.parse_month(payload.month), region=region)
    return Status(202, job_out(job))


@router.get(
    "/drafts/{job_id}",
    response={200: dict[str, Any], 202: JobOut},
    summary="草稿：计算中返回进度，完成后返回名册（BENEFITS.md 的 JSON 格式）",
)
def draft_read(request: HttpRequest, job_id: int) -> Any:
    user: Any = request.user
    _require(user)
    job = drafts.draft_job_for(user, job_id)
    if job is None:
        raise ApiProblem(404, "not_found", "未找到该发放名册草稿")
    if job.status == Job.Status.FAILED:
        raise ApiProblem(409, "job_failed", "草稿计算失败", {"message": job.message})
    if job.status != Job.Status.DONE:
        return Status(202, job_out(job))
    draft = drafts.load_draft(job)
    if draft is None:
        raise ApiProblem(410, "expired", "该草稿已过期清理，请重新计算")
    full = can(user, "view_full_id")
    payload = _mask(roll_json(draft), full)
    _audit_read(
        request,
        what="roll_draft_read",
        object_id=job.pk,
        region=draft.region,
        rows=len(payload["lines"]),
        full=full,
    )
    return {**payload, "region": draft.region, "computed_at": job.result.get("computed_at")}


def roll_out(roll: Roll) -> dict[str, Any]:
    return {
        "id": roll.pk,
        "month": f"{roll.month:%Y-%m}",
        "region_code": roll.region_code,
        "approved_by": roll.approved_by_name,
        "approved_at": roll.approved_at,
        "lines": roll.lines_count,
        "paid_total": float(roll.paid_total),
        "recovery_total": float(roll.recovery_total),
        "totals": roll.totals,
        "township_totals": roll.township_totals,
    }


@router.get("", response=list[RollOut], summary="已审批的发放名册")
def roll_list(request: HttpRequest, query: Query[RollQuery]) -> list[dict[str, Any]]:
    user: Any = request.user
    _require(user)
    rolls = rolls_for(user)
    if query.month:
        rolls = rolls.filter(month=drafts.parse_month(query.month))
    return [roll_out(r) for r in rolls[: query.limit]]


def _roll(user: Any, roll_id: int) -> Roll:
    _require(user)
    roll = rolls_for(user).filter(pk=roll_id).first()
    if roll is None:
        raise ApiProblem(404, "not_found", "未找到该发放名册")
    return roll


def approved_json(roll: Roll) -> dict[str, Any]:
    """An approved roll in the JSON shape of BENEFITS.md, from its stored lines and recoveries."""
    lines = list(roll.lines.select_related("person").order_by("id"))
    recoveries = list(RollRecovery.objects.filter(roll=roll).select_related("person").order_by("id"))
    people = [x.person for x in lines] + [x.person for x in recoveries]
    numbers = decrypt_many([p.id_number_encrypted for p in people])

    def line(x: RollLine, number: str) -> dict[str, Any]:
        return {
            "id_number": number,
            "benefit": x.benefit,
            "status": x.status,
            "amount": None if x.amount is None else float(x.amount),
            "arrears": [{"month": a["month"], "amount": float(a["amount"])} for a in x.arrears],
            "total": float(x.total),
            "reasons": list(x.reasons),
        }

    out_lines = sorted(
        (line(x, n) for x, n in zip(lines, numbers[: len(lines)], strict=True)),
        key=lambda r: (r["id_number"], r["benefit"]),
    )
    out_recoveries = sorted(
        (
            {"id_number": n, "benefit": x.benefit, "months": list(x.months), "amount": float(x.amount)}
            for x, n in zip(recoveries, numbers[len(lines) :], strict=True)
        ),
        key=lambda r: (r["id_number"], r["benefit"]),
    )
    return {
        "month": f"{roll.month:%Y-%m}",
        "lines": out_lines,
        "recoveries": out_recoveries,
        "totals": roll.totals,
    }


@router.get("/{roll_id}", response=dict[str, Any], summary="一期已审批的发放名册（BENEFITS.md 的 JSON 格式）")
def roll_read(request: HttpRequest, roll_id: int) -> dict[str, Any]:
    user: Any = request.user
    roll = _roll(user, roll_id)
    full = can(user, "view_full_id")
    payload = _mask(approved_json(roll), full)
    _audit_read(
        request,
        what="roll_read",
        object_id=roll.pk,
        region=roll.region_code,
        rows=len(payload["lines"]),
        full=full,
    )
    return {
        **payload,
        **{
            k: v
            for k, v in roll_out(roll).items()
            if k in ("id", "region_code", "approved_by", "approved_at")
        },
    }


@router.get("/{roll_id}/export", summary="导出：xlsx 名册或 bank 银行代发文件（CSV，UTF-8 BOM）")
def roll_export(request: HttpRequest, roll_id: int, query: Query[ExportQuery]) -> HttpResponse:
    user: Any = request.user
    roll = _roll(user, roll_id)
    if query.format == "bank" and not may_download_bank_file(user, roll):
        raise ApiProblem(
            403,
            "forbidden",
            "银行代发文件含完整身份证号，只有民政审定人员或有权查看完整身份证号的工作人员可以下载",
        )
    full = query.format == "bank" or (query.full and can(user, "view_full_id"))
    content, name, content_type = export_roll(
        roll=roll, actor=user, kind=query.format, full_ids=full, ip_address=client_ip(request)
    )
    from django.utils.encoding import escape_uri_path

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response
