"""Export of a findings work list (or of a read-only run's findings) to .xlsx, in the background.

The export views check the filters (and, for full ID numbers, the permission and the reason) and
submit :func:`findings_export_job` or :func:`run_export_job` (``huican.core.tasks.submit``, kind
``findings.export``). The job rebuilds the same findings for the same user from the stored filters
(``forms.filtered_findings``, which the work-list page uses too), writes the workbook, stores it
encrypted at rest (``core.documents``, area ``exports``) and records one audit entry
(``export.findings``) with the filters, the row count, whether ID numbers are full and the reason.
Only the user who asked may download the file (``export.download``, audited); the daily uploads
purge deletes it after ``HUICAN_EXPORT_RETENTION_DAYS``.

Speed (bench/bench_export.py): rows are read as tuples (``values_list``, never model instances),
ID numbers are decrypted only for a full export, a chunk at a time, region names come from one
query, and xlsxwriter writes each row to disk as it goes (``constant_memory``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone

from huican.accounts.access import can, region_prefix_for
from huican.accounts.models import User
from huican.core import documents
from huican.core.audit import audit_record
from huican.core.crypto import decrypt_many
from huican.core.filecrypt import temp_root
from huican.core.frames import is_formula_like
from huican.core.tasks import Progress
from huican.matching.models import Finding, FindingCode, FindingRun, RunFinding
from huican.matching.urgency import urgency_order
from huican.regions.models import Region

EXPORT_KIND = "findings.export"
EXPORT_AREA = "exports"
MAX_ROWS = 1_048_575  # one header row + the most rows an .xlsx sheet holds
CHUNK = 5000
TOO_LARGE = "超过 {limit} 行，无法放入一个工作表，请缩小筛选范围"
HEADER = (
    "发现类型",
    "姓名",
    "公民身份号码",
    "县（市、区）代码",
    "县（市、区）",
    "乡镇（街道）代码",
    "乡镇（街道）",
    "说明",
    "处理状态",
    "指派给",
    "处理结果说明",
    "系统自动办结",
    "首次发现（比对日期）",
    "最近发现（比对日期）",
)
WIDTHS = (16, 10, 22, 12, 14, 14, 16, 60, 14, 14, 40, 12, 16, 16)
RUN_HEADER = (*HEADER[:8], "比对日期")
RUN_WIDTHS = (*WIDTHS[:8], 12)

# What one row of the work list reads from the database (the ID column is filled in per chunk).
_WORK_FIELDS = (
    "code",
    "person__name",
    "county_code",
    "township_code",
    "detail",
    "status",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "note",
    "auto_resolved",
    "first_seen_run__on_date",
    "last_seen_run__on_date",
)
_RUN_FIELDS = ("code", "person__name", "county_code", "township_code", "detail")


class ExportTooLarge(ValueError):
    """More rows than one worksheet can hold."""


class ExportRefused(ValueError):
    """The export can no longer be made for this user (filters or permission changed)."""


def region_names() -> dict[str, str]:
    """Every region's name by code (a city has a few hundred: one query, no per-chunk lookups)."""
    return dict(Region.objects.values_list("code", "name"))


def _tuples(
    queryset: QuerySet[Any], fields: tuple[str, ...], *, full_ids: bool, total: int, progress: Progress | None
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(ID number as exported, the row's fields) in urgency order, a chunk at a time."""
    id_field = "person__id_number_encrypted" if full_ids else "person__id_masked"
    ordered = queryset.order_by(urgency_order(), "county_code", "township_code", "id").values_list(
        id_field, *fields
    )
    chunk: list[tuple[Any, ...]] = []
    done = 0

    def flush() -> Iterator[tuple[str, tuple[Any, ...]]]:
        numbers = decrypt_many(row[0] for row in chunk) if full_ids else [row[0] for row in chunk]
        for number, row in zip(numbers, chunk, strict=True):
            yield number, row[1:]
        if progress is not None and total:
            progress(5 + 85 * (done + len(chunk)) // total, f"已写入 {done + len(chunk)} / {total} 行")

    for row in ordered.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield from flush()
            done += len(chunk)
            chunk = []
    if chunk:
        yield from flush()


def _rows(
    findings: QuerySet[Finding], *, full_ids: bool, total: int = 0, progress: Progress | None = None
) -> Iterator[list[str]]:
    names = region_names()
    codes = {code: str(label) for code, label in FindingCode.choices}
    statuses = {status: str(label) for status, label in Finding.Status.choices}
    for number, row in _tuples(findings, _WORK_FIELDS, full_ids=full_ids, total=total, progress=progress):
        (
            code,
            name,
            county,
            township,
            detail,
            status,
            username,
            first,
            last,
            note,
            auto,
            first_on,
            last_on,
        ) = row
        assignee = f"{first or ''} {last or ''}".strip() or (username or "")  # User.get_full_name
        yield [
            codes.get(code, code),
            name,
            number,
            county,
            names.get(county, ""),
            township,
            names.get(township, ""),
            detail,
            statuses.get(status, status),
            assignee,
            note,
            "是" if auto else "否",
            first_on.isoformat() if first_on else "",
            last_on.isoformat() if last_on else "",
        ]


def _run_rows(
    findings: QuerySet[RunFinding],
    run: FindingRun,
    *,
    full_ids: bool,
    total: int = 0,
    progress: Progress | None = None,
) -> Iterator[list[str]]:
    names = region_names()
    codes = {code: str(label) for code, label in FindingCode.choices}
    on_date = run.on_date.isoformat()
    for number, row in _tuples(findings, _RUN_FIELDS, full_ids=full_ids, total=total, progress=progress):
        code, name, county, township, detail = row
        yield [
            codes.get(code, code),
            name,
            number,
            county,
            names.get(county, ""),
            township,
            names.get(township, ""),
            detail,
            on_date,
        ]


def _workbook(
    header: tuple[str, ...], widths: tuple[int, ...], rows: Iterable[list[Any]]
) -> tuple[bytes, int]:
    """The rows as .xlsx bytes (text cells only) and how many there were. xlsxwriter writes each
    row to a private temporary folder as it goes (``constant_memory``), removed at the end."""
    folder = Path(tempfile.mkdtemp(prefix="huican-export-", dir=temp_root()))  # mode 0700
    try:
        target = folder / "export.xlsx"
        workbook = xlsxwriter.Workbook(
            str(target),
            {
                "constant_memory": True,
                "tmpdir": str(folder),
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet("比对发现")
        bold = workbook.add_format({"bold": True})
        # Text that looks like a formula stays text even when someone edits the cell (value unchanged).
        quoted = workbook.add_format({"quote_prefix": True})
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        for column, title in enumerate(header):
            sheet.write_string(0, column, title, bold)
        sheet.freeze_panes(1, 0)
        write = sheet.write_string
        count = 0
        for count, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                text = str(value) if value else ""
                if text and is_formula_like(text, keep_numbers=False):
                    write(count, column, text, quoted)
                else:
                    write(count, column, text)
        if count:
            sheet.autofilter(0, 0, count, len(header) - 1)
        workbook.close()
        return target.read_bytes(), count
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def findings_workbook(
    findings: QuerySet[Finding], *, full_ids: bool, progress: Progress | None = None
) -> tuple[bytes, int]:
    """The work list as .xlsx bytes and the number of findings in it (text cells only)."""
    total = findings.count()
    if total > MAX_ROWS:
        raise ExportTooLarge(TOO_LARGE.format(limit=MAX_ROWS))
    return _workbook(HEADER, WIDTHS, _rows(findings, full_ids=full_ids, total=total, progress=progress))


def _user(user_id: int, *, full_ids: bool) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not can(user, "view_findings"):
        raise ExportRefused("您的账户已无权导出比对发现")
    if full_ids and not can(user, "view_full_id"):
        raise ExportRefused("您的账户已无权导出完整身份证号")
    return user


def _stamp(full_ids: bool) -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M") + ("-完整身份证号" if full_ids else "")


def findings_export_job(
    *,
    progress: Progress,
    user_id: int,
    filters: dict[str, str],
    full_ids: bool,
    reason: str = "",
    ip_address: str = "",
) -> dict[str, Any]:
    """The background job of a work-list export: the user's findings under `filters`, as the page
    lists them, stored encrypted; one audit entry ``export.findings``."""
    from huican.matching.forms import filtered_findings

    user = _user(user_id, full_ids=full_ids)
    form, findings = filtered_findings(user, filters)
    if findings is None:
        raise ExportRefused("筛选条件已失效，请重新导出")
    progress(5, "正在读取比对发现")
    content, count = findings_workbook(findings, full_ids=full_ids, progress=progress)
    progress(95, "正在加密保存文件")
    stored_name = documents.store(EXPORT_AREA, content)
    region_code = form.cleaned_data.get("region") or region_prefix_for(user) or ""
    audit_record(
        actor=user,
        action="export.findings",
        object_type="Finding",
        region_code=region_code,
        reason=reason,
        detail={"filters": form.described(), "rows": count, "full_id_numbers": full_ids},
        ip_address=ip_address,
    )
    return {
        "stored_name": stored_name,
        "file_name": f"比对发现-{region_code or '全部'}-{_stamp(full_ids)}.xlsx",
        "rows": count,
        "full_id_numbers": full_ids,
    }


def run_export_job(
    *,
    progress: Progress,
    user_id: int,
    run_id: int,
    full_ids: bool,
    reason: str = "",
    ip_address: str = "",
) -> dict[str, Any]:
    """The background job of a read-only run's export (the user's scope); one audit entry."""
    from huican.matching.selectors import run_findings_for

    user = _user(user_id, full_ids=full_ids)
    run = FindingRun.objects.filter(pk=run_id, status=FindingRun.Status.DONE).first()
    if run is None or run.reconciles:
        raise ExportRefused("未找到该次只读查看的比对结果")
    findings = run_findings_for(user, run)
    total = findings.count()
    if total > MAX_ROWS:
        raise ExportTooLarge(TOO_LARGE.format(limit=MAX_ROWS))
    progress(5, "正在读取比对发现")
    rows = _run_rows(findings, run, full_ids=full_ids, total=total, progress=progress)
    content, count = _workbook(RUN_HEADER, RUN_WIDTHS, rows)
    progress(95, "正在加密保存文件")
    stored_name = documents.store(EXPORT_AREA, content)
    audit_record(
        actor=user,
        action="export.findings",
        object_type="FindingRun",
        object_id=run.pk,
        region_code=region_prefix_for(user) or "",
        reason=reason,
        detail={"run": run.pk, "mode": run.mode, "rows": count, "full_id_numbers": full_ids},
        ip_address=ip_address,
    )
    return {
        "stored_name": stored_name,
        "file_name": f"比对发现-第{run.pk}次-{run.on_date:%Y%m%d}-只读查看-{_stamp(full_ids)}.xlsx",
        "rows": count,
        "full_id_numbers": full_ids,
        "run_id": run.pk,
    }
