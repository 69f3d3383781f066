"""Needs findings (主动服务: found before anyone asks), RULES.md "Needs findings", set-based.

``needs_findings(facts, people, renovation_eligible)`` returns the rows of the seven needs codes
(person_id, code, detail) for the certified population P(D) only; ``compute_findings`` adds them to
the cross-matching findings, so they reach the same work list, runs and reconciliation.

- A need comes from the latest survey (调查年度 ≤ year(D)) alone: a blank field there, or no survey,
  is unknown and never makes a finding (no fall-back to an older survey).
- "The last 365 days" are the service dates D − 364 … D.
- Services are the imported ``services`` rows (服务类型, 服务日期, 结果) matched to the person by ID number.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES
from huican.policy.facts import COMPLETED, Facts
from huican.policy.vocabulary import money_text

WINDOW_DAYS = 365  # "the last 365 days": D − 364 … D
EMPLOYMENT_AGES = (16, 59)
UNEMPLOYED = "未就业"
TRAINING = "职业技能培训"
VISIT = "走访探视"
LIVING_ALONE_SIZE = 1
INCOME_DROP_PERCENT = 70  # "below 70% of p's survey for the year before"
# (code, survey need column, 服务类型 that serves it, the need's name)
NEED_SERVICES = (
    ("rehab_need_unserved", "rehab_need", "康复服务", "康复需求"),
    ("device_need_unserved", "device_need", "辅具适配", "辅具需求"),
    ("care_need_unserved", "care_service_need", "托养服务", "托养需求"),
)
# The columns of ``situation``'s `people` that the needs findings read.
CERTIFIED_COLUMNS = (
    "person_id",
    "survey_year",
    *(need for _, need, _, _ in NEED_SERVICES),
    "age",
    "employment",
    "in_dibao",
    "in_tekun",
    "income_fen",
    "low_income",
    "near_poor",
    "dibao_line_fen",
    "near_poor_line_fen",
    "severe",
    "household_size",
    "grade",
    "category",
)
NEEDS_CODES = (
    "rehab_need_unserved",
    "device_need_unserved",
    "care_need_unserved",
    "renovation_pending",
    "employment_aid",
    "poverty_risk",
    "severe_living_alone",
)


def window_start(on: dt.date) -> dt.date:
    """The first day of "the last 365 days" ending on D."""
    return on - dt.timedelta(days=WINDOW_DAYS - 1)


def _date_text(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%d")


def _services(facts: Facts, category: str, *, completed_only: bool = False) -> pl.LazyFrame:
    """The person's `category` service rows dated on or before D (结果 完成 or blank if `completed_only`)."""
    rows = (
        facts.lists["services"]
        .lazy()
        .filter(
            pl.col("person_id").is_not_null()
            & (pl.col("category") == category)
            & (pl.col("start_date") <= pl.lit(facts.on))
        )
    )
    if completed_only:
        rows = rows.filter(pl.col("status").is_null() | pl.col("status").is_in(list(COMPLETED)))
    return rows


def _last_service(facts: Facts, category: str, *, completed_only: bool = False) -> pl.DataFrame:
    """person_id and last_service (the latest service date ≤ D) of the persons with such a service."""
    return (
        _services(facts, category, completed_only=completed_only)
        .group_by("person_id")
        .agg(last_service=pl.col("start_date").max())
        .collect()
    )


def _unserved(
    facts: Facts, candidates: pl.DataFrame, category: str, *, completed_only: bool = False
) -> pl.DataFrame:
    """The candidates without such a service in the last 365 days, with last_service (before it, or null)."""
    last = _last_service(facts, category, completed_only=completed_only)
    return candidates.join(last, on="person_id", how="left").filter(
        pl.col("last_service").is_null() | (pl.col("last_service") < pl.lit(window_start(facts.on)))
    )


def _earlier(column: str, what: str) -> pl.Expr:
    """ "（最近一次 2023-04-01）" or "（此前无记录）"."""
    return (
        pl.when(pl.col(column).is_null())
        .then(pl.lit(f"（此前无{what}记录）"))
        .otherwise(pl.format("（最近一次 {}）", _date_text(column)))
    )


def _need_findings(facts: Facts, certified: pl.DataFrame, period: str) -> list[pl.DataFrame]:
    out = []
    for code, need, category, name in NEED_SERVICES:
        needing = certified.filter(pl.col(need)).select("person_id", "survey_year")
        out.append(
            _unserved(facts, needing, category).select(
                "person_id",
                code=pl.lit(code),
                detail=pl.format(
                    "{} 年调查有{}，{} 无{}记录{}",
                    pl.col("survey_year"),
                    pl.lit(name),
                    pl.lit(period),
                    pl.lit(category),
                    _earlier("last_service", category),
                ),
            )
        )
    return out


def _employment_findings(facts: Facts, certified: pl.DataFrame, period: str) -> pl.DataFrame:
    low, high = EMPLOYMENT_AGES
    candidates = certified.filter(
        pl.col("age").is_between(low, high) & (pl.col("employment") == UNEMPLOYED)
    ).select("person_id", "age", "survey_year")
    return _unserved(facts, candidates, TRAINING, completed_only=True).select(
        "person_id",
        code=pl.lit("employment_aid"),
        detail=pl.format(
            "{} 周岁，{} 年调查就业状况为未就业，{} 无已完成的职业技能培训{}",
            pl.col("age"),
            pl.col("survey_year"),
            pl.lit(period),
            _earlier("last_service", "已完成培训"),
        ),
    )


def _poverty_findings(facts: Facts, certified: pl.DataFrame) -> pl.DataFrame:
    """Not in 低保/特困, and low income or near-poor, or income below 70% of the year before's survey."""
    candidates = certified.filter(~pl.col("in_dibao") & ~pl.col("in_tekun"))
    # The survey of the year before each candidate's latest one (the candidates' rows only: the
    # survey table has several rows per person).
    before = (
        facts.surveys.lazy()
        .select(
            "person_id",
            survey_year=(pl.col("year") + 1).cast(pl.Int32),
            previous_income_fen=(pl.col("income") * 100).round(0).cast(pl.Int64),
        )
        .join(
            candidates.lazy().select("person_id", "survey_year"), on=["person_id", "survey_year"], how="semi"
        )
        .collect()
    )
    frame = candidates.join(before, on=["person_id", "survey_year"], how="left", maintain_order="left")
    income, previous = pl.col("income_fen"), pl.col("previous_income_fen")
    dropped = income * 100 < previous * INCOME_DROP_PERCENT
    frame = frame.with_columns(_dropped=dropped).filter(
        pl.col("low_income") | pl.col("near_poor") | pl.col("_dropped")
    )
    income_now = pl.format("{} 年调查户人均年收入 {} 元", pl.col("survey_year"), money_text(income))
    drop_tenths = ((previous - income) * 1000 + previous // 2) // previous
    reasons = pl.concat_str(
        [
            pl.when(pl.col("low_income")).then(
                pl.format("{}，低于低保线 {} 元", income_now, money_text(pl.col("dibao_line_fen")))
            ),
            pl.when(pl.col("near_poor")).then(
                pl.format(
                    "{}，处于低保边缘（低保线 {} 元，边缘线 {} 元）",
                    income_now,
                    money_text(pl.col("dibao_line_fen")),
                    money_text(pl.col("near_poor_line_fen")),
                )
            ),
            pl.when(pl.col("_dropped")).then(
                pl.format(
                    "{} 年户人均年收入 {} 元，比 {} 年的 {} 元下降 {}.{}%，不足上年的 {}%",
                    pl.col("survey_year"),
                    money_text(income),
                    pl.col("survey_year") - 1,
                    money_text(previous),
                    drop_tenths // 10,
                    drop_tenths % 10,
                    pl.lit(INCOME_DROP_PERCENT),
                )
            ),
        ],
        separator="；",
        ignore_nulls=True,
    )
    return frame.select(
        "person_id",
        code=pl.lit("poverty_risk"),
        detail=pl.format("判定日不在低保、特困名单；{}", reasons),
    )


def _living_alone_findings(facts: Facts, certified: pl.DataFrame) -> pl.DataFrame:
    alone = certified.filter(pl.col("severe") & (pl.col("household_size") == LIVING_ALONE_SIZE))
    grade = pl.col("grade").replace_strict(GRADE_NAMES, default="?", return_dtype=pl.String)
    category = pl.col("category").replace_strict(CATEGORY_NAMES, default="?", return_dtype=pl.String)
    return (
        alone.select("person_id", "survey_year", "grade", "category")
        .join(_last_service(facts, VISIT), on="person_id", how="left")
        .select(
            "person_id",
            code=pl.lit("severe_living_alone"),
            detail=pl.format(
                "{}{}残疾，{} 年调查家庭人口数为 1（独居）{}",
                category,
                grade,
                pl.col("survey_year"),
                pl.when(pl.col("last_service").is_null())
                .then(pl.lit("，无走访探视记录"))
                .otherwise(pl.format("，最近一次走访探视 {}", _date_text("last_service"))),
            ),
        )
    )


def needs_findings(
    facts: Facts, people: pl.DataFrame, renovation_eligible: pl.DataFrame
) -> list[pl.DataFrame]:
    """The needs findings on D = facts.on, for persons in P(D) only.

    `people` is ``huican.matching.vocabulary.situation(facts)``; `renovation_eligible` holds the
    person_id (and reasons_passed, the passed clauses' details, when known) of the persons whose
    ``home_renovation`` decision is eligible.
    """
    on = facts.on
    period = f"{window_start(on).isoformat()} 至 {on.isoformat()}"
    # Only the columns read below: `people` is wide, and P(D) is most of it.
    certified = people.lazy().filter(pl.col("valid_certificate")).select(CERTIFIED_COLUMNS).collect()
    reasons = (
        pl.col("reasons_passed")
        if "reasons_passed" in renovation_eligible.columns
        else pl.lit(None, dtype=pl.String)
    )
    renovation = certified.select("person_id").join(
        renovation_eligible.select("person_id", reasons=reasons), on="person_id"
    )
    return [
        *_need_findings(facts, certified, period),
        renovation.select(
            "person_id",
            code=pl.lit("renovation_pending"),
            detail=pl.format(
                "符合困难重度残疾人家庭无障碍改造条件{}，待安排改造",
                pl.when(pl.col("reasons").fill_null("") != "")
                .then(pl.format("（{}）", pl.col("reasons")))
                .otherwise(pl.lit("")),
            ),
        ),
        _employment_findings(facts, certified, period),
        _poverty_findings(facts, certified),
        _living_alone_findings(facts, certified),
    ]
