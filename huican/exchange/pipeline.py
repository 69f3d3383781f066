"""The import pipeline: read → map the header → validate every row → write in one transaction.

Every row ends accepted or rejected with its row number, columns and reasons (FORMATS.md);
accepted + rejected = rows read, always.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from huican.core.audit import audit_record
from huican.core.crypto import blind_index_many
from huican.exchange import writers
from huican.exchange.bulk import statement_journals_in_memory
from huican.exchange.kinds import KINDS, KindSpec
from huican.exchange.models import ImportBatch, RejectedRow
from huican.exchange.reading import TRIM_CHARS, ImportRefused, read_table, trimmed_header
from huican.exchange.snapshots import SNAPSHOT_KINDS
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
    "read_table",
    "run_import",
]

Progress = Callable[[int, str], None]


@dataclass
class PreparedFile:
    """A file read, mapped to canonical columns and validated (nothing written yet)."""

    spec: KindSpec
    raw: pl.DataFrame  # the file's own columns and values, plus __row
    frame: pl.DataFrame  # trimmed canonical columns, __row, __columns, __reasons, __id_hash
    unknown_columns: list[str]
    checksum: str
    not_in_registry: int = 0

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


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _map_header(spec: KindSpec, columns: list[str]) -> tuple[dict[str, str], list[str]]:
    aliases = spec.alias_map()
    rename: dict[str, str] = {}
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for original in columns:
        name = trimmed_header(original)
        canonical = aliases.get(name)
        if canonical is None:
            unknown.append(name or "（空表头）")
            continue
        if canonical in seen:
            raise ImportRefused(f"表头中“{seen[canonical]}”和“{name}”都表示“{canonical}”，请只保留一列")
        seen[canonical] = name
        rename[original] = canonical
    missing = [c for c in spec.required if c not in seen]
    if missing:
        raise ImportRefused("表头缺少必填列：" + "、".join(missing))
    return rename, unknown


def prepare(kind: str, path: Path, *, today: dt.date | None = None) -> PreparedFile:
    """Read and validate a file; raises ImportRefused when it cannot be imported at all."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ImportRefused(f"未知的导入类型 {kind!r}；可用类型：" + "、".join(KINDS))
    today = today or timezone.localdate()
    raw = read_table(path)
    rename, unknown = _map_header(spec, raw.columns)
    # Drop rows that are entirely blank (Excel leaves them after the data); they are not rows.
    trimmed = raw.with_columns(pl.all().str.strip_chars(TRIM_CHARS).replace("", None))
    raw = raw.with_columns(pl.int_range(2, raw.height + 2, dtype=pl.Int64).alias("__row"))
    nonblank = trimmed.with_columns(
        pl.int_range(2, trimmed.height + 2, dtype=pl.Int64).alias("__row")
    ).filter(~pl.all_horizontal([pl.col(c).is_null() for c in trimmed.columns]))
    raw = raw.join(nonblank.select("__row"), on="__row", how="semi")
    frame = nonblank.rename({c: f"__orig_{i}" for i, c in enumerate(trimmed.columns)})
    original = [f"__orig_{i}" for i in range(len(trimmed.columns))]
    frame = frame.with_columns(
        [pl.col(f"__orig_{trimmed.columns.index(o)}").alias(c) for o, c in rename.items()]
    )
    for column in spec.columns:
        if column.name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column.name))
    for name in ("公民身份号码", "残疾人证号"):
        if name in frame.columns:
            frame = frame.with_columns(pl.col(name).str.to_uppercase())
    frame = validate(spec, frame, original, today).drop(original)
    prepared = PreparedFile(
        spec=spec, raw=raw, frame=frame, unknown_columns=unknown, checksum=file_checksum(path)
    )
    if "公民身份号码" in frame.columns:
        _match_registry(prepared)
    return prepared


def _match_registry(prepared: PreparedFile) -> None:
    """Add __id_hash and __person_id; reject rows outside the registry where the kind requires it."""
    from huican.exchange.writers import person_ids_by_hash

    frame = prepared.frame
    ok = frame["__reasons"].is_null()
    ids = frame["公民身份号码"].fill_null("").to_list()
    hashes = blind_index_many(ids)
    frame = frame.with_columns(pl.Series("__id_hash", hashes, dtype=pl.String))
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


def default_rejects_path(path: Path) -> Path:
    return path.with_name(path.stem + ".rejected.csv")


def write_rejects(prepared: PreparedFile, target: Path) -> None:
    """Rejected rows as UTF-8 with BOM: 行号, 列, 原因, then the row's original columns."""
    rejected = prepared.rejected.select(
        pl.col("__row").alias("行号"),
        pl.col("__columns").alias("列"),
        pl.col("__reasons").alias("原因"),
    )
    original = prepared.raw.rename(
        {
            c: trimmed_header(c) or f"（空表头{i + 1}）"
            for i, c in enumerate(prepared.raw.columns)
            if c != "__row"
        }
    )
    out = rejected.join(original, left_on="行号", right_on="__row", how="left").sort("行号")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        handle.write(b"\xef\xbb\xbf")
        out.write_csv(handle)


def preview_import(*, kind: str, path: Path, limit: int = 20) -> ImportPreview:
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
    )


def run_import(
    *,
    kind: str,
    path: Path,
    file_name: str | None = None,
    actor: Any = None,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Import one file. Raises ImportRefused (after recording the refusal) when it cannot be read."""
    report = progress or (lambda percent, message: None)
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = getattr(user, "username", "") if user else (actor if isinstance(actor, str) else "命令行")
    file_name = file_name or path.name
    report(5, "读取文件")
    try:
        prepared = prepare(kind, path)
    except ImportRefused as exc:
        batch = ImportBatch.objects.create(
            kind=kind[:32],
            file_name=file_name,
            checksum=file_checksum(path) if path.is_file() else "",
            imported_by=user,
            imported_by_name=actor_name,
            status=ImportBatch.Status.REFUSED,
            message=str(exc),
            finished_at=timezone.now(),
        )
        audit_record(
            actor=user or actor_name,
            action="import.refused",
            object_type="import",
            object_id=batch.pk,
            detail={"kind": kind, "file": file_name, "reason": str(exc)},
        )
        raise
    report(40, "校验完成，写入数据")
    target = rejects_path or default_rejects_path(path)
    batch = ImportBatch(
        kind=kind,
        file_name=file_name,
        checksum=prepared.checksum,
        stored_path=str(path),
        imported_by=user,
        imported_by_name=actor_name,
        status=ImportBatch.Status.RUNNING,
        rows_read=prepared.rows_read,
        accepted=prepared.accepted.height,
        rejected=prepared.rejected.height,
        not_in_registry=prepared.not_in_registry,
        unknown_columns=prepared.unknown_columns,
        rejects_path=str(target),
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
        if same is not None:
            batch.status = ImportBatch.Status.UNCHANGED
            batch.same_as = same
            batch.message = f"与第 {same.pk} 次导入（{same.file_name}）内容相同，数据未作改动"
        else:
            created, updated = writers.persist(prepared, batch, progress=report)
            batch.created, batch.updated = created, updated
            batch.status = ImportBatch.Status.DONE
            if created or updated:
                from huican.policy.facts import refresh_registry_copies

                report(96, "更新供全市计算读取的列存副本")
                refresh_registry_copies(kind)
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
            },
        )
    write_rejects(prepared, target)
    if batch.status == ImportBatch.Status.DONE:
        refresh_statistics(kind)
    report(100, "完成")
    return batch
