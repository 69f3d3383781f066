"""Preparing an import: read → map the header → validate every row (nothing written yet).

A file is prepared a chunk of rows at a time (FORMATS.md's results do not depend on the chunks):

1. each chunk is read (an unquoted CSV from its bytes, `reading.RowSource`), normalised, mapped to
   the kind's columns, and reduced to what is kept: the canonical columns, `__row`, and one 64-bit
   hash per check between rows (`validation.repeats_for`: same ID number, `Unique` keys, the
   exact-duplicate row over all of the file's own columns);
2. the first row with the same keys is found once for the whole file from those hashes alone; a
   row said to repeat an earlier one is compared with it on the real values, so a hash collision
   never rejects a row (`_first_rows`);
3. each chunk is then judged (`validation.judge`, reasons in their order), matched with the
   registry, and only its rejected rows keep the file's own values (for the rejected-rows file).

So the whole file's text columns, and the several columns per cell that the checks build, are never
held at once: the peak is about the file's bytes plus the prepared frame.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.utils import timezone

from huican.core import copies
from huican.core.crypto import blind_index_many
from huican.core.frames import fetch_frame, per_distinct
from huican.core.hooks import Hook
from huican.core.idnumbers import LOST_DIGITS
from huican.exchange.kinds import KINDS, KindSpec
from huican.exchange.reading import (
    ImportRefused,
    NotLineByLine,
    RowSource,
    Table,
    normalize_header,
    normalized_values,
    open_rows,
)
from huican.exchange.validation import Repeat, judge, nul_flag, repeats_for

# Rows judged at a time when the file is held whole (an .xlsx, a quoted CSV); an unquoted CSV is
# cut every `reading.CSV_CHUNK_BYTES` instead.
CHUNK_ROWS = 200_000
HASH_CHUNK = 100_000
# Above this many ID hashes in a chunk, the registry's hashes are read once and joined.
LOOKUP_LIMIT = 50_000
SEED = 0x48554943414E3130


@dataclass
class PreparedFile:
    """A file read, mapped to canonical columns and validated (nothing written yet)."""

    spec: KindSpec
    raw: pl.DataFrame  # the file's own values of the rejected rows (__c0, __c1, … as in `header`), plus __row
    header: list[str]  # the file's own header cells
    frame: pl.DataFrame  # normalised canonical columns, __row, __columns, __reasons, __id_hash, __person_id
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
    def rejected_count(self) -> int:
        return self.frame.height - self.frame["__reasons"].null_count()

    @property
    def accepted_count(self) -> int:
        return self.frame["__reasons"].null_count()

    @property
    def rejected_mask(self) -> pl.Series:
        return self.frame["__reasons"].is_not_null()

    @property
    def accepted(self) -> pl.DataFrame:
        if self.rejected_count == 0:
            return self.frame  # no copy of a file without rejected rows
        return self.frame.filter(pl.col("__reasons").is_null())

    @property
    def rejected(self) -> pl.DataFrame:
        return self.frame.filter(pl.col("__reasons").is_not_null())


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
    source = open_rows(path, spec.missing_from, rows_per_chunk=CHUNK_ROWS)
    try:
        prepared = _Preparation(spec, source, today).run()
    except NotLineByLine:
        # polars does not read this CSV one row a line: read it whole, as the csv module does.
        prepared = _Preparation(spec, source.whole(CHUNK_ROWS), today).run()
    prepared.checksum = file_checksum(path)
    return prepared


class _Preparation:
    def __init__(self, spec: KindSpec, source: RowSource, today: dt.date) -> None:
        self.spec = spec
        self.source = source
        self.today = today
        table = source.table
        self.mapping, self.unknown = _map_header(spec, table.header)
        self.width = len(table.header)
        self.cells = [f"__c{i}" for i in range(self.width)]
        self.problems = [
            pl.Series(f"__cell_{name}", reasons, dtype=pl.String)
            for name, reasons in _cell_problems(spec, table, self.mapping).items()
        ]
        self.repeats = repeats_for(spec, today, self.cells)
        self.starts: list[int] = []  # each chunk's first position among the rows below the header
        self.identities = _Identities()

    def run(self) -> PreparedFile:
        spec, table = self.spec, self.source.table
        kept: list[pl.DataFrame] = []
        hashes: list[pl.DataFrame] = []
        position = 0
        for index in range(len(self.source.spans)):
            values, counts = self.source.chunk(index)
            self.starts.append(position)
            frame = self._normalised(values, counts, position)
            position += values.height
            hashes.append(frame.select("__row", *[self._hash(r) for r in self.repeats]))
            kept.append(frame.with_columns(nul_flag(self.cells)).drop(self.cells))
        self.ends = [*self.starts[1:], position]
        firsts = _first_rows(pl.concat(hashes), self.repeats, self._keys_of)
        del hashes
        names = [r.name for r in self.repeats]
        judged: list[pl.DataFrame] = []
        raws: list[pl.DataFrame] = []
        ending = not_in_registry = 0
        offset = 0
        for index, frame in enumerate(kept):
            kept[index] = pl.DataFrame()
            frame = frame.with_columns(firsts.select(names).slice(offset, frame.height))
            offset += frame.height
            frame = judge(spec, frame, self.today, header_fields=self.width)
            if spec.kind == "employer_staff":
                frame = _require_declaration(frame)
            if "公民身份号码" in frame.columns:
                ending += frame.filter(pl.col("__id_ok") & pl.col("公民身份号码").str.ends_with("000")).height
                frame, outside = self._match_registry(frame)
                not_in_registry += outside
            frame = frame.drop(
                [c for c in frame.columns if c.startswith("__cell_")] + ["__id_ok"], strict=False
            )
            raws.append(self._raw_of(index, frame.filter(pl.col("__reasons").is_not_null())["__row"]))
            judged.append(frame)
        warnings = [table.location_note] if table.location_note else []
        if ending:
            warnings.append(
                f"注意：{ending} 行的身份证号以 000 结尾（校验码正确，已按文本读取）。"
                "Excel 会把长数字的末几位变成 0，请与原始名单核对这些行"
            )
        return PreparedFile(
            spec=spec,
            raw=pl.concat(raws),
            header=table.header,
            frame=pl.concat(judged),
            unknown_columns=self.unknown,
            checksum="",
            not_in_registry=not_in_registry,
            sheet_name=table.sheet_name,
            header_row=table.header_row,
            warnings=warnings,
        )

    def _rows(self, position: int, height: int) -> pl.Series:
        first = self.source.first_row + position
        return pl.int_range(first, first + height, dtype=pl.Int64, eager=True).alias("__row")

    def _normalised(
        self, values: pl.DataFrame, counts: pl.Series | None, position: int, only: pl.Series | None = None
    ) -> pl.DataFrame:
        """A chunk's rows that are not blank: the file's own columns normalised (__c0 …), `__row`,
        what the file says about cells (`__cell_…`, `__fields`) and the kind's columns; `only` the
        rows of these numbers (when given)."""
        height = values.height
        extra = [series.slice(position, height) for series in self.problems]
        if counts is not None:
            extra.append(counts.alias("__fields").cast(pl.Int64))
        values = values.with_columns(self._rows(position, height), *extra)
        if only is not None:
            values = values.filter(pl.col("__row").is_in(only.implode()))
        frame = values.with_columns(*[normalized_values(pl.col(c)).alias(c) for c in self.cells])
        # Rows that are entirely blank (Excel leaves them after the data) are not rows.
        if self.cells:
            frame = frame.filter(~pl.all_horizontal([pl.col(c).is_null() for c in self.cells]))
        else:
            frame = frame.clear()
        frame = frame.with_columns([pl.col(f"__c{i}").alias(name) for i, name in self.mapping.items()])
        missing = [c.name for c in self.spec.columns if c.name not in frame.columns]
        frame = frame.with_columns([pl.lit(None, dtype=pl.String).alias(name) for name in missing])
        for name in ("公民身份号码", "残疾人证号", "统一社会信用代码"):
            if name in frame.columns:
                frame = frame.with_columns(pl.col(name).str.to_uppercase())
        return frame

    def _hash(self, repeat: Repeat) -> pl.Expr:
        keys = [key.alias(f"k{i}") for i, key in enumerate(repeat.keys)]
        return pl.struct(keys).hash(SEED).alias(repeat.name)

    def _chunks_holding(self, rows: pl.Series) -> list[int]:
        positions = (rows - self.source.first_row).sort()
        return sorted(
            {
                index
                for index, (start, end) in enumerate(zip(self.starts, self.ends, strict=True))
                if end > start and positions.search_sorted(start) < positions.search_sorted(end)
            }
        )

    def _keys_of(self, rows: pl.Series) -> pl.DataFrame:
        """The keys of every check between rows, of the given rows (read again from the file)."""
        parts = [pl.DataFrame(schema={"__row": pl.Int64})]
        for index in self._chunks_holding(rows):
            values, counts = self.source.chunk(index)
            # Only the rows asked for are normalised (the keys read the file's own cells only).
            frame = self._normalised(values, counts, self.starts[index], only=rows)
            parts.append(
                frame.select(
                    "__row",
                    *[key.alias(f"{r.name}:{i}") for r in self.repeats for i, key in enumerate(r.keys)],
                )
            )
        return pl.concat(parts, how="diagonal_relaxed")

    def _raw_of(self, index: int, rows: pl.Series) -> pl.DataFrame:
        """The file's own values of the given rows of chunk `index` (read again for a CSV)."""
        if rows.is_empty():
            return pl.DataFrame(schema={**{c: pl.String for c in self.cells}, "__row": pl.Int64})
        values, _ = self.source.chunk(index)
        values = values.with_columns(self._rows(self.starts[index], values.height))
        return values.filter(pl.col("__row").is_in(rows.implode())) if rows.len() < values.height else values

    def _match_registry(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        """Add __id_hash and __person_id (of the rows without reasons); reject rows outside the
        registry where the kind requires it. Also returns how many accepted rows are outside it."""
        frame = frame.with_columns(self.identities.of(frame["公民身份号码"])).with_columns(
            pl.when(pl.col("__reasons").is_null()).then(pl.col("__person_id")).alias("__person_id")
        )
        outside = 0
        if self.spec.requires_registry:
            away = pl.col("__reasons").is_null() & pl.col("__person_id").is_null()
            frame = frame.with_columns(
                pl.when(away)
                .then(pl.lit("不在残疾人名册中（not in the registry）"))
                .otherwise(pl.col("__reasons"))
                .alias("__reasons"),
                pl.when(away).then(pl.lit("公民身份号码")).otherwise(pl.col("__columns")).alias("__columns"),
            )
        elif self.spec.reports_not_in_registry or self.spec.kind == "services":
            outside = frame.filter(pl.col("__reasons").is_null() & pl.col("__person_id").is_null()).height
        return frame, outside


def _first_rows(
    hashes: pl.DataFrame, repeats: list[Repeat], keys_of: Callable[[pl.Series], pl.DataFrame]
) -> pl.DataFrame:
    """For each check between rows, the first row whose keys equal each row's (its own number when
    none is earlier), from the rows' key hashes (`__row` plus one UInt64 column per repeat).

    A row said to repeat an earlier one is compared with that row on the real keys (`keys_of`);
    where they differ (two keys with one hash), the hash group is decided on the keys."""
    firsts = hashes.select("__row")
    for repeat in repeats:
        claims = _claims(hashes.select(pl.col(repeat.name).alias("__hash"), "__row"))
        if not claims.is_empty():
            claims = _checked(hashes, repeat, claims, keys_of)
        first = (
            firsts["__row"].scatter(claims["__index"], claims["__first"])
            if claims.height
            else firsts["__row"]
        )
        firsts = firsts.with_columns(first.alias(repeat.name))
    return firsts


def _claims(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows (`__index` in `frame`, `__row`) whose hash an earlier row has, and that row
    (`__first`): by sorting (grouping two million distinct hashes would take far more memory)."""
    ordered = frame.with_row_index("__index").sort("__hash", "__row")
    start = pl.col("__hash") != pl.col("__hash").shift(1)
    first = pl.when(start.fill_null(True)).then(pl.col("__row")).forward_fill()
    return (
        ordered.with_columns(first.alias("__first"))
        .filter(pl.col("__first") < pl.col("__row"))
        .select("__index", "__row", "__first")
    )


def _checked(
    hashes: pl.DataFrame, repeat: Repeat, claims: pl.DataFrame, keys_of: Callable[[pl.Series], pl.DataFrame]
) -> pl.DataFrame:
    """`claims` whose rows are equal to their first row on the real keys; the groups of a hash that
    two different keys share are decided on the keys."""
    names = [f"{repeat.name}:{i}" for i in range(len(repeat.keys))]
    needed = pl.concat([claims["__row"], claims["__first"].alias("__row")]).unique()
    keys = keys_of(needed).select("__row", *names)
    pairs = claims.join(keys, on="__row", how="left").join(
        keys.rename({n: n + ":first" for n in names}), left_on="__first", right_on="__row", how="left"
    )
    same = pl.all_horizontal([pl.col(n).eq_missing(pl.col(n + ":first")) for n in names])
    wrong = pairs.filter(~same)["__row"]
    if wrong.is_empty():
        return claims
    indexed = hashes.select(pl.col(repeat.name).alias("__hash"), "__row").with_row_index("__index")
    groups = indexed.filter(pl.col("__row").is_in(wrong.implode()))["__hash"]
    members = indexed.filter(pl.col("__hash").is_in(groups.implode()))
    exact = (
        keys_of(members["__row"])
        .select("__row", pl.col("__row").min().over(names).alias("__first"))
        .join(members.select("__index", "__row"), on="__row")
        .filter(pl.col("__first") < pl.col("__row"))
    )
    kept = claims.filter(~pl.col("__index").is_in(members["__index"].implode()))
    return pl.concat([kept, exact.select("__index", "__row", "__first")])


def _registry_hashes() -> pl.DataFrame:
    """Every registry person's ID-number hash and ID: from the registry's columnar copy when it is
    current (a second instead of reading a million rows through the driver), else from the table."""
    copied = copies.read("registry_person", columns=("id_hash", "person_id"))
    if copied is not None:
        return copied.select(
            pl.col("id_hash").cast(pl.String).alias("__id_hash"),
            pl.col("person_id").cast(pl.Int64).alias("__person_id"),
        )
    return fetch_frame(
        "SELECT id_hash, id FROM registry_person",
        [],
        {"__id_hash": pl.String, "__person_id": pl.Int64},
    )


# The (统一社会信用代码, 统计年度) pairs with an accepted `employers` row (the employment app provides
# it): an `employer_staff` row needs its employer's declaration, imported in an earlier import.
accepted_declarations = Hook("exchange.accepted_declarations")
NO_DECLARATION = "该单位该统计年度没有已接受的单位申报：请先导入按比例就业年审申报（单位）"


def _require_declaration(frame: pl.DataFrame) -> pl.DataFrame:
    """Reject `employer_staff` rows (otherwise accepted) whose employer and year have no accepted
    `employers` row (EMPLOYMENT.md)."""
    known = accepted_declarations() if accepted_declarations.provided else set()
    key = pl.concat_str(
        [pl.col("统一社会信用代码").str.to_uppercase(), pl.col("统计年度").str.replace(r"\.0+$", "")],
        separator="|",
    )
    missing = pl.col("__reasons").is_null() & ~key.is_in(sorted(known)).fill_null(False)
    return frame.with_columns(
        pl.when(missing).then(pl.lit(NO_DECLARATION)).otherwise(pl.col("__reasons")).alias("__reasons"),
        pl.when(missing).then(pl.lit("统一社会信用代码")).otherwise(pl.col("__columns")).alias("__columns"),
    )


class _Identities:
    """The keyed hash of each ID number (of "" for a missing one) and the registry person it names,
    for one import.

    Each distinct number is hashed, and its person looked up, once in the whole file (a survey or an
    insurance list names most persons on several rows, in different chunks), a chunk of numbers at
    a time (four million numbers as Python strings, with their hashes, would take more memory than
    the file). Persons are looked up by query while the new numbers are few; from the first chunk
    with many, the registry's hashes are read once and joined."""

    def __init__(self) -> None:
        self.known = pl.DataFrame(
            schema={"__number": pl.String, "__id_hash": pl.String, "__person_id": pl.Int64}
        )
        self.registry: pl.DataFrame | None = None

    def of(self, numbers: pl.Series) -> pl.DataFrame:
        """`__id_hash` and `__person_id` of each of `numbers`, in their order."""
        wanted = numbers.fill_null("").alias("__number").to_frame()
        distinct = wanted.unique()
        # Joins whose hash table is built on the chunk's numbers, not on every number seen so far.
        found = distinct.join(self.known, on="__number", how="inner")
        new = distinct.join(found, on="__number", how="anti")
        if new.height:
            new = new.with_columns(
                per_distinct(new["__number"], blind_index_many, "__id_hash", chunk=HASH_CHUNK)
            )
            new = new.with_columns(self._person_ids(new["__id_hash"]))
            self.known = pl.concat([self.known, new], rechunk=False)
            found = pl.concat([found, new])
        return wanted.join(found, on="__number", how="left", maintain_order="left").select(
            "__id_hash", "__person_id"
        )

    def _person_ids(self, hashes: pl.Series) -> pl.Series:
        from huican.exchange.writers import person_ids_by_hash

        if self.registry is None and hashes.len() <= LOOKUP_LIMIT:
            known = person_ids_by_hash(set(hashes.to_list()))
            return hashes.replace_strict(known, default=None, return_dtype=pl.Int64).alias("__person_id")
        if self.registry is None:
            self.registry = _registry_hashes()
        return (
            hashes.alias("__id_hash")
            .to_frame()
            .join(self.registry, on="__id_hash", how="left", maintain_order="left")
            .get_column("__person_id")
        )
