"""RULES.md "Vocabulary" terms that only the findings and the indicators read.

The shared terms (dead on D, status on D, valid certificate, age, in a list on D, low income …)
are defined once in ``huican.policy.vocabulary.prepare``; ``situation(facts)`` extends that frame
with receiving, school age, in school, pension- and medical-insured, so that the findings and the
indicators read one row per registry person.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from huican.exchange.kinds import KINDS
from huican.policy.facts import Facts
from huican.policy.vocabulary import prepare

LIST_NAMES = {kind: spec.list_name for kind, spec in KINDS.items() if spec.list_name}
# The list kinds whose file has a 姓名 column (FORMATS.md "Import kinds"; services has none).
NAMED_LIST_KINDS = tuple(LIST_NAMES)
PENSION_INSURED_STATUSES = ("参保缴费", "领取待遇", "")  # blank = 参保缴费; 暂停 does not count
SCHOOL_AGE_MIN = 6
SCHOOL_AGE_MAX = 15
PENSION_MIN_AGE = 16


def school_year_on(day: dt.date) -> str:
    """School year in progress on D: school years start on 1 September."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{first + 1}"


def school_age_reference_day(day: dt.date) -> dt.date:
    """31 August of the first year of the school year in progress on D (the day school age is taken)."""
    first = day.year if day.month >= 9 else day.year - 1
    return dt.date(first, 8, 31)


def age_expr(birth: pl.Expr, on: dt.date) -> pl.Expr:
    """Whole years on `on` (as huican.core.dates.age_on)."""
    # dt.month()/dt.day() are Int8: widen before × 100, or July (700) overflows
    birth_md = birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)
    return (
        pl.lit(on.year) - birth.dt.year().cast(pl.Int32) - (birth_md > on.month * 100 + on.day).cast(pl.Int32)
    ).cast(pl.Int32)


def receiving_on(facts: Facts) -> pl.DataFrame:
    """Receiving a subsidy on D: start month ≤ month(D) and (no end month, or end month ≥ month(D));
    an entitlement from an approved application only once its 审定日期 ≤ D."""
    month = facts.on.replace(day=1)
    return facts.receiving.filter(
        pl.col("person_id").is_not_null()
        & (pl.col("effective_from").is_null() | (pl.col("effective_from") <= facts.on))
        & (pl.col("start_month") <= month)
        & (pl.col("end_month").is_null() | (pl.col("end_month") >= month))
    )


def _member(rows: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col("person_id").is_in(rows.get_column("person_id").unique().implode()).alias(name)


def extend(facts: Facts, prepared: pl.DataFrame, *, year: int | None = None) -> pl.DataFrame:
    """Add receiving_*, age_at_school_start, school_age, in_school, pension_/medical_insured.

    Insurance is for `year` (default: the year of D).
    """
    on = facts.on
    year = on.year if year is None else year
    lists = facts.lists
    receiving = receiving_on(facts)
    enrolled = lists["enrolment"].filter(
        pl.col("person_id").is_not_null() & (pl.col("school_year") == school_year_on(on))
    )
    pension = lists["pension"].filter(
        pl.col("person_id").is_not_null()
        & (pl.col("year") == year)
        & pl.col("status").fill_null("").is_in(PENSION_INSURED_STATUSES)
    )
    medical = lists["medical"].filter(pl.col("person_id").is_not_null() & (pl.col("year") == year))
    return prepared.with_columns(
        receiving_living=_member(receiving.filter(pl.col("benefit") == "living_subsidy"), "receiving_living"),
        receiving_nursing=_member(
            receiving.filter(pl.col("benefit") == "nursing_subsidy"), "receiving_nursing"
        ),
        in_school=_member(enrolled, "in_school"),
        pension_insured=_member(pension, "pension_insured"),
        medical_insured=_member(medical, "medical_insured"),
        age_at_school_start=age_expr(pl.col("birth_date"), school_age_reference_day(on)),
    ).with_columns(school_age=pl.col("age_at_school_start").is_between(SCHOOL_AGE_MIN, SCHOOL_AGE_MAX))


def situation(facts: Facts, prepared: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per registry person: policy's prepared vocabulary plus the terms above."""
    return extend(facts, prepare(facts) if prepared is None else prepared)
