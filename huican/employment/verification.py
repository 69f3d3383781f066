"""Verification of declared persons and the fund due per employer (EMPLOYMENT.md), set-wise.

`levy(year=Y)` reads every declaration for Y, checks each declared person against the facts the
rules read (``huican.policy.facts``: the registry with certificates, the `deaths` and `pension`
lists) in one polars pass, then computes each employer's figures with exact fractions; money is
rounded half-up to 0.01 only at the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl
from django.utils import timezone

from huican.core.crypto import decrypt_many
from huican.core.frames import fetch_frame
from huican.core.frames import sql_date as _date
from huican.employment.models import Declaration, DeclaredPerson, LevyStandard
from huican.exchange.writers import person_ids_by_hash
from huican.policy.facts import Facts, load_facts
from huican.policy.vocabulary import valid_certificate_at
from huican.regions.divisions import CITY_CODE

# Reason codes in the order EMPLOYMENT.md lists them, with their Chinese labels.
REASONS: dict[str, str] = {
    "not_in_registry": "不在残疾人名册中",
    "not_in_year": "劳动合同在本年度内没有一天有效",
    "no_valid_certificate": "本年度最后合同日没有有效残疾人证",
    "outside_working_age": "年末年龄不在就业年龄范围内",
    "contract_too_short": "劳动合同期限不足一年",
    "no_employee_insurance": "本年度没有职工养老保险参保缴费记录",
    "declared_twice": "另一单位同年度也申报了此人",
}
STATUSES: dict[str, str] = {
    "exempt": "小微企业免征",
    "met": "已达到安排比例",
    "reduced_50": "按 50% 分档减缴",
    "reduced_90": "按 90% 分档减缴",
    "full": "全额缴纳",
}
UNIT_TYPES_PUBLIC = {"机关": 50, "事业单位": 67}  # 专栏4: established posts from which a body must lead


@dataclass(frozen=True)
class Parameters:
    """The `levy_standards` of an employer for Y (blank columns: EMPLOYMENT.md's defaults)."""

    social_average_wage: Decimal | None
    ratio: Decimal
    age_min: int
    age_max: int
    tiered: bool
    small_exempt: int


def default_tiered(year: int) -> bool:
    return 2020 <= year <= 2027


def parameters_for(year: int) -> dict[str, Parameters]:
    """Region code (a county or the city) → its parameters for `year`; a county without a row of its
    own uses the city's row (`parameters_of`)."""
    found: dict[str, Parameters] = {}
    for row in LevyStandard.objects.filter(year=year):
        found[row.region_code] = Parameters(
            social_average_wage=row.social_average_wage,
            ratio=row.ratio if row.ratio is not None else Decimal("0.015"),
            age_min=row.age_min if row.age_min is not None else 16,
            age_max=row.age_max if row.age_max is not None else 59,
            tiered=row.tiered if row.tiered is not None else default_tiered(year),
            small_exempt=row.small_exempt if row.small_exempt is not None else 30,
        )
    return found


def parameters_of(region_code: str, year: int, table: dict[str, Parameters]) -> Parameters:
    """The county's row, else the city's, else the defaults with no wage cap (docs/decisions.md)."""
    found = table.get(region_code) or table.get(CITY_CODE)
    if found is not None:
        return found
    return Parameters(None, Decimal("0.015"), 16, 59, default_tiered(year), 30)


DECLARATION_SCHEMA: dict[str, Any] = {
    "declaration_id": pl.Int64,
    "credit_code": pl.String,
    "name": pl.String,
    "region_code": pl.String,
    "unit_type": pl.String,
    "staff": pl.String,
    "average_wage": pl.String,
    "established_posts": pl.Int64,
    "is_school": pl.Boolean,
}
DECLARED_SCHEMA: dict[str, Any] = {
    "declared_id": pl.Int64,
    "declaration_id": pl.Int64,
    "id_hash": pl.String,
    "id_number_encrypted": pl.String,
    "contract_start": pl.Date,
    "contract_end": pl.Date,
}


def _declarations(year: int) -> pl.DataFrame:
    table = Declaration._meta.db_table
    return fetch_frame(
        f"SELECT id, credit_code, name, region_code, unit_type, CAST(staff AS TEXT),"
        f" CAST(average_wage AS TEXT), established_posts, is_school FROM {table} WHERE year = %s"
        " ORDER BY region_code, credit_code",
        [year],
        DECLARATION_SCHEMA,
    )


def _declared(year: int) -> pl.DataFrame:
    person = DeclaredPerson._meta.db_table
    declaration = Declaration._meta.db_table
    return fetch_frame(
        f"SELECT dp.id, dp.declaration_id, dp.id_hash, dp.id_number_encrypted,"
        f" {_date('dp.contract_start')}, {_date('dp.contract_end')}"
        f" FROM {person} dp JOIN {declaration} d ON d.id = dp.declaration_id WHERE d.year = %s"
        " ORDER BY dp.id",
        [year],
        DECLARED_SCHEMA,
    )


# At most this many declared persons are read by query (each is a bound parameter: SQLite allows
# 32,766 in a statement); more are read with the whole registry.
BY_QUERY_MAX = 20_000


def facts_for(year: int, id_hashes: list[str] | None = None) -> Facts:
    """The facts read for Y: the registry, and the lists in force on 31 December Y or, verified
    later, today (the pension list for Y arrives in Y+1; docs/decisions.md). With `id_hashes`, the
    facts of those persons only (read by query: a page showing one declaration)."""
    on = max(timezone.localdate(), dt.date(year, 12, 31))
    if id_hashes is None:
        return load_facts(on=on)
    return load_facts(on=on, person_ids=sorted(person_ids_by_hash(set(id_hashes)).values()))


def verify_persons(
    declared: pl.DataFrame,
    facts: Facts,
    year: int,
    ages: pl.DataFrame,
    *,
    declaration_ids: list[int] | None = None,
) -> pl.DataFrame:
    """One row per declared person: `reasons` (list of codes), `counted`, `weight`, `months`.

    `declared` holds every person declared for `year` (`declared_twice` looks at all of them);
    `declaration_ids` keeps the rows of those declarations only. `ages` gives each declaration's
    working-age bounds (declaration_id, age_min, age_max)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    persons = facts.persons.select(
        "id_hash", "person_id", "birth_date", "grade", "issue_date", "status", "status_date", "expiry_date"
    )
    deaths = (
        facts.lists["deaths"]
        .filter(pl.col("person_id").is_not_null())
        .group_by("person_id")
        .agg(listed_death=pl.col("start_date").min())
    )
    pension = facts.lists["pension"]
    insured = (
        pension.filter(
            (pl.col("year") == year)
            & (pl.col("category") == "职工")
            & (pl.col("status").is_null() | pl.col("status").is_in(["参保缴费", ""]))
        )
        .select("id_hash")
        .unique()
        .with_columns(insured=pl.lit(True))
    )
    twice = (
        declared.group_by("id_hash")
        .agg(pl.col("declaration_id").n_unique().alias("declarers"))
        .filter(pl.col("declarers") > 1)
        .select("id_hash", twice=pl.lit(True))
    )
    if declaration_ids is not None:
        declared = declared.filter(pl.col("declaration_id").is_in(declaration_ids))
    start, end = pl.col("contract_start"), pl.col("contract_end")
    in_year = (start <= pl.lit(last)) & (end.is_null() | (end >= pl.lit(first)))
    frame = (
        declared.lazy()
        .join(persons.lazy(), on="id_hash", how="left", maintain_order="left")
        .join(deaths.lazy(), on="person_id", how="left", maintain_order="left")
        .join(insured.lazy(), on="id_hash", how="left", maintain_order="left")
        .join(twice.lazy(), on="id_hash", how="left", maintain_order="left")
        .join(ages.lazy(), on="declaration_id", how="left", maintain_order="left")
        .with_columns(
            in_registry=pl.col("person_id").is_not_null(),
            in_year=in_year,
            certificate_day=pl.when(in_year)
            .then(pl.min_horizontal(end.fill_null(pl.lit(last)), pl.lit(last)))
            .otherwise(pl.lit(last)),
            age=(pl.lit(year) - pl.col("birth_date").dt.year()).cast(pl.Int32),  # age on 31 December
            one_year_less_a_day=_plus_one_year(start).dt.offset_by("-1d"),
        )
        .with_columns(valid=valid_certificate_at(pl.col("certificate_day")))
    )
    checks = {
        "not_in_year": ~pl.col("in_year"),
        "no_valid_certificate": ~pl.col("valid").fill_null(False),
        "outside_working_age": (pl.col("age") < pl.col("age_min")) | (pl.col("age") > pl.col("age_max")),
        "contract_too_short": end.is_not_null() & (end < pl.col("one_year_less_a_day")),
        "no_employee_insurance": pl.col("insured").is_null(),
        "declared_twice": pl.col("twice").fill_null(False),
    }
    reasons = (
        pl.when(~pl.col("in_registry"))
        .then(pl.lit(["not_in_registry"]))
        .otherwise(
            pl.concat_list(
                [
                    pl.when(expr.fill_null(False))
                    .then(pl.lit([code]))
                    .otherwise(pl.lit([], dtype=pl.List(pl.String)))
                    for code, expr in checks.items()
                ]
            )
        )
    )
    first_month = pl.max_horizontal(start, pl.lit(first)).dt.month()
    last_month = pl.min_horizontal(end.fill_null(pl.lit(last)), pl.lit(last)).dt.month()
    return (
        frame.with_columns(reasons=reasons)
        .with_columns(
            counted=pl.col("reasons").list.len() == 0,
            weight=pl.when(pl.col("grade").is_in([1, 2])).then(2).otherwise(1).cast(pl.Int64),
            months=pl.when(pl.col("in_year"))
            .then(last_month.cast(pl.Int64) - first_month.cast(pl.Int64) + 1)
            .otherwise(0)
            .cast(pl.Int64),
        )
        .select(
            "declared_id",
            "declaration_id",
            "id_hash",
            "id_number_encrypted",
            "reasons",
            "counted",
            "weight",
            "months",
        )
        .collect()
    )


def _plus_one_year(day: pl.Expr) -> pl.Expr:
    """One year later, same month and day; 29 February → 1 March (as for certificates)."""
    leap_day = (day.dt.month() == 2) & (day.dt.day() == 29)
    return pl.date(
        day.dt.year() + 1,
        pl.when(leap_day).then(pl.lit(3)).otherwise(day.dt.month()),
        pl.when(leap_day).then(pl.lit(1)).otherwise(day.dt.day()),
    )


def _half_up(value: Fraction, places: int) -> Decimal:
    """A non-negative-or-negative exact value rounded half-up (away from zero) to `places` decimals."""
    scale = 10**places
    scaled = abs(value) * scale
    whole = int(scaled + Fraction(1, 2))
    sign = -1 if value < 0 else 1
    return (Decimal(sign * whole) / Decimal(scale)).quantize(Decimal(1).scaleb(-places))


@dataclass(frozen=True)
class Due:
    required: Fraction
    arranged: Fraction
    ratio: Fraction  # actual ratio A / N (0 when N is 0)
    base_wage: Decimal
    status: str
    due: Decimal


def compute_due(
    *, unit_type: str, staff: Decimal, average_wage: Decimal, arranged_twelfths: int, parameters: Parameters
) -> Due:
    """EMPLOYMENT.md "What is due" for one employer; `arranged_twelfths` = 12 × A (Σ weight × months)."""
    n = Fraction(staff)
    required = n * Fraction(parameters.ratio)
    arranged = Fraction(arranged_twelfths, 12)
    ratio = arranged / n if n else Fraction(0)
    wage = Fraction(average_wage)
    if parameters.social_average_wage is not None:
        wage = min(wage, 2 * Fraction(parameters.social_average_wage))
    base_wage = _half_up(wage, 2)
    if unit_type == "企业" and n <= parameters.small_exempt:
        status, due = "exempt", Fraction(0)
    elif arranged >= required:
        status, due = "met", Fraction(0)
    else:
        gross = (required - arranged) * wage
        if not parameters.tiered:
            status, due = "full", gross
        elif ratio >= Fraction(1, 100):
            status, due = "reduced_50", gross * Fraction(1, 2)
        else:
            status, due = "reduced_90", gross * Fraction(9, 10)
    return Due(required, arranged, ratio, base_wage, status, _half_up(due, 2))


def is_public_below_quota(
    *, unit_type: str, established_posts: int | None, is_school: bool | None, due: Due
) -> bool:
    """专栏4: a 党政机关 with ≥ 50 established posts, or a 事业单位 (not a school or kindergarten) with
    ≥ 67, that employs nobody counted (A = 0) while below the required number (A < R)."""
    threshold = UNIT_TYPES_PUBLIC.get(unit_type)
    if threshold is None or established_posts is None or established_posts < threshold:
        return False
    if unit_type == "事业单位" and is_school:
        return False
    return due.arranged == 0 and due.arranged < due.required


def levy(
    *,
    year: int,
    region: str | None = None,
    with_ids: bool = True,
    declaration_ids: list[int] | None = None,
) -> list[dict[str, Any]]:
    """EMPLOYMENT.md's `huican levy` elements, one per employer with a declaration for `year`
    (ordered by region and code); `region` keeps the employers registered in it, `declaration_ids`
    those declarations. `declared_twice` looks at every employer's declarations, whatever the
    region. Each element also carries keys starting with `_` for the pages (`public` drops them)."""
    declarations = _declarations(year)
    declared = _declared(year)
    if declaration_ids is not None:
        declarations = declarations.filter(pl.col("declaration_id").is_in(declaration_ids))
    table = parameters_for(year)
    params = {
        code: parameters_of(code, year, table) for code in declarations["region_code"].unique().to_list()
    }
    shown = declarations
    if declaration_ids is None and region and region != CITY_CODE:
        shown = declarations.filter(pl.col("region_code").str.starts_with(region))
    mine = declared.join(shown.select("declaration_id"), on="declaration_id", how="semi")
    hashes = mine["id_hash"].unique().to_list()
    # The persons of the employers shown, read by query while they are few (a declaration, a
    # county); the whole registry from its copies otherwise (the city: one read beats a long query).
    facts = facts_for(year, hashes) if len(hashes) <= BY_QUERY_MAX else facts_for(year)
    return assemble(
        year=year,
        declarations=declarations,
        declared=declared,
        facts=facts,
        params=params,
        region=region,
        with_ids=with_ids,
        declaration_ids=declaration_ids,
    )


def assemble(
    *,
    year: int,
    declarations: pl.DataFrame,
    declared: pl.DataFrame,
    facts: Facts,
    params: dict[str, Parameters],
    region: str | None = None,
    with_ids: bool = True,
    declaration_ids: list[int] | None = None,
) -> list[dict[str, Any]]:
    """`levy` over frames already read: the declarations (DECLARATION_SCHEMA), every declared person
    of the year (DECLARED_SCHEMA), the facts and the parameters by region code."""
    ages = declarations.select(
        "declaration_id",
        pl.col("region_code")
        .replace_strict({c: p.age_min for c, p in params.items()}, return_dtype=pl.Int32)
        .alias("age_min"),
        pl.col("region_code")
        .replace_strict({c: p.age_max for c, p in params.items()}, return_dtype=pl.Int32)
        .alias("age_max"),
    )
    persons = verify_persons(declared, facts, year, ages, declaration_ids=declaration_ids)
    if region and region != CITY_CODE:
        declarations = declarations.filter(pl.col("region_code").str.starts_with(region))
        persons = persons.join(declarations.select("declaration_id"), on="declaration_id", how="semi")
    ids = decrypt_many(persons["id_number_encrypted"].to_list()) if with_ids else [None] * persons.height
    persons = persons.with_columns(pl.Series("id_number", ids, dtype=pl.String))
    by_declaration: dict[int, list[dict[str, Any]]] = {}
    for row in persons.iter_rows(named=True):
        by_declaration.setdefault(row["declaration_id"], []).append(row)
    out = []
    for d in declarations.iter_rows(named=True):
        rows = by_declaration.get(d["declaration_id"], [])
        twelfths = sum(r["weight"] * r["months"] for r in rows if r["counted"])
        parameters = params[d["region_code"]]
        due = compute_due(
            unit_type=d["unit_type"],
            staff=Decimal(d["staff"]),
            average_wage=Decimal(d["average_wage"]),
            arranged_twelfths=twelfths,
            parameters=parameters,
        )
        out.append(
            {
                "credit_code": d["credit_code"],
                "name": d["name"],
                "county": d["region_code"],
                "year": year,
                "staff": float(Decimal(d["staff"])),
                "required": float(_half_up(due.required, 4)),
                "arranged": float(_half_up(due.arranged, 4)),
                "ratio": float(_half_up(due.ratio * 100, 2)),
                "base_wage": float(due.base_wage),
                "status": due.status,
                "due": float(due.due),
                "persons": [
                    {
                        "id_number": r["id_number"],
                        "counted": r["counted"],
                        "weight": r["weight"],
                        "months": r["months"],
                        "reasons": list(r["reasons"]),
                    }
                    for r in rows
                ],
                # Not in the contract's JSON: kept for the pages and findings, dropped by the command.
                "_declaration_id": d["declaration_id"],
                "_public_below_quota": is_public_below_quota(
                    unit_type=d["unit_type"],
                    established_posts=d["established_posts"],
                    is_school=d["is_school"],
                    due=due,
                ),
                "_unit_type": d["unit_type"],
                "_declared_ids": [r["declared_id"] for r in rows],
                "_due": due,
            }
        )
    return out


PUBLIC_KEYS = (
    "credit_code",
    "name",
    "county",
    "year",
    "staff",
    "required",
    "arranged",
    "ratio",
    "base_wage",
    "status",
    "due",
    "persons",
)


def public(element: dict[str, Any]) -> dict[str, Any]:
    """An element of `levy` as EMPLOYMENT.md's JSON has it."""
    return {key: element[key] for key in PUBLIC_KEYS}
