"""The import pipeline: read → map the header → validate every row → write in one transaction.

Every row ends accepted or rejected with its row number, columns and reasons (FORMATS.md);
accepted + rejected = rows read, always.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from huican.core.audit import audit_record
from huican.core.filecrypt import ENCRYPTED_SUFFIX, encrypt_bytes_to, write_private
from huican.core.frames import neutralize_formulas
from huican.exchange import writers
from huican.exchange.bulk import statement_journals_in_memory
from huican.exchange.kinds import KINDS, KindSpec
from huican.exchange.models import ImportBatch, RejectedRow
from huican.exchange.preparing import PreparedFile, file_checksum, prepare
from huican.exchange.reading import ImportRefused
from huican.exchange.services import record_refusal
from huican.exchange.signals import rows_written
from huican.exchange.snapshots import LIST_KINDS, SNAPSHOT_KINDS, active_batch_ids

__all__ = [
    "KINDS",
    "ImportPreview",
    "ImportRefused",
    "KindSpec",
    "PreparedFile",
    "default_rejects_path",
    "prepare",
    "preview_import",
    "run_import",
]

Progress = Callable[[int, str], None]


@dataclass
class ImportPreview:
    kind: str
    title: str
    rows_read: int
    would_accept: int
    would_reject: int
    not_in_registry: int
    unknown_columns: list[str]
    recognised_columns: list[str]
    first_rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet_name: str = ""
    header_row: int = 1
    # Set when importing would replace the list in force by much less (needs a person's confirmation).
    shrink: dict[str, Any] | None = None


TABLES_BY_KIND = {"registry": "registry_person", "survey": "registry_survey", "standards": "policy_standard"}


def refresh_statistics(kind: str, written: int) -> None:
    """Refresh the planner's statistics of the table an import wrote, so that lookups keep using the
    right index as the data grow (SQLite has none until ANALYZE runs; it then picks, for example,
    the county index instead of the household one).

    On PostgreSQL only when the import wrote at least a tenth of the table's rows: below that the
    server's own autovacuum refreshes them when it sees fit (its threshold is the same tenth), and
    sampling a twenty-million-row table after a small list costs a third of a second. The kinds
    another app writes (applications, employment) keep their statistics to that app's tables and
    the server."""
    table = TABLES_BY_KIND.get(kind) or ("exchange_listrecord" if kind in LIST_KINDS else None)
    if table is None:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            row = cursor.fetchone()
            if row is not None and written * 10 < row[0]:
                return
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=2000")
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _same_as_latest(kind: str, checksum: str) -> bool:
    """The file is the latest completed snapshot again (re-importing it changes nothing)."""
    latest = ImportBatch.objects.filter(kind=kind, status=ImportBatch.Status.DONE).order_by("-id").first()
    return latest is not None and latest.checksum == checksum


def default_rejects_path(path: Path) -> Path:
    return path.with_name(path.stem + ".rejected.csv")


def write_rejects(prepared: PreparedFile, target: Path) -> None:
    """Rejected rows as UTF-8 with BOM: 行号, 列, 原因, then the row's original columns."""
    rejected = prepared.rejected.select(
        pl.col("__row").alias("行号"),
        pl.col("__columns").alias("列"),
        pl.col("__reasons").alias("原因"),
    )
    names: list[str] = []
    for i, cell in enumerate(prepared.header):
        name = (cell or "").strip() or f"（空表头{i + 1}）"
        while name in names or name in ("行号", "列", "原因"):
            name += "′"
        names.append(name)
    original = prepared.raw.rename({f"__c{i}": name for i, name in enumerate(names)})
    out = rejected.join(original, left_on="行号", right_on="__row", how="left").sort("行号")
    out = neutralize_formulas(out)
    buffer = io.BytesIO()
    buffer.write(b"\xef\xbb\xbf")
    out.write_csv(buffer)
    if target.name.endswith(ENCRYPTED_SUFFIX):
        # Kept by the web flow for download: encrypted at rest, like the upload it came from.
        encrypt_bytes_to(target, buffer.getvalue())
    else:
        # The operator's own file (FORMATS.md: plaintext CSV), but readable by its owner only.
        write_private(target, buffer.getvalue())


class ShrinkRefused(ImportRefused):
    """A list would be replaced by much less and nobody confirmed it: nothing is imported."""

    def __init__(self, shrink: Shrink) -> None:
        super().__init__(shrink.message())
        self.shrink = shrink


@dataclass(frozen=True)
class Shrink:
    """A list import that would replace the list in force by much less (FORMATS.md "Replacing a
    list"): no accepted rows, or fewer than half of the accepted rows of the list in force."""

    accepted: int
    rows_read: int
    in_force_id: int | None
    in_force_accepted: int

    @property
    def all_rejected(self) -> bool:
        return self.rows_read > 0 and self.accepted == 0

    def message(self) -> str:
        if self.in_force_id is None:
            now = "目前没有现行名单"
        else:
            now = f"现行名单（第 {self.in_force_id} 次导入）有 {self.in_force_accepted:,} 行"
        if self.all_rejected:
            return (
                f"本文件的 {self.rows_read:,} 行全部被拒绝，{now}：全部被拒绝的文件不会成为现行名单。"
                "请按被拒绝行文件中的原因修改后重新导入"
            )
        return (
            f"本文件只有 {self.accepted:,} 行可以接受，{now}，新名单不到现行名单的一半。"
            "为防止误用不完整的文件替换名单，未作任何改动；确认要替换，请在命令行加 --confirm-shrink，"
            "或在网页上勾选确认"
        )

    def confirmation(self) -> str:
        """What the person confirms, naming both counts."""
        return f"我确认用本文件的 {self.accepted:,} 行替换现行名单的 {self.in_force_accepted:,} 行"

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rows_read": self.rows_read,
            "in_force_id": self.in_force_id,
            "in_force_accepted": self.in_force_accepted,
            "all_rejected": self.all_rejected,
            "message": self.message(),
            "confirmation": self.confirmation(),
        }


def shrink_of(kind: str, *, accepted: int, rows_read: int, data_date: dt.date) -> Shrink | None:
    """The shrink a list import would make on `data_date`, or None when it needs no confirmation."""
    if kind not in SNAPSHOT_KINDS:
        return None
    in_force = active_batch_ids(kind, data_date)
    batch = ImportBatch.objects.filter(pk__in=in_force).only("id", "accepted").first()
    in_force_accepted = batch.accepted if batch else 0
    if accepted > 0 and accepted * 2 >= in_force_accepted:
        return None
    return Shrink(
        accepted=accepted,
        rows_read=rows_read,
        in_force_id=batch.pk if batch else None,
        in_force_accepted=in_force_accepted,
    )


def check_rejects_path(target: Path) -> None:
    """The rejected-rows file can be written (checked before anything is imported)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        existed = target.exists()
        with target.open("ab"):
            pass
        if not existed:
            target.unlink()
    except OSError as exc:
        raise ImportRefused(
            f"被拒绝行文件 {target} 无法写入（{exc.strerror or exc}）：请用 --rejects 指定一个可写的位置"
        ) from None


def preview_import(
    *, kind: str, path: Path, limit: int = 20, data_date: dt.date | None = None
) -> ImportPreview:
    prepared = prepare(kind, path)
    frame = prepared.frame
    spec = prepared.spec
    first = frame.head(limit)
    problems = [
        (row, cols, reasons)
        for row, cols, reasons in prepared.rejected.head(200)
        .select("__row", "__columns", "__reasons")
        .iter_rows()
    ]
    return ImportPreview(
        kind=kind,
        title=spec.title,
        rows_read=prepared.rows_read,
        would_accept=prepared.accepted_count,
        would_reject=prepared.rejected_count,
        not_in_registry=prepared.not_in_registry,
        unknown_columns=prepared.unknown_columns,
        recognised_columns=[c.name for c in spec.columns],
        first_rows=first.select(["__row", *[c.name for c in spec.columns]]).to_dicts(),
        problems=problems,
        warnings=prepared.warnings,
        sheet_name=prepared.sheet_name,
        header_row=prepared.header_row,
        shrink=_shrink_dict(kind, prepared, data_date or timezone.localdate()),
    )


def _shrink_dict(kind: str, prepared: PreparedFile, data_date: dt.date) -> dict[str, Any] | None:
    shrink = shrink_of(
        kind, accepted=prepared.accepted_count, rows_read=prepared.rows_read, data_date=data_date
    )
    return shrink.as_dict() if shrink else None


def run_import(
    *,
    kind: str,
    path: Path,
    file_name: str | None = None,
    actor: Any = None,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    data_date: dt.date | None = None,
    confirm_shrink: bool = False,
    confirmed_counts: tuple[int, int] | None = None,
    stored_path: str | None = None,
) -> ImportBatch:
    """Import one file (`stored_path`: where it is kept, when `path` is a decrypted copy).

    Raises ImportRefused (after recording the refusal: `services.record_refusal`) when it cannot be read,
    and ShrinkRefused when it would replace a list by much less without `confirm_shrink` (or the
    `confirmed_counts` (accepted, in force) that a person confirmed on the web or the API)."""
    report = progress or (lambda percent, message: None)
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = getattr(user, "username", "") if user else (actor if isinstance(actor, str) else "命令行")
    file_name = file_name or path.name
    today = timezone.localdate()
    if data_date is not None and data_date > today:
        raise ImportRefused(f"数据日期 {data_date} 在今天之后：数据日期是部门提取名单的日期")
    data_date = data_date or today
    target = rejects_path or default_rejects_path(path)
    check_rejects_path(target)
    report(5, "读取文件")
    try:
        prepared = prepare(kind, path)
        shrink = shrink_of(
            kind, accepted=prepared.accepted_count, rows_read=prepared.rows_read, data_date=data_date
        )
        confirmed = confirm_shrink or (
            shrink is not None and confirmed_counts == (shrink.accepted, shrink.in_force_accepted)
        )
        if shrink is not None and not confirmed and not _same_as_latest(kind, prepared.checksum):
            write_rejects(prepared, target)
            raise ShrinkRefused(shrink)
    except ImportRefused as exc:
        record_refusal(
            kind=kind,
            file_name=file_name,
            actor=user or actor_name,
            reason=str(exc),
            checksum=file_checksum(path) if path.is_file() else "",
            data_date=data_date,
            shrink=isinstance(exc, ShrinkRefused),
        )
        raise
    warnings = list(prepared.warnings)
    if shrink is not None and not shrink.all_rejected:
        warnings.append("已确认：" + shrink.confirmation())
    report(40, "校验完成，写入数据")
    batch = ImportBatch(
        kind=kind,
        file_name=file_name,
        checksum=prepared.checksum,
        stored_path=stored_path or str(path),
        imported_by=user,
        imported_by_name=actor_name,
        status=ImportBatch.Status.RUNNING,
        rows_read=prepared.rows_read,
        accepted=prepared.accepted_count,
        rejected=prepared.rejected_count,
        not_in_registry=prepared.not_in_registry,
        unknown_columns=prepared.unknown_columns,
        rejects_path=str(target),
        data_date=data_date,
        sheet_name=prepared.sheet_name,
        header_row=prepared.header_row,
        warnings=warnings,
    )
    with statement_journals_in_memory(), transaction.atomic():
        same = None
        if kind in SNAPSHOT_KINDS or kind == "services":
            same = (
                ImportBatch.objects.filter(kind=kind, status=ImportBatch.Status.DONE).order_by("-id").first()
            )
            if kind == "services":
                same = ImportBatch.objects.filter(
                    kind=kind, status=ImportBatch.Status.DONE, checksum=prepared.checksum
                ).first()
            elif same is not None and same.checksum != prepared.checksum:
                same = None
        batch.save()
        if same is None and shrink is not None and shrink.all_rejected:
            # Every row was rejected: recorded, never the list in force (FORMATS.md).
            batch.status = ImportBatch.Status.ALL_REJECTED
            batch.message = shrink.message()
        elif same is not None:
            batch.status = ImportBatch.Status.UNCHANGED
            batch.same_as = same
            batch.message = f"与第 {same.pk} 次导入（{same.file_name}）内容相同，数据未作改动"
        else:
            created, updated = writers.persist(prepared, batch, progress=report)
            batch.created, batch.updated = created, updated
            batch.status = ImportBatch.Status.DONE
            if created or updated:
                report(96, "更新供全市计算读取的列存副本")
                rows_written.send(sender=run_import, kind=kind)
        RejectedRow.objects.bulk_create(
            [
                RejectedRow(batch=batch, row_number=row, columns=cols, reasons=reasons)
                for row, cols, reasons in prepared.rejected.head(5000)
                .select("__row", "__columns", "__reasons")
                .iter_rows()
            ],
            batch_size=1000,
        )
        batch.finished_at = timezone.now()
        batch.progress = 100
        batch.save()
        audit_record(
            actor=user or actor_name,
            action="import." + batch.status,
            object_type="import",
            object_id=batch.pk,
            detail={
                "kind": kind,
                "file": file_name,
                "checksum": prepared.checksum,
                "rows_read": batch.rows_read,
                "accepted": batch.accepted,
                "rejected": batch.rejected,
                "not_in_registry": batch.not_in_registry,
                "created": batch.created,
                "updated": batch.updated,
                "data_date": data_date.isoformat(),
                "shrink_confirmed": shrink.as_dict() if shrink is not None else None,
            },
        )
    write_rejects(prepared, target)
    if batch.status == ImportBatch.Status.DONE:
        refresh_statistics(kind, batch.accepted)
    report(100, "完成")
    return batch
