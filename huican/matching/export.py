"""Export of a findings work list to .xlsx (xlsxwriter), audited.

ID numbers are masked unless the caller asks for full ones, which the view allows only to users
for whom ``can(user, "view_full_id")`` holds and after they have given a reason. Every export is
one audit entry (action ``export.findings``) with the filters, the row count and, for a full
export, the reason.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone

from huican.core.audit import audit_record
from huican.core.crypto import decrypt_many
from huican.core.frames import is_formula_like
from huican.matching.models import Finding, FindingRun, RunFinding
from huican.matching.urgency import urgency_order
from huican.regions.models import Region

MAX_ROWS = 1_048_575  # one header row + the most rows an .xlsx sheet holds
CHUNK = 5000
HEADER = (
    "发现代码",
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
WIDTHS = (22, 16, 10, 22, 12, 14, 14, 16, 60, 14, 14, 40, 12, 16, 16)


class ExportTooLarge(ValueError):
    """More rows than one worksheet can hold."""


def region_names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))


def _rows(findings: QuerySet[Finding], *, full_ids: bool) -> Iterator[list[Any]]:
    ordered = findings.select_related("person", "assigned_to", "first_seen_run", "last_seen_run").order_by(
        urgency_order(), "county_code", "township_code", "id"
    )
    chunk: list[Finding] = []
    for finding in ordered.iterator(chunk_size=CHUNK):
        chunk.append(finding)
        if len(chunk) == CHUNK:
            yield from _chunk_rows(chunk, full_ids=full_ids)
            chunk = []
    if chunk:
        yield from _chunk_rows(chunk, full_ids=full_ids)


def _chunk_rows(chunk: list[Finding], *, full_ids: bool) -> Iterator[list[Any]]:
    names = region_names({f.county_code for f in chunk} | {f.township_code for f in chunk})
    if full_ids:
        numbers = decrypt_many([f.person.id_number_encrypted for f in chunk])
    else:
        numbers = [f.person.id_masked for f in chunk]
    for finding, number in zip(chunk, numbers, strict=True):
        assignee = finding.assigned_to
        yield [
            finding.code,
            str(finding.get_code_display()),
            finding.person.name,
            number,
            finding.county_code,
            names.get(finding.county_code, ""),
            finding.township_code,
            names.get(finding.township_code, ""),
            finding.detail,
            finding.status,
            (assignee.get_full_name() or assignee.username) if assignee else "",
            finding.note,
            "是" if finding.auto_resolved else "否",
            finding.first_seen_run.on_date.isoformat(),
            finding.last_seen_run.on_date.isoformat(),
        ]


def _workbook(
    header: tuple[str, ...], widths: tuple[int, ...], rows: Iterator[list[Any]]
) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet("比对发现")
    bold = workbook.add_format({"bold": True})
    # Text that looks like a formula stays text even when someone edits the cell (value unchanged).
    quoted = workbook.add_format({"quote_prefix": True})
    for column, (title, width) in enumerate(zip(header, widths, strict=True)):
        sheet.write_string(0, column, title, bold)
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            text = str(value or "")
            if is_formula_like(text, keep_numbers=False):
                sheet.write_string(count, column, text, quoted)
            else:
                sheet.write_string(count, column, text)
    if count:
        sheet.autofilter(0, 0, count, len(header) - 1)
    workbook.close()
    return buffer.getvalue(), count


def findings_workbook(findings: QuerySet[Finding], *, full_ids: bool) -> tuple[bytes, int]:
    """The work list as .xlsx bytes and the number of findings in it (text cells only)."""
    if findings.count() > MAX_ROWS:
        raise ExportTooLarge(f"超过 {MAX_ROWS} 行，无法放入一个工作表，请缩小筛选范围")
    return _workbook(HEADER, WIDTHS, _rows(findings, full_ids=full_ids))


RUN_HEADER = (*HEADER[:9], "比对日期")
RUN_WIDTHS = (*WIDTHS[:9], 12)


def _run_rows(findings: QuerySet[RunFinding], run: FindingRun, *, full_ids: bool) -> Iterator[list[Any]]:
    ordered = findings.select_related("person").order_by(
        urgency_order(), "county_code", "township_code", "id"
    )
    chunk: list[RunFinding] = []
    for finding in ordered.iterator(chunk_size=CHUNK):
        chunk.append(finding)
        if len(chunk) == CHUNK:
            yield from _run_chunk_rows(chunk, run, full_ids=full_ids)
            chunk = []
    if chunk:
        yield from _run_chunk_rows(chunk, run, full_ids=full_ids)


def _run_chunk_rows(chunk: list[RunFinding], run: FindingRun, *, full_ids: bool) -> Iterator[list[Any]]:
    names = region_names({f.county_code for f in chunk} | {f.township_code for f in chunk})
    if full_ids:
        numbers = decrypt_many([f.person.id_number_encrypted for f in chunk])
    else:
        numbers = [f.person.id_masked for f in chunk]
    for finding, number in zip(chunk, numbers, strict=True):
        yield [
            finding.code,
            str(finding.get_code_display()),
            finding.person.name,
            number,
            finding.county_code,
            names.get(finding.county_code, ""),
            finding.township_code,
            names.get(finding.township_code, ""),
            finding.detail,
            run.on_date.isoformat(),
        ]


def export_run_findings(
    *,
    run: FindingRun,
    findings: QuerySet[RunFinding],
    actor: Any,
    full_ids: bool,
    reason: str = "",
    region_code: str = "",
    ip_address: str = "",
) -> tuple[bytes, str]:
    """A read-only run's findings as a workbook and its file name; one audit entry per export."""
    if findings.count() > MAX_ROWS:
        raise ExportTooLarge(f"超过 {MAX_ROWS} 行，无法放入一个工作表，请缩小筛选范围")
    content, count = _workbook(RUN_HEADER, RUN_WIDTHS, _run_rows(findings, run, full_ids=full_ids))
    audit_record(
        actor=actor,
        action="export.findings",
        object_type="FindingRun",
        object_id=run.pk,
        region_code=region_code,
        reason=reason,
        detail={"run": run.pk, "mode": run.mode, "rows": count, "full_id_numbers": full_ids},
        ip_address=ip_address,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    suffix = "-完整身份证号" if full_ids else ""
    return content, f"比对发现-第{run.pk}次-{run.on_date:%Y%m%d}-只读查看-{stamp}{suffix}.xlsx"


def export_findings(
    *,
    findings: QuerySet[Finding],
    actor: Any,
    full_ids: bool,
    filters: dict[str, str],
    reason: str = "",
    region_code: str = "",
    ip_address: str = "",
) -> tuple[bytes, str]:
    """The workbook and its file name; one audit entry ``export.findings`` per export."""
    content, count = findings_workbook(findings, full_ids=full_ids)
    audit_record(
        actor=actor,
        action="export.findings",
        object_type="Finding",
        region_code=region_code,
        reason=reason,
        detail={"filters": filters, "rows": count, "full_id_numbers": full_ids},
        ip_address=ip_address,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    suffix = "-完整身份证号" if full_ids else ""
    return content, f"比对发现-{region_code or '全部'}-{stamp}{suffix}.xlsx"
