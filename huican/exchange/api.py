"""REST API for imports: upload a file (same checks as the web), read import results and history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import Field

from huican.accounts.access import can
from huican.accounts.decorators import client_ip
from huican.core.models import Job
from huican.exchange import views
from huican.exchange.kinds import KINDS
from huican.exchange.models import ImportBatch
from huican.exchange.reading import ImportRefused
from huican.exchange.selectors import batches_for

router = Router(tags=["导入"])


class ApiProblem(HttpError):
    """An HttpError carrying the error code and details of the API's error shape."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.details = details


class RejectedRowOut(Schema):
    row_number: int
    columns: str
    reasons: str


class ImportOut(Schema):
    id: int
    kind: str
    title: str
    file_name: str
    checksum: str
    imported_by: str
    imported_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    status_label: str
    message: str
    rows_read: int
    accepted: int
    rejected: int
    not_in_registry: int
    created: int
    updated: int
    unknown_columns: list[str]
    data_date: dt.date | None = Field(None, description="部门提取名单的日期")
    sheet_name: str = Field("", description="读取的工作表（.xlsx）")
    header_row: int = Field(1, description="表头所在行")
    warnings: list[str] = Field(default_factory=list, description="提示（表头位置、以 000 结尾的身份证号等）")
    rejected_rows: list[RejectedRowOut] = Field(description="前 100 个被拒绝的行")


class ImportSummaryOut(Schema):
    id: int
    kind: str
    file_name: str
    checksum: str
    imported_by: str
    imported_at: dt.datetime
    status: str
    rows_read: int
    accepted: int
    rejected: int
    not_in_registry: int


class ImportJobOut(Schema):
    job_id: int
    status: str
    progress: int
    message: str
    batch: ImportOut | None = None


class HistoryQuery(Schema):
    kind: str | None = Field(None, max_length=32, description="导入类型")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000, description="跳过的条数（不超过 10 亿）")


def _batch_out(batch: ImportBatch) -> dict[str, Any]:
    spec = KINDS.get(batch.kind)
    rows = batch.rejected_rows.all()[: views.RESULT_REJECTED_ROWS]
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "title": spec.title if spec else batch.kind,
        "file_name": batch.file_name,
        "checksum": batch.checksum,
        "imported_by": batch.imported_by_name,
        "imported_at": batch.imported_at,
        "finished_at": batch.finished_at,
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "message": batch.message,
        "rows_read": batch.rows_read,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
        "not_in_registry": batch.not_in_registry,
        "created": batch.created,
        "updated": batch.updated,
        "unknown_columns": list(batch.unknown_columns or []),
        "data_date": batch.data_date,
        "sheet_name": batch.sheet_name,
        "header_row": batch.header_row,
        "warnings": list(batch.warnings or []),
        "rejected_rows": [
            {"row_number": r.row_number, "columns": r.columns, "reasons": r.reasons} for r in rows
        ],
    }


def _job_out(user: Any, job: Job) -> dict[str, Any]:
    batch = views.batch_of_job(job)
    visible = batch is not None and batches_for(user).filter(pk=batch.pk).exists()
    return {
        "job_id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "batch": _batch_out(batch) if visible and batch is not None else None,
    }


@router.post(
    "",
    response={201: ImportOut, 202: ImportJobOut},
    summary="上传并导入一个文件",
    description="multipart/form-data：kind（导入类型）和 file（.xlsx 或 .csv）；可选 data_date（部门提取名单的日期，"
    "YYYY-MM-DD，默认今天）和 confirm_shrink（确认用少得多的名单替换现行名单，写明两个行数：“新名单行数/现行名单行数”）。"
    "检查与网页相同。导入完成时返回 201 和导入结果；大文件在后台导入时返回 202，用 GET /imports/jobs/{job_id} 查询进度。"
    "名单行数为 0 或不到现行名单一半且未确认时返回 409 shrink_needs_confirmation，details 给出两个行数和应填写的确认。",
)
def create_import(
    request: HttpRequest,
    kind: Form[str],
    file: File[UploadedFile],
    data_date: Form[dt.date | None] = None,
    confirm_shrink: Form[str | None] = None,
) -> Status[dict[str, Any]]:
    user = request.user
    try:
        views.check_upload(user=user, kind=kind, upload=file)
        confirmed = views.parse_confirmation(confirm_shrink)
    except views.UploadProblem as problem:
        raise ApiProblem(problem.status, problem.code, str(problem)) from None
    if data_date is not None and data_date > timezone.localdate():
        raise ApiProblem(422, "bad_data_date", "数据日期不能晚于今天")
    token = views.store_upload(
        user=user, kind=kind, upload=file, ip_address=client_ip(request), data_date=data_date
    )
    meta = views.load_upload(user, token)
    path = views.stored_file(token, meta)

    def refuse(reason: str) -> None:
        """Recorded as the web preview and `huican import` record a refused file."""
        views.record_upload_refusal(
            user=user, token=token, meta=meta, reason=reason, ip_address=client_ip(request)
        )

    try:
        mapping = views.column_mapping(kind, views.read_header(kind, path).header)
    except ImportRefused as exc:
        details: dict[str, Any] | None = {"missing_columns": exc.missing} if exc.missing else None
        refuse(str(exc))
        raise ApiProblem(422, "import_refused", str(exc), details) from None
    missing = [c["name"] for c in mapping if c["required"] and not c["found"]]
    if missing:
        message = "表头缺少必填列：" + "、".join(missing)
        refuse(message)
        raise ApiProblem(422, "import_refused", message, {"missing_columns": missing})
    job = views.start_import(
        user=user, token=token, ip_address=client_ip(request), confirmed_counts=confirmed
    )
    job.refresh_from_db()
    refused = (job.result or {}).get("refused")
    shrink = (job.result or {}).get("shrink")
    if refused and shrink:
        shrink_details: dict[str, Any] = {
            "job_id": job.pk,
            **shrink,
            "confirm_shrink": f"{shrink['accepted']}/{shrink['in_force_accepted']}",
        }
        raise ApiProblem(409, "shrink_needs_confirmation", refused, shrink_details)
    if refused:
        raise ApiProblem(422, "import_refused", refused, {"job_id": job.pk})
    if job.status == Job.Status.FAILED:
        raise ApiProblem(500, "import_failed", "导入失败：" + job.message, {"job_id": job.pk})
    batch = views.batch_of_job(job)
    if job.status == Job.Status.DONE and batch is not None:
        return Status(201, _batch_out(batch))
    return Status(202, _job_out(user, job))


@router.get("", response=list[ImportSummaryOut], summary="导入记录")
def list_imports(request: HttpRequest, query: Query[HistoryQuery]) -> list[dict[str, Any]]:
    if not can(request.user, "import"):
        raise ApiProblem(403, "forbidden", "您的角色无权导入数据")
    batches = batches_for(request.user)
    if query.kind:
        batches = batches.filter(kind=query.kind)
    return [
        {
            "id": b.pk,
            "kind": b.kind,
            "file_name": b.file_name,
            "checksum": b.checksum,
            "imported_by": b.imported_by_name,
            "imported_at": b.imported_at,
            "status": b.status,
            "rows_read": b.rows_read,
            "accepted": b.accepted,
            "rejected": b.rejected,
            "not_in_registry": b.not_in_registry,
        }
        for b in batches[query.offset : query.offset + query.limit]
    ]


@router.get("/jobs/{job_id}", response=ImportJobOut, summary="后台导入的进度")
def get_import_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    user: Any = request.user
    job = Job.objects.filter(pk=job_id, kind="import", created_by=user).first()
    if job is None:
        raise ApiProblem(404, "not_found", "未找到该导入任务")
    return _job_out(user, job)


@router.get("/{batch_id}", response=ImportOut, summary="一次导入的结果")
def get_import(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    batch = batches_for(request.user).filter(pk=batch_id).first()
    if batch is None:
        raise ApiProblem(404, "not_found", "未找到该导入记录，或不在您的查看范围内")
    return _batch_out(batch)
