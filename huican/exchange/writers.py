"""Writing accepted rows of each import kind (called inside the import's transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db import connection
from django.utils import timezone

from huican.core.crypto import encrypt_many, mask_id_numbers, mask_phone, phone_indexes
from huican.core.frames import fetch_frame, per_distinct, sql_flag, sql_real
from huican.core.hooks import Hook
from huican.core.idnumbers import birth_date_expr, sex_expr
from huican.core.keycheck import ensure_write_keys
from huican.exchange import columnar
from huican.exchange import kinds as k
from huican.exchange.bulk import insert_rows, select_in, update_rows
from huican.exchange.parsing import (
    parse_date,
    parse_decimal,
    parse_int,
    parse_money,
    parse_yes_no,
)
from huican.exchange.snapshots import batch_ids
from huican.exchange.validation import parsed

if TYPE_CHECKING:
    from huican.exchange.models import ImportBatch
    from huican.exchange.pipeline import PreparedFile

Progress = Callable[[int, str], None]

# Kinds whose records belong to a higher app, which provides the writer in its AppConfig.ready():
# the standards to the policy (``policy.imports``), the applications to the benefits
# (``benefits.imports``). Each is called (accepted, batch) → (created, updated).
# The employment app writes `employers`, `employer_staff` and `levy_standards` (``employment.imports``).
app_writers: dict[str, Hook] = {
    kind: Hook(f"exchange.{kind}_writer")
    for kind in ("standards", "applications", "employers", "employer_staff", "levy_standards")
}
standards_writer = app_writers["standards"]


def person_ids_by_hash(hashes: set[str]) -> dict[str, int]:
    """Registry person IDs for the given ID-number hashes (any status)."""
    if not hashes:
        return {}
    with connection.cursor() as cursor:
        if len(hashes) > 50_000:
            cursor.execute("SELECT id_hash, id FROM registry_person")
            return {h: pk for h, pk in cursor.fetchall() if h in hashes}
    rows = select_in("SELECT id_hash, id FROM registry_person WHERE id_hash", sorted(hashes))
    return dict(rows)  # type: ignore[arg-type]


def money_decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def persist(prepared: PreparedFile, batch: ImportBatch, *, progress: Progress) -> tuple[int, int]:
    kind = prepared.spec.kind
    accepted = prepared.accepted
    if kind == "registry":
        return _persist_registry(accepted, progress)
    if kind == "survey":
        return _persist_survey(accepted, batch)
    if kind in app_writers:
        return app_writers[kind](accepted, batch)  # type: ignore[no-any-return]
    return _persist_list(kind, accepted, batch)


# --- registry -----------------------------------------------------------------------------------


def _ensure_regions(codes: list[str]) -> None:
    from huican.regions.models import Region

    known = set(Region.objects.values_list("code", flat=True))
    wanted: set[str] = set()
    for code in codes:
        if len(code) >= 9:
            wanted.add(code[:9])
        if len(code) == 12:
            wanted.add(code)
    missing = sorted(wanted - known)
    new = []
    for code in missing:
        level = Region.Level.TOWNSHIP if len(code) == 9 else Region.Level.VILLAGE
        parent = code[:6] if len(code) == 9 else code[:9]
        new.append(
            Region(
                code=code,
                name=f"待命名（{code}）",
                level=level,
                parent_id=parent,
                county_code=code[:6],
                needs_naming=True,
            )
        )
    Region.objects.bulk_create(new, batch_size=2000)


# Columns of registry_person an import writes: all of them for a new person; for a known one, all
# but the identity (ID number and what derives from it) and the creation time.
UPDATED = (
    "name",
    "category",
    "grade",
    "issue_date",
    "region_id",
    "county_code",
    "township_code",
    "urban_rural",
    "household_number",
    "relation",
    "phone_encrypted",
    "phone_masked",
    "phone_hash",
    "status",
    "status_date",
    "row_fingerprint",
    "updated_at",
)
INSERTED = ("id_hash", "id_number_encrypted", "id_masked", "sex", "birth_date", "created_at", *UPDATED)


def _encrypted(name: str, values: pl.Series, *, keys_checked: bool = False) -> pl.Series:
    """Each value encrypted (AES-GCM, a fresh random nonce per encryption). A value repeated in the
    file (a person on several rows of a list) is encrypted once and its token stored on each of its
    rows: the rows' keyed hashes already show they are the same number, and each token decrypts to
    it. `keys_checked`: the caller has just called ``ensure_write_keys`` (the check may read the
    database, which a COPY in progress occupies)."""
    return per_distinct(
        values.fill_null(""), lambda texts: encrypt_many(texts, keys_checked=keys_checked), name
    )


def _masked(name: str, values: pl.Series, mask: Callable[[str], str]) -> pl.Series:
    return per_distinct(values.fill_null(""), lambda texts: [mask(v) for v in texts], name)


def _person_rows(
    frame: pl.DataFrame, columns: tuple[str, ...], now: Any, *, keys_checked: bool = False
) -> Any:
    """Rows in `columns` order, the phone encrypted and masked, timestamps set."""
    frame = frame.with_columns(
        _encrypted("phone_encrypted", frame["phone"], keys_checked=keys_checked),
        _masked("phone_masked", frame["phone"], mask_phone),
        pl.Series("phone_hash", phone_indexes(frame["phone"].to_list()), dtype=pl.String),
        pl.col("fingerprint").alias("row_fingerprint"),
        updated_at=pl.lit(now),
    )
    return frame.select(columns)


def _persist_registry(accepted: pl.DataFrame, progress: Progress) -> tuple[int, int]:
    if accepted.is_empty():
        return 0, 0
    frame = accepted.select(
        pl.col("__id_hash").alias("id_hash"),
        pl.col("__person_id").alias("person_id"),
        pl.col("公民身份号码").alias("id_number"),
        pl.col("姓名").alias("name"),
        sex_expr("公民身份号码").alias("sex"),
        birth_date_expr("公民身份号码").alias("birth_date"),
        pl.coalesce(
            pl.col("残疾类别").replace_strict(k.CATEGORY_CODES, default=None, return_dtype=pl.Int64),
            pl.col("残疾类别").cast(pl.Int64, strict=False),
        ).alias("category"),
        pl.coalesce(
            pl.col("残疾等级").replace_strict(k.GRADE_CODES, default=None, return_dtype=pl.Int64),
            pl.col("残疾等级").cast(pl.Int64, strict=False),
        ).alias("grade"),
        parse_date("发证日期").alias("issue_date"),
        pl.col("户籍地区划代码").alias("region_id"),
        pl.col("户籍地区划代码").str.slice(0, 6).alias("county_code"),
        pl.when(pl.col("户籍地区划代码").str.len_chars() >= 9)
        .then(pl.col("户籍地区划代码").str.slice(0, 9))
        .otherwise(pl.lit(""))
        .alias("township_code"),
        pl.col("城乡类别").alias("urban_rural"),
        pl.col("户编号").alias("household_number"),
        pl.col("与户主关系").fill_null("").alias("relation"),
        pl.col("联系电话").fill_null("").alias("phone"),
        pl.col("证件状态").fill_null("正常").alias("status"),
        parse_date("状态变更日期").alias("status_date"),
    )
    frame = frame.with_columns(
        pl.concat_str(
            [
                pl.col(c).cast(pl.String).fill_null("")
                for c in frame.columns
                if c not in ("id_hash", "person_id")
            ],
            separator="\x1f",
        )
        .hash()
        .cast(pl.String)
        .alias("fingerprint")
    )
    _ensure_regions(frame["region_id"].unique().to_list())
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Dates as ISO text for the driver: the same value, without a Python adapter call per cell.
    frame = frame.with_columns(
        [pl.col(c).dt.to_string("%Y-%m-%d") for c in ("birth_date", "issue_date", "status_date")]
    )
    new = frame.filter(pl.col("person_id").is_null())
    existing = frame.filter(pl.col("person_id").is_not_null())
    created = updated = 0
    if not new.is_empty():
        progress(55, f"新增 {new.height} 人")
        new = new.with_columns(mask_id_numbers(new["id_number"]).alias("id_masked"), created_at=pl.lit(now))
        # Encrypted and hashed a slice at a time as the rows are written (PostgreSQL inserts the
        # slice before meanwhile); the keys are checked first, while the database is free.
        ensure_write_keys()
        created = insert_rows(
            "registry_person",
            INSERTED,
            new,
            complete=lambda part: _person_rows(
                part.with_columns(_encrypted("id_number_encrypted", part["id_number"], keys_checked=True)),
                INSERTED,
                now,
                keys_checked=True,
            ),
        )
    if not existing.is_empty():
        progress(80, f"核对已有 {existing.height} 人")
        current = dict(
            select_in(
                "SELECT id, row_fingerprint FROM registry_person WHERE id", existing["person_id"].to_list()
            )
        )
        changed = existing.filter(
            pl.col("fingerprint")
            != pl.col("person_id").replace_strict(current, default="", return_dtype=pl.String)
        )
        if not changed.is_empty():
            updated = update_rows(
                "registry_person", "id", UPDATED, _person_rows(changed, (*UPDATED, "person_id"), now)
            )
    return created, updated


# --- survey -------------------------------------------------------------------------------------


def _persist_survey(accepted: pl.DataFrame, batch: ImportBatch) -> tuple[int, int]:
    if accepted.is_empty():
        return 0, 0
    need = lambda c: (  # noqa: E731 - a need column: yes/no words, or a description of the need
        pl.when(pl.col(c).is_null())
        .then(None)
        .when(pl.col(c).is_in(["否", "N", "n", "0", "无", "没有", "不需要", "无需求"]))
        .then(False)
        .otherwise(True)
    )
    frame = accepted.select(
        pl.col("__person_id").alias("person_id"),
        parse_int("调查年度").alias("year"),
        parse_int("家庭人口数").alias("household_size"),
        parse_money("家庭人均年收入").alias("income"),
        parse_yes_no("需要长期照护").alias("long_term_care"),
        need("康复需求").alias("rehab_need"),
        need("辅具需求").alias("device_need"),
        need("无障碍改造需求").alias("renovation_need"),
        need("托养需求").alias("care_service_need"),
        pl.col("就业状况").fill_null("").alias("employment"),
    )
    values = list(SURVEY_VALUES)
    known = _existing_surveys(frame["person_id"].unique().to_list())
    joined = frame.join(known, on=["person_id", "year"], how="left", suffix="_old")
    new = joined.filter(pl.col("survey_id").is_null())
    differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}_old")) for c in values])
    changed = joined.filter(pl.col("survey_id").is_not_null() & differs)
    batch_column = pl.lit(batch.pk, dtype=pl.Int64).alias("batch_id")
    income_text = pl.col("income").round(2).cast(pl.String)  # exact decimal text for the driver
    # In (person, year) order, the order of the table's unique index: it then grows page after page.
    created = insert_rows(
        "registry_survey",
        ("person_id", "year", *values, "batch_id"),
        new.select("person_id", "year", *values, batch_column)
        .with_columns(income=income_text)
        .sort("person_id", "year"),
    )
    updated = update_rows(
        "registry_survey",
        "id",
        (*values, "batch_id"),
        changed.select(*values, batch_column, "survey_id").with_columns(income=income_text),
    )
    return created, updated


SURVEY_VALUES = (
    "household_size",
    "income",
    "long_term_care",
    "rehab_need",
    "device_need",
    "renovation_need",
    "care_service_need",
    "employment",
)


# Above this many persons in a survey file, every stored survey row is read at once.
SURVEYS_READ_WHOLE = 50_000


def _existing_surveys(person_ids: list[int]) -> pl.DataFrame:
    """The stored survey rows of these persons, to tell new rows from changed and unchanged ones."""
    flags = ("long_term_care", "rehab_need", "device_need", "renovation_need", "care_service_need")
    schema = {
        "survey_id": pl.Int64,
        "person_id": pl.Int64,
        "year": pl.Int64,
        "household_size": pl.Int64,
        "income": pl.Float64,
        **dict.fromkeys(flags, pl.Boolean),
        "employment": pl.String,
    }
    columns = ", ".join(
        sql_real(c) if c == "income" else sql_flag(c) if c in flags else c for c in SURVEY_VALUES
    )
    sql = f"SELECT id, person_id, year, {columns} FROM registry_survey"
    if len(person_ids) > SURVEYS_READ_WHOLE:
        # Most of the city: every stored row, read as a frame (COPY on PostgreSQL), not row by row.
        frame = fetch_frame(sql, [], schema)
    else:
        wire = {name: pl.Int8 if dtype == pl.Boolean else dtype for name, dtype in schema.items()}
        rows = select_in(f"{sql} WHERE person_id", person_ids)
        frame = pl.DataFrame(rows, schema=wire, orient="row").with_columns(pl.col(flags).cast(pl.Boolean))
    return frame.rename({c: f"{c}_old" for c in SURVEY_VALUES})


# --- departmental lists and services ------------------------------------------------------------

_EMPTY = pl.lit(None, dtype=pl.String)


# The ListRecord fields a list kind's columns fill (``Column.field`` in kinds.py), with the typed
# null a field gets when the kind has no column for it.
_LIST_FIELDS: dict[str, pl.Expr] = {
    "start_date": pl.lit(None, dtype=pl.Date),
    "end_date": pl.lit(None, dtype=pl.Date),
    "year": pl.lit(None, dtype=pl.Int64),
    "school_year": _EMPTY,
    "category": _EMPTY,
    "status": _EMPTY,
    "organisation": _EMPTY,
    "project": _EMPTY,
    "amount": pl.lit(None, dtype=pl.Float64),
}
_TEXT_FIELDS = ("school_year", "category", "status", "organisation", "project")


def _list_columns(kind: str) -> list[pl.Expr]:
    """Map a kind's columns onto ListRecord fields, as its KindSpec declares (``Column.field``)."""
    spec = k.KINDS[kind]
    values = dict(_LIST_FIELDS)
    for column in spec.columns:
        if column.field:
            values[column.field] = parsed(column)
    name = pl.col("姓名") if "姓名" in [c.name for c in spec.columns] else _EMPTY
    return [
        name.fill_null("").alias("name"),
        *[(values[f].fill_null("") if f in _TEXT_FIELDS else values[f]).alias(f) for f in _LIST_FIELDS],
    ]


FINGERPRINT_COLUMNS = (
    "id_hash",
    "name",
    "start_date",
    "end_date",
    "year",
    "school_year",
    "category",
    "status",
    "organisation",
    "project",
    "amount",
)


def record_fingerprints(frame: pl.DataFrame) -> pl.Series:
    """A stable digest of a record's stored values (service records: an identical one is stored once)."""
    import hashlib

    texts = frame.select(
        pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null("") for c in FINGERPRINT_COLUMNS], separator="\x1f"
        )
    ).to_series()
    return pl.Series(
        [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in texts], dtype=pl.String
    )


def _persist_list(kind: str, accepted: pl.DataFrame, batch: ImportBatch) -> tuple[int, int]:
    if accepted.is_empty():
        return 0, 0
    frame = accepted.select(
        pl.col("__row").alias("row_number"),
        pl.col("__id_hash").alias("id_hash"),
        pl.col("公民身份号码").alias("id_number"),
        pl.col("__person_id").is_not_null().alias("in_registry"),
        *_list_columns(kind),
    )
    frame = frame.with_columns(
        (record_fingerprints(frame) if kind == "services" else pl.lit("")).alias("fingerprint")
    )
    if kind == "services":
        # Service records accumulate across files: a record already stored is not stored twice.
        stored = [b for b in batch_ids(("services",)) if b != batch.pk]
        known: set[str] = set()
        if stored:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT fingerprint FROM exchange_listrecord"
                    f" WHERE batch_id IN ({', '.join(['%s'] * len(stored))})",
                    stored,
                )
                known = {f for (f,) in cursor.fetchall()}
        frame = frame.filter(~pl.col("fingerprint").is_in(list(known))).unique(
            "fingerprint", keep="first", maintain_order=True
        )
    frame = frame.with_columns(
        mask_id_numbers(frame["id_number"]).alias("id_masked"),
        pl.col("amount").round(2).cast(pl.String),  # exact decimal text for the driver
        batch_id=pl.lit(batch.pk, dtype=pl.Int64),
        kind=pl.lit(kind),
    )
    columns = (
        "batch_id",
        "kind",
        "row_number",
        "id_hash",
        "id_number_encrypted",
        "id_masked",
        "in_registry",
        "name",
        "start_date",
        "end_date",
        "year",
        "school_year",
        "category",
        "status",
        "organisation",
        "project",
        "amount",
        "fingerprint",
    )
    # The columnar copy (file order) is encoded in a thread of its own meanwhile: polars releases
    # the interpreter while it writes Parquet, as the driver does while the database inserts.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="columnar") as background:
        encoding = background.submit(columnar.encode, batch.pk, frame)
        # Written in the order of the keyed hash, which the table's index leads with (after the
        # batch): it then grows page after page instead of at random places, which on a million
        # persons was most of an import's time. Sorted on the hash's first 60 bits as a number,
        # a person's rows in file order (ten times faster than sorting the text; only the speed
        # depends on the order), and each slice taken while the database inserts the one before.
        order = (
            frame.select(
                pl.col("id_hash").str.slice(0, 15).str.to_integer(base=16, strict=False).alias("key")
            )
            .with_row_index("position")
            .sort("key", maintain_order=True)
            .get_column("position")
        )
        # The ID numbers are encrypted a slice at a time as it is written (in hash order a person's
        # rows are together, so each number is still encrypted about once); the keys are checked
        # first, as the check may read the database, which the copy occupies.
        ensure_write_keys()
        written = insert_rows(
            "exchange_listrecord",
            columns,
            frame,
            order=order,
            complete=lambda part: part.with_columns(
                _encrypted("id_number_encrypted", part["id_number"], keys_checked=True)
            ),
        )
        parts = encoding.result()
    columnar.save(batch.pk, parts)
    return written, 0


def today() -> dt.date:
    return timezone.localdate()


__all__ = ["parse_decimal", "persist", "person_ids_by_hash"]
