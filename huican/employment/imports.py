"""Writing the accepted rows of `employers`, `employer_staff` and `levy_standards` (EMPLOYMENT.md),
called in the import's transaction through ``exchange.writers.app_writers``.

`employers`: a row creates or replaces the declaration of its (统一社会信用代码, 统计年度); the persons
already declared stay until an `employer_staff` import names the employer and year again.
`employer_staff`: the rows of one employer and year are that employer's whole list of declared
persons for the year; they replace the persons declared before (a later declaration replaces the
earlier one). A file equal to what is stored changes nothing.
`levy_standards`: a row creates or replaces the parameters of its (区划代码, 统计年度); a blank optional
column is stored as null, read as its default.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import polars as pl

from huican.core.crypto import encrypt_many, mask_id_number
from huican.employment.models import Declaration, DeclaredPerson, LevyStandard
from huican.exchange.models import ImportBatch
from huican.exchange.parsing import parse_date, parse_int, parse_money, parse_yes_no
from huican.exchange.writers import money_decimal

DECLARATION_FIELDS = (
    "name",
    "unit_type",
    "staff",
    "average_wage",
    "region_code",
    "established_posts",
    "is_school",
)
STANDARD_FIELDS = ("social_average_wage", "ratio", "age_min", "age_max", "tiered", "small_exempt")


def accepted_declarations() -> set[str]:
    """ "统一社会信用代码|统计年度" of every stored declaration (an accepted `employers` row)."""
    return {f"{code}|{year}" for code, year in Declaration.objects.values_list("credit_code", "year")}


def persist_employers(accepted: pl.DataFrame, batch: ImportBatch) -> tuple[int, int]:
    if accepted.is_empty():
        return 0, 0
    frame = accepted.select(
        pl.col("统一社会信用代码").str.to_uppercase().alias("credit_code"),
        parse_int("统计年度").alias("year"),
        pl.col("单位名称").alias("name"),
        pl.col("单位类型").alias("unit_type"),
        pl.col("在职职工人数").alias("staff"),
        parse_money("在职职工年平均工资").alias("average_wage"),
        pl.col("区划代码").alias("region_code"),
        parse_int("编制数").alias("established_posts"),
        parse_yes_no("是否学校幼儿园").alias("is_school"),
    )
    rows = [
        {
            **r,
            "staff": Decimal(r["staff"]).quantize(Decimal("0.1")),
            "average_wage": money_decimal(r["average_wage"]),
        }
        for r in frame.iter_rows(named=True)
    ]
    return _upsert(Declaration, ("credit_code", "year"), DECLARATION_FIELDS, rows, batch)


def persist_levy_standards(accepted: pl.DataFrame, batch: ImportBatch) -> tuple[int, int]:
    if accepted.is_empty():
        return 0, 0
    frame = accepted.select(
        pl.col("区划代码").alias("region_code"),
        parse_int("统计年度").alias("year"),
        parse_money("社会平均工资").alias("social_average_wage"),
        pl.col("安排比例").alias("ratio"),
        parse_int("就业年龄下限").alias("age_min"),
        parse_int("就业年龄上限").alias("age_max"),
        parse_yes_no("分档减缴").alias("tiered"),
        parse_int("小微企业免征人数").alias("small_exempt"),
    )
    rows = [
        {
            **r,
            "social_average_wage": money_decimal(r["social_average_wage"]),
            "ratio": Decimal(r["ratio"]) if r["ratio"] else None,
        }
        for r in frame.iter_rows(named=True)
    ]
    return _upsert(LevyStandard, ("region_code", "year"), STANDARD_FIELDS, rows, batch)


def _upsert(
    model: Any, keys: tuple[str, str], fields: tuple[str, ...], rows: list[dict[str, Any]], batch: ImportBatch
) -> tuple[int, int]:
    years = {r["year"] for r in rows}
    current = {(getattr(obj, keys[0]), obj.year): obj for obj in model.objects.filter(year__in=years)}
    new, changed = [], []
    for r in rows:
        obj = current.get((r[keys[0]], r["year"]))
        if obj is None:
            new.append(model(**{k: r[k] for k in keys}, **{f: r[f] for f in fields}, batch=batch))
        elif any(getattr(obj, f) != r[f] for f in fields):
            for f in fields:
                setattr(obj, f, r[f])
            obj.batch = batch
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=2000)
    model.objects.bulk_update(changed, [*fields, "batch"], batch_size=2000)
    return len(new), len(changed)


def persist_employer_staff(accepted: pl.DataFrame, batch: ImportBatch) -> tuple[int, int]:
    if accepted.is_empty():
        return 0, 0
    frame = accepted.select(
        pl.col("统一社会信用代码").str.to_uppercase().alias("credit_code"),
        parse_int("统计年度").alias("year"),
        pl.col("__id_hash").alias("id_hash"),
        pl.col("公民身份号码").alias("id_number"),
        pl.col("姓名").alias("name"),
        parse_date("劳动合同起始日期").alias("contract_start"),
        parse_date("劳动合同终止日期").alias("contract_end"),
    )
    by_declaration: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in frame.iter_rows(named=True):
        by_declaration[(r["credit_code"], r["year"])].append(r)
    return replace_persons(by_declaration)


def replace_persons(by_declaration: dict[tuple[str, int], list[dict[str, Any]]]) -> tuple[int, int]:
    """Make each declaration's persons exactly the given rows (id_hash, id_number, name,
    contract_start, contract_end); declarations whose persons are already these are untouched.
    Returns (persons written, declarations whose earlier persons were replaced)."""
    years = {year for _, year in by_declaration}
    declarations = {
        (d.credit_code, d.year): d.pk
        for d in Declaration.objects.filter(year__in=years).only("id", "credit_code", "year")
    }
    wanted = {declarations[key]: rows for key, rows in by_declaration.items()}
    stored: dict[int, set[tuple[Any, ...]]] = defaultdict(set)
    for values in DeclaredPerson.objects.filter(declaration_id__in=list(wanted)).values_list(
        "declaration_id", "id_hash", "name", "contract_start", "contract_end"
    ):
        stored[values[0]].add(values[1:])
    changed = [
        pk
        for pk, rows in wanted.items()
        if stored.get(pk, set())
        != {(r["id_hash"], r["name"], r["contract_start"], r["contract_end"]) for r in rows}
    ]
    replaced = sum(1 for pk in changed if stored.get(pk))
    DeclaredPerson.objects.filter(declaration_id__in=changed).delete()
    rows = [(pk, r) for pk in changed for r in wanted[pk]]
    encrypted = encrypt_many(r["id_number"] for _, r in rows)
    DeclaredPerson.objects.bulk_create(
        [
            DeclaredPerson(
                declaration_id=pk,
                id_hash=r["id_hash"],
                id_number_encrypted=token,
                id_masked=mask_id_number(r["id_number"]),
                name=r["name"],
                contract_start=r["contract_start"],
                contract_end=r["contract_end"],
            )
            for (pk, r), token in zip(rows, encrypted, strict=True)
        ],
        batch_size=2000,
    )
    return len(rows), replaced


WRITERS = {
    "employers": persist_employers,
    "employer_staff": persist_employer_staff,
    "levy_standards": persist_levy_standards,
}
