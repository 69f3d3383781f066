"""The import pipeline: read → map the header → validate every row → write in one transaction.

Every row ends accepted or rejected with its row number, columns and reasons (FORMATS.md);
accepted + rejected = rows read, always.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from huican.core.audit import audit_record
from huican.core.crypto import blind_index_many
from huican.core.filecrypt import ENCRYPTED_SUFFIX, encrypt_bytes_to, write_private
from huican.core.frames import neutralize_formulas
from huican.core.idnumbers import LOST_DIGITS
from huican.exchange import writers
from huican.exchange.bulk import statement_journals_in_memory
from huican.exchange.kinds import KINDS, KindSpec
from huican.exchange.models import ImportBatch, RejectedRow
from huican.exchange.reading import ImportRefused, Table, normalize_header, normalized_values, read_table
from huican.exchange.services import record_refusal
from huican.exchange.signals import rows_written
from huican.exchange.snapshots import SNAPSHOT_KINDS, active_batch_ids
from huican.exchange.validation import validate

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
class PreparedFile:
    """A file read, mapped to canonical columns and validated (nothing written yet)."""

    spec: KindSpec
    raw: pl.DataFrame  # the file's own values (__c0, __c1, … as in `header`), plus __row
    header: list[str]  # the file's own header cells
    frame: pl.DataFrame  # normalised canonical columns, __row, __columns, __reasons, __id_hash
    unknown_columns: list[str]
    checksum: str
    not_in_registry: int = 0
    sheet_name: str = ""
    header_row: int = 1
    # Lines for the operator: where the header was found, IDs ending in 000 (FORMATS.md).
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.frame.height

    @property
    def rejected_mask(self) -> pl.Series:
        return self.frame["__reasons"].is_not_null()

    @property
    def accepted(self) -> pl.DataFrame:
        return self.frame.filter(pl.col("__reasons").is_null())

    @property
    def rejected(self) -> pl.DataFrame:
        return self.frame.filter(pl.col("__reasons").is_not_null())


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


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _map_header(spec: KindSpec, header: list[str]) -> tuple[dict[int, str], list[str]]:
    """Which column of the file supplies which column of the kind (by position), and the unknown
    headers. Two headers that mean the same column refuse the file."""
    aliases = spec.alias_map()
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for index, original in enumerate(header):
        name = normalize_header(original)
        canonical = aliases.get(name)
        if canonical is None:
            unknown.append(name or "（空表头）")
            continue
        if canonical in seen:
            raise ImportRefused(f"表头中“{seen[canonical]}”和“{name}”都表示“{canonical}”，请只保留一列")
        seen[canonical] = name
        mapping[index] = canonical
    return mapping, unknown


CELL_REASONS = {
    "公民身份号码": LOST_DIGITS,
    "残疾人证号": "残疾人证号在 Excel 中是数字格式、已丢失位数：请把该列设为文本格式后重新填写",
}
MERGED_REASON = "合并单元格：该单元格在合并区域中，没有自己的值，请取消合并后在每一行填写"


def _cell_problems(spec: KindSpec, table: Table, mapping: dict[int, str]) -> dict[str, list[str | None]]:
    """Per canonical column, what the file says about its cells that their text cannot: an ID in an
    Excel number cell, a formula error, a required cell covered by a merged range."""
    columns = {c.name: c for c in spec.columns}
    height = table.values.height
    problems: dict[str, list[str | None]] = {}
    for index, name in mapping.items():
        column = columns[name]
        reasons: list[str | None] | None = None

        def put(position: int, reason: str) -> None:
            nonlocal reasons
            if reasons is None:
                reasons = [None] * height
            reasons[position] = reason

        if column.text_only:
            for position in table.number_cells.get(index, ()):
                put(position, CELL_REASONS.get(name, LOST_DIGITS))
        if column.required:
            for position in table.merged_cells.get(index, ()):
                put(position, MERGED_REASON)
        for position, error in table.error_cells.get(index, {}).items():
            put(position, f"单元格是公式错误 {error}：请在 Excel 中修正公式，或复制后“选择性粘贴为数值”")
        if reasons is not None:
            problems[name] = reasons
    return problems


def prepare(kind: str, path: Path, *, today: dt.date | None = None) -> PreparedFile:
    """Read and validate a file; raises ImportRefused when it cannot be imported at all."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ImportRefused(f"未知的导入类型 {kind!r}；可用类型：" + "、".join(KINDS))
    today = today or timezone.localdate()
    table = read_table(path, spec.missing_from)
    mapping, unknown = _map_header(spec, table.header)
    width = len(table.header)
    cells = [f"__c{i}" for i in range(width)]
    values = table.values.with_columns(pl.Series("__row", table.rows, dtype=pl.Int64))
    extra: list[pl.Series] = [
        pl.Series(f"__cell_{name}", reasons, dtype=pl.String)
        for name, reasons in _cell_problems(spec, table, mapping).items()
    ]
    if table.field_counts is not None:
        extra.append(pl.Series("__fields", table.field_counts, dtype=pl.Int64))
    normalized = values.with_columns(*[normalized_values(pl.col(c)).alias(c) for c in cells], *extra)
    # Rows that are entirely blank (Excel leaves them after the data) are not rows.
    nonblank = ~pl.all_horizontal([pl.col(c).is_null() for c in cells]) if cells else pl.lit(False)
    keep = normalized.select(nonblank.alias("keep"))["keep"]
    everything = bool(keep.all())  # the usual case: no copy of either frame
    raw = values if everything else values.filter(keep)
    frame = normalized if everything else normalized.filter(keep)
    frame = frame.with_columns([pl.col(f"__c{i}").alias(name) for i, name in mapping.items()])
    for column in spec.columns:
        if column.name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column.name))
    for name in ("公民身份号码", "残疾人证号"):
        if name in frame.columns:
            frame = frame.with_columns(pl.col(name).str.to_uppercase())
    frame = validate(spec, frame, cells, today, header_fields=width).drop(cells)
    warnings = [table.location_note] if table.location_note else []
    prepared = PreparedFile(
        spec=spec,
        raw=raw,
        header=table.header,
        frame=frame,
        unknown_columns=unknown,
        checksum=file_checksum(path),
        sheet_name=table.sheet_name,
        header_row=table.header_row,
        warnings=warnings,
    )
    if "公民身份号码" in frame.columns:
        ending = frame.filter(pl.col("__id_ok") & pl.col("公民身份号码").str.ends_with("000")).height
        if ending:
            prepared.warnings.append(
                f"注意：{ending} 行的身份证号以 000 结尾（校验码正确，已按文本读取）。"
                "Excel 会把长数字的末几位变成 0，请与原始名单核对这些行"
            )
        _match_registry(prepared)
    prepared.frame = prepared.frame.drop(
        [c for c in prepared.frame.columns if c.startswith("__cell_")] + ["__id_ok"], strict=False
    )
    return prepared


def _match_registry(prepared: PreparedFile) -> None:
    """Add __id_hash and __person_id; reject rows outside the registry where the kind requires it."""
    from huican.exchange.writers import person_ids_by_hash

    frame = prepared.frame
    ok = frame["__reasons"].is_null()
    frame = frame.with_columns(id_hashes(frame["公民身份号码"]).alias("__id_hash"))
    known = person_ids_by_hash(set(frame.filter(ok)["__id_hash"].to_list()))
    frame = frame.with_columns(
        pl.col("__id_hash").replace_strict(known, default=None, return_dtype=pl.Int64).alias("__person_id")
    )
    if prepared.spec.requires_registry:
        outside = pl.col("__reasons").is_null() & pl.col("__person_id").is_null()
        frame = frame.with_columns(
            pl.when(outside)
            .then(pl.lit("不在残疾人名册中（not in the registry）"))
            .otherwise(pl.col("__reasons"))
            .alias("__reasons"),
            pl.when(outside).then(pl.lit("公民身份号码")).otherwise(pl.col("__columns")).alias("__columns"),
        )
    elif prepared.spec.is_list or prepared.spec.kind == "services":
        prepared.not_in_registry = frame.filter(
            pl.col("__reasons").is_null() & pl.col("__person_id").is_null()
        ).height
    prepared.frame = frame


HASH_CHUNK = 100_000


def id_hashes(numbers: pl.Series) -> pl.Series:
    """The keyed hash of each ID number (of "" for a missing one), a chunk at a time: four million
    numbers as Python strings, with their hashes, would take more memory than the whole file."""
    filled = numbers.fill_null("")
    parts = [
        pl.Series("__id_hash", blind_index_many(filled.slice(offset, HASH_CHUNK).to_list()), dtype=pl.String)
        for offset in range(0, filled.len(), HASH_CHUNK)
    ]
    return pl.concat(parts) if parts else pl.Series("__id_hash", [], dtype=pl.String)


TABLES_BY_KIND = {"registry": "registry_person", "survey": "registry_survey", "standards": "policy_standard"}


def refresh_statistics(kind: str) -> None:
    """Refresh the planner's statistics of the table an import wrote, so that lookups keep using the
    right index as the data grow (SQLite has none until ANALYZE runs; it then picks, for example,
    the county index instead of the household one)."""
    table = TABLES_BY_KIND.get(kind, "exchange_listrecord")
    with connection.cursor() as cursor:
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
        would_accept=prepared.accepted.height,
        would_reject=prepared.rejected.height,
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
        kind, accepted=prepared.accepted.height, rows_read=prepared.rows_read, data_date=data_date
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
            kind, accepted=prepared.accepted.height, rows_read=prepared.rows_read, data_date=data_date
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
        accepted=prepared.accepted.height,
        rejected=prepared.rejected.height,
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
        refresh_statistics(kind)
    report(100, "完成")
    return batch
