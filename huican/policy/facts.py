"""The facts the rules read, loaded once per date as polars frames.

``load_facts`` reads the registry, the surveys, the departmental lists in force, the standards and
the subsidy roll with plain SQL (no model instances), so that it stays fast at a million persons and
works the same on SQLite and PostgreSQL. Everything downstream (rules, findings, indicators) is
set-based over these frames.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from huican.core import copies
from huican.core.crypto import decrypt_many
from huican.core.frames import fetch_frame as _fetch
from huican.core.frames import sql_date as _date
from huican.core.frames import sql_flag as _flag
from huican.core.frames import sql_real as _real
from huican.core.hooks import Hook
from huican.exchange import columnar
from huican.exchange.kinds import STANDARD_FIELDS
from huican.exchange.models import ListRecord
from huican.exchange.snapshots import LIST_KINDS, batches_in_force
from huican.policy.models import Standard
from huican.regions.divisions import CITY_CODE
from huican.registry.models import Person, Survey

PERSON_SCHEMA: dict[str, Any] = {
    "person_id": pl.Int64,
    "id_hash": pl.String,
    "name": pl.String,
    "sex": pl.String,
    "birth_date": pl.Date,
    "category": pl.Int8,
    "grade": pl.Int8,
    "issue_date": pl.Date,
    "region_code": pl.String,
    "county_code": pl.String,
    "township_code": pl.String,
    "urban_rural": pl.String,
    "household_number": pl.String,
    "status": pl.String,
    "status_date": pl.Date,
}
SURVEY_SCHEMA: dict[str, Any] = {
    "person_id": pl.Int64,
    "year": pl.Int32,
    "household_size": pl.Int32,
    "income": pl.Float64,
    "long_term_care": pl.Boolean,
    "rehab_need": pl.Boolean,
    "device_need": pl.Boolean,
    "renovation_need": pl.Boolean,
    "care_service_need": pl.Boolean,
    "employment": pl.String,
}
# A list row: the fact columns of its columnar copy, with the person it belongs to (if any).
LIST_SCHEMA: dict[str, Any] = {
    "id_hash": pl.String,
    "person_id": pl.Int64,
    **{name: dtype for name, dtype in columnar.SCHEMA.items() if name != "id_hash"},
}
_STANDARD_DTYPES: dict[str, Any] = {
    "money": pl.Float64,
    "decimal": pl.Float64,
    "switch": pl.Boolean,
    "age": pl.Int32,
}
STANDARD_SCHEMA: dict[str, Any] = {
    "region_code": pl.String,
    "effective_date": pl.Date,
    **{f.name: _STANDARD_DTYPES[f.kind] for f in STANDARD_FIELDS},
}
RECEIVING_SCHEMA: dict[str, Any] = {
    "person_id": pl.Int64,
    "id_hash": pl.String,
    "benefit": pl.String,
    "start_month": pl.Date,
    "end_month": pl.Date,
    "monthly_amount": pl.Float64,
    # 审定日期 of an entitlement from an approved application: receiving only from that day on
    # (RULES.md "receiving"); null for the imported roll.
    "effective_from": pl.Date,
}
# The entitlements granted by approved applications (the benefits app provides them, in
# RECEIVING_SCHEMA): called with SQL conditions on the person table aliased ``p``.
granted_entitlements = Hook("policy.granted_entitlements")
# Service records entered in the system (the care app provides them): called with SQL conditions on
# the person table aliased ``p``; rows in LIST_SCHEMA plus the person's household_number. They join
# the imported `services` rows in ``Facts.lists["services"]`` (``with_recorded_services``).
recorded_services = Hook("policy.recorded_services")
RECORDED_SCHEMA: dict[str, Any] = {**LIST_SCHEMA, "household_number": pl.String}
SERVICE_KEY = ["person_id", "category", "start_date"]
RENOVATION_SCHEMA: dict[str, Any] = {
    "household_number": pl.String,
    "person_id": pl.Int64,
    "service_date": pl.Date,
}
SUBSIDY_TYPES = {"生活补贴": "living_subsidy", "护理补贴": "nursing_subsidy"}
RENOVATION = "无障碍改造"
COMPLETED = ("完成", "")


@dataclass(frozen=True)
class Facts:
    """Everything the rules need on one date, for one population (see ``load_facts``)."""

    on: dt.date
    persons: pl.DataFrame
    surveys: pl.DataFrame
    lists: dict[str, pl.DataFrame]
    standards: pl.DataFrame
    receiving: pl.DataFrame
    # Completed 无障碍改造 services (结果 完成 or blank) of ANY registry person whose household is
    # one of the kept persons' households, whatever the filter: the home_renovation exclusion looks
    # at the whole household, which may reach outside the region or the explained person.
    renovations: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=RENOVATION_SCHEMA))
    # The list batches read (kind → batch ids): the snapshots in force on `on`
    # (huican.exchange.snapshots). Frames for another date may be reused only with the same batches.
    batches: dict[str, list[int]] = field(default_factory=dict)


def expiry_expr(issue: pl.Expr) -> pl.Expr:
    """Issue date + 10 years, same month and day; 29 February → 1 March (huican.core.dates.add_years)."""
    leap_day = (issue.dt.month() == 2) & (issue.dt.day() == 29)
    return pl.date(
        issue.dt.year() + 10,
        pl.when(leap_day).then(pl.lit(3)).otherwise(issue.dt.month()),
        pl.when(leap_day).then(pl.lit(1)).otherwise(issue.dt.day()),
    )


def _person_filter(alias: str, region: str | None, person_ids: list[int] | None) -> tuple[str, list[Any]]:
    """SQL conditions on the person table aliased `alias` (empty string when none)."""
    clauses: list[str] = []
    params: list[Any] = []
    if region and region != CITY_CODE:
        clauses.append(f"{alias}.region_id LIKE %s")
        params.append(region + "%")
    if person_ids is not None:
        if not person_ids:
            clauses.append("1 = 0")
        else:
            clauses.append(f"{alias}.id IN ({', '.join(['%s'] * len(person_ids))})")
            params.extend(int(p) for p in person_ids)
    return " AND ".join(clauses), params


def load_facts(*, on: dt.date, region: str | None = None, person_ids: list[int] | None = None) -> Facts:
    """Load the facts for date `on`.

    `region` (a 6/9/12-digit code, or the city code 140900 for everyone) keeps the persons whose
    household-registration code starts with it; `person_ids` keeps only those persons (used to
    explain one decision). Survey, list and roll rows are kept for the persons kept; list rows of
    people not in the registry are kept only when no filter is given.

    The city and any region are read from columnar copies (tables: ``huican.core.copies``; list
    batches: ``huican.exchange.columnar``) and filtered in polars; a few persons are read by query.
    Both ways give the same frames (tests compare them). The departmental lists are the snapshots
    in force on `on` (``huican.exchange.snapshots.batches_in_force``), recorded in ``Facts.batches``.
    """
    if person_ids is not None:
        return load_facts_by_query(on=on, region=region, person_ids=person_ids)
    batches = batches_in_force(on)
    everyone = copies.read_or_fetch(Person._meta.db_table, all_persons)
    surveys = copies.read_or_fetch(Survey._meta.db_table, all_surveys)
    lists = _lists_from_copies(everyone, batches)
    lists["services"] = with_recorded_services(lists["services"], _recorded("1 = 1", []))
    renovations = _renovations_of(lists["services"], everyone)
    persons = everyone
    if region and region != CITY_CODE:
        persons = everyone.filter(pl.col("region_code").str.starts_with(region))
        kept = persons.select("person_id")
        surveys = surveys.join(kept, on="person_id", how="semi")
        lists = {kind: frame.join(kept, on="person_id", how="semi") for kind, frame in lists.items()}
        # The renovation exclusion looks at whole households, which may reach outside the region.
        renovations = renovations.join(persons.select("household_number"), on="household_number", how="semi")
    cond, cond_params = _person_filter("p", region, None)
    return Facts(
        on=on,
        persons=persons.with_columns(expiry_date=expiry_expr(pl.col("issue_date"))),
        surveys=surveys,
        lists=lists,
        standards=_standards(),
        receiving=_load_receiving(lists["subsidy_recipients"], f"WHERE {cond}" if cond else "", cond_params),
        renovations=renovations,
        batches=batches,
    )


def redated(facts: Facts, on: dt.date, *, region: str | None = None) -> Facts:
    """`facts` for date `on`: the same frames when the same list batches are in force on `on` (the
    rules filter every row by date), otherwise the facts of `region` loaded anew for `on`."""
    if batches_in_force(on) == facts.batches:
        return replace(facts, on=on)
    return load_facts(on=on, region=region)


def load_facts_by_query(
    *, on: dt.date, region: str | None = None, person_ids: list[int] | None = None
) -> Facts:
    """`load_facts` through SQL conditions: for a few persons (the database picks their rows by index)."""
    person = Person._meta.db_table
    cond, cond_params = _person_filter("p", region, person_ids)
    where = f"WHERE {cond}" if cond else ""
    persons = _persons(where, cond_params).with_columns(expiry_date=expiry_expr(pl.col("issue_date")))
    surveys = _surveys(f"JOIN {person} p ON p.id = s.person_id {where}", cond_params)
    batches = batches_in_force(on)
    lists = _lists_by_query(batches, cond or "1 = 1", cond_params)
    lists["services"] = with_recorded_services(lists["services"], _recorded(cond or "1 = 1", cond_params))
    renovations = _load_renovations(batches["services"], person, cond, cond_params)
    if recorded_services.provided:
        households = (
            f"p.household_number IN (SELECT p.household_number FROM {person} p WHERE {cond})"
            if cond
            else "1 = 1"
        )
        renovations = pl.concat([renovations, _recorded_renovations(_recorded(households, cond_params))])
    return Facts(
        on=on,
        persons=persons,
        surveys=surveys,
        lists=lists,
        standards=_standards(),
        receiving=_load_receiving(lists["subsidy_recipients"], where, cond_params),
        renovations=renovations,
        batches=batches,
    )


def _standards() -> pl.DataFrame:
    values = ", ".join(_real(f.name) if f.kind in ("money", "decimal") else f.name for f in STANDARD_FIELDS)
    return _fetch(
        f"SELECT region_code, {_date('effective_date')}, {values}"
        f" FROM {Standard._meta.db_table} ORDER BY region_code, effective_date",
        [],
        STANDARD_SCHEMA,
    )


def _persons(where: str, params: list[Any]) -> pl.DataFrame:
    return _fetch(
        f"SELECT p.id, p.id_hash, p.name, p.sex, {_date('p.birth_date')}, p.category, p.grade,"
        f" {_date('p.issue_date')},"
        f" p.region_id, p.county_code, p.township_code, p.urban_rural, p.household_number,"
        f" p.status, {_date('p.status_date')} FROM {Person._meta.db_table} p {where} ORDER BY p.id",
        params,
        PERSON_SCHEMA,
    )


def _surveys(join: str, params: list[Any]) -> pl.DataFrame:
    flags = ", ".join(
        _flag(f"s.{c}")
        for c in ("long_term_care", "rehab_need", "device_need", "renovation_need", "care_service_need")
    )
    return _fetch(
        f"SELECT s.person_id, s.year, s.household_size, {_real('s.income')}, {flags}, s.employment"
        f" FROM {Survey._meta.db_table} s {join}",
        params,
        SURVEY_SCHEMA,
    )


def all_persons() -> pl.DataFrame:
    """Every registry person (the columns the rules read)."""
    return _persons("", [])


def all_surveys() -> pl.DataFrame:
    """Every survey row; no join: every survey row belongs to a person."""
    return _surveys("", [])


def refresh_registry_copies(kind: str) -> None:
    """After an import of `kind` (in its transaction): refresh the copy of the table it wrote."""
    if kind == "registry":
        copies.refresh(Person._meta.db_table, all_persons)
    elif kind == "survey":
        copies.refresh(Survey._meta.db_table, all_surveys)


def _lists_from_copies(persons: pl.DataFrame, batches: dict[str, list[int]]) -> dict[str, pl.DataFrame]:
    """Every list row of `batches`, each kind from its batches' columnar copies, with person ids
    attached in polars (a hash join instead of an index look-up per row for tens of millions of rows)."""
    ids = persons.select("id_hash", pl.col("person_id").cast(LIST_SCHEMA["person_id"]))
    return {
        kind: columnar.read(batches[kind]).join(ids, on="id_hash", how="left").select(list(LIST_SCHEMA))
        if batches.get(kind)
        else pl.DataFrame(schema=LIST_SCHEMA)
        for kind in LIST_KINDS
    }


def _lists_by_query(
    batches: dict[str, list[int]], cond: str, cond_params: list[Any]
) -> dict[str, pl.DataFrame]:
    """The list rows of `batches` of the persons matching `cond` (on the person table aliased p)."""
    batch_kind = {batch_id: kind for kind in LIST_KINDS for batch_id in batches.get(kind, [])}
    empty = pl.DataFrame(schema=LIST_SCHEMA)
    if not batch_kind:
        return {kind: empty for kind in LIST_KINDS}
    frame = _fetch(
        f"SELECT lr.id_hash, p.id, lr.name, {_date('lr.start_date')}, {_date('lr.end_date')}, lr.year,"
        f" lr.school_year, lr.category, lr.status, lr.organisation, lr.project, {_real('lr.amount')},"
        f" lr.row_number, lr.batch_id FROM {ListRecord._meta.db_table} lr"
        f" JOIN {Person._meta.db_table} p ON p.id_hash = lr.id_hash"
        f" WHERE lr.batch_id IN ({', '.join(['%s'] * len(batch_kind))}) AND {cond}",
        [*batch_kind, *cond_params],
        LIST_SCHEMA,
    )
    kinds = pl.DataFrame(
        {"batch_id": list(batch_kind), "kind": list(batch_kind.values())},
        schema={"batch_id": pl.Int64, "kind": pl.String},
    )
    parts = frame.join(kinds, on="batch_id", how="left").partition_by("kind", as_dict=True, include_key=False)
    return {kind: parts.get((kind,), empty) for kind in LIST_KINDS}


def _load_receiving(recipients: pl.DataFrame, where: str, cond_params: list[Any]) -> pl.DataFrame:
    from_roll = recipients.filter(pl.col("category").is_in(list(SUBSIDY_TYPES))).select(
        "person_id",
        "id_hash",
        benefit=pl.col("category").replace_strict(SUBSIDY_TYPES, return_dtype=pl.String),
        start_month=pl.col("start_date").dt.month_start(),
        end_month=pl.col("end_date").dt.month_start(),
        monthly_amount="amount",
        effective_from=pl.lit(None, dtype=pl.Date),
    )
    granted = granted_entitlements(where, cond_params) if granted_entitlements.provided else None
    if granted is None:
        granted = pl.DataFrame(schema=RECEIVING_SCHEMA)
    return pl.concat([from_roll.cast(RECEIVING_SCHEMA), granted], how="vertical")  # type: ignore[arg-type]


def _recorded(where: str, params: list[Any]) -> pl.DataFrame:
    """The recorded services of the persons matching `where` (RECORDED_SCHEMA; empty when no app provides them)."""
    frame = recorded_services(where, params) if recorded_services.provided else None
    return pl.DataFrame(schema=RECORDED_SCHEMA) if frame is None else frame


def with_recorded_services(imported: pl.DataFrame, recorded: pl.DataFrame) -> pl.DataFrame:
    """The imported `services` rows and the recorded ones, each service counted once.

    A recorded row of the same person, 服务类型 and 服务日期 as an imported row (or an earlier recorded
    one) is the same service entered twice: the imported row is kept and the recorded one dropped.
    """
    if recorded.is_empty():
        return imported
    known = imported.filter(pl.col("person_id").is_not_null()).select(SERVICE_KEY).unique()
    extra = (
        recorded.unique(subset=SERVICE_KEY, keep="first", maintain_order=True)
        .join(known, on=SERVICE_KEY, how="anti")
        .select(list(LIST_SCHEMA))
        .cast(LIST_SCHEMA)  # type: ignore[arg-type]
    )
    return pl.concat([imported, extra], how="vertical")


def _recorded_renovations(recorded: pl.DataFrame) -> pl.DataFrame:
    """The completed 无障碍改造 among recorded services (RENOVATION_SCHEMA)."""
    done = recorded.filter(
        (pl.col("category") == RENOVATION) & (pl.col("status").is_null() | pl.col("status").is_in(COMPLETED))
    )
    return done.select("household_number", "person_id", service_date="start_date").cast(RENOVATION_SCHEMA)  # type: ignore[arg-type]


def _renovations_of(services: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """`_load_renovations` for everyone, from the service records already loaded."""
    done = services.filter(
        (pl.col("category") == RENOVATION) & (pl.col("status").is_null() | pl.col("status").is_in(COMPLETED))
    )
    return (
        done.select("id_hash", service_date="start_date")
        .join(persons.select("id_hash", "household_number", "person_id"), on="id_hash", how="inner")
        .select(list(RENOVATION_SCHEMA))
        .cast(RENOVATION_SCHEMA)  # type: ignore[arg-type]
    )


def _load_renovations(batches: list[int], person: str, cond: str, cond_params: list[Any]) -> pl.DataFrame:
    if not batches:
        return pl.DataFrame(schema=RENOVATION_SCHEMA)
    marks = ", ".join(["%s"] * len(batches))
    households = ""
    if cond:
        households = f" AND p.household_number IN (SELECT p.household_number FROM {person} p WHERE {cond})"
    return _fetch(
        f"SELECT p.household_number, p.id, {_date('lr.start_date')} FROM {ListRecord._meta.db_table} lr"
        f" JOIN {person} p ON p.id_hash = lr.id_hash"
        f" WHERE lr.batch_id IN ({marks}) AND lr.category = %s"
        f" AND (lr.status IS NULL OR lr.status IN (%s, %s)){households}",
        [*batches, RENOVATION, *COMPLETED, *cond_params],
        RENOVATION_SCHEMA,
    )


def person_id_numbers(person_ids: Iterable[int] | pl.Series) -> pl.DataFrame:
    """Full ID numbers (decrypted in bulk) for output: columns person_id, id_number."""
    wanted = pl.Series("person_id", list(person_ids), dtype=pl.Int64).unique()
    schema = {"person_id": pl.Int64, "encrypted": pl.String}
    table = Person._meta.db_table
    if wanted.len() == 0:
        return pl.DataFrame(schema={"person_id": pl.Int64, "id_number": pl.String})
    if wanted.len() <= 500:
        marks = ", ".join(["%s"] * wanted.len())
        rows = _fetch(
            f"SELECT id, id_number_encrypted FROM {table} WHERE id IN ({marks})", wanted.to_list(), schema
        )
    else:
        rows = _fetch(f"SELECT id, id_number_encrypted FROM {table}", [], schema)
        rows = rows.filter(pl.col("person_id").is_in(wanted.implode()))
    numbers = decrypt_many(rows["encrypted"].to_list())
    return rows.select("person_id").with_columns(id_number=pl.Series(numbers, dtype=pl.String))
