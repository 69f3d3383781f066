"""The monthly payment roll of the two subsidies (BENEFITS.md "The monthly roll").

For month M (roll date D_M = the first day of M), one line per person and subsidy with an
entitlement covering M — an imported roll row (`subsidy_recipients`, the list in force on D_M) or an
entitlement from an approved application whose 审定日期 ≤ D_M — with the status of the RULES.md
decision on D_M (pay/hold/stop), arrears for the months since the application that nobody paid, and
recoveries for months paid after a death. Everything is set-wise over the facts frames (polars);
money is computed in integer fen and written as yuan with two decimals.

The one exception to "evaluated on D" (paid for the month of death): a death dated on the roll date
itself counts from the next day (``_death_counts_from_next_day``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from huican.benefits.models import BenefitChoice, Payment, Roll
from huican.core.frames import fetch_frame, sql_date
from huican.policy.facts import Facts, load_facts, redated
from huican.policy.rules import evaluate
from huican.policy.vocabulary import DEAD, prepare, standards_in_force
from huican.regions.divisions import CITY_CODE

SUBSIDIES = ("living_subsidy", "nursing_subsidy")
SUBSIDY_OF_TYPE = {"生活补贴": "living_subsidy", "护理补贴": "nursing_subsidy"}
CHOOSE_HIGHER = "choose_higher"
Progress = Callable[[int, str], None]

LINE_SCHEMA: dict[str, Any] = {
    "person_id": pl.Int64,
    "benefit": pl.String,
    "status": pl.String,
    "amount_fen": pl.Int64,
    "arrears": pl.List(pl.Struct({"month": pl.Date, "amount_fen": pl.Int64})),
    "total_fen": pl.Int64,
    "reasons": pl.List(pl.String),
    "county_code": pl.String,
    "township_code": pl.String,
}
RECOVERY_SCHEMA: dict[str, Any] = {
    "person_id": pl.Int64,
    "benefit": pl.String,
    "months": pl.List(pl.Date),
    "amount_fen": pl.Int64,
    "county_code": pl.String,
}


@dataclass
class DraftRoll:
    month: dt.date
    region: str
    lines: pl.DataFrame  # LINE_SCHEMA, ordered by person then subsidy
    recoveries: pl.DataFrame  # RECOVERY_SCHEMA

    def totals(self, level: str = "county_code") -> pl.DataFrame:
        """`pay` lines per region unit (county_code or township_code) and subsidy: persons, amount (fen)."""
        return (
            self.lines.filter(pl.col("status") == "pay")
            .group_by(level, "benefit")
            .agg(persons=pl.len().cast(pl.Int64), amount_fen=pl.col("total_fen").sum())
            .sort(level, "benefit")
        )


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _death_counts_from_next_day(facts: Facts) -> Facts:
    """The roll's exception: a death dated on the roll date itself counts from the next day."""
    day, after = facts.on, facts.on + dt.timedelta(days=1)

    def shift(column: pl.Expr, only: pl.Expr | None = None) -> pl.Expr:
        hit = column == pl.lit(day)
        if only is not None:
            hit = hit & only
        return pl.when(hit.fill_null(False)).then(pl.lit(after)).otherwise(column)

    deaths = facts.lists["deaths"].with_columns(start_date=shift(pl.col("start_date")))
    persons = facts.persons.with_columns(status_date=shift(pl.col("status_date"), pl.col("status") == DEAD))
    return replace(facts, persons=persons, lists={**facts.lists, "deaths": deaths})


def _decisions(facts: Facts, person_ids: pl.Series, *, with_reasons: bool) -> pl.DataFrame:
    """The two subsidies' decisions on facts.on (death exception applied) for `person_ids`."""
    wanted = pl.col("person_id").is_in(person_ids.implode())
    # Only these persons' rows (a month's arrears concern a few persons of a city): the rules read a
    # person's own rows, except the renovation services (a whole household's), which stay whole.
    lists = {kind: rows if kind == "services" else rows.filter(wanted) for kind, rows in facts.lists.items()}
    subset = replace(
        facts, persons=facts.persons.filter(wanted), surveys=facts.surveys.filter(wanted), lists=lists
    )
    prepared = prepare(_death_counts_from_next_day(subset), with_texts=with_reasons)
    return evaluate(prepared, with_reasons=with_reasons, only=SUBSIDIES)


def _imported_rows(facts: Facts) -> pl.DataFrame:
    """Rows of the imported roll in force: person, benefit, start/end month, 月标准 (fen), row order."""
    rows = facts.lists["subsidy_recipients"]
    return rows.filter(
        pl.col("person_id").is_not_null() & pl.col("category").is_in(list(SUBSIDY_OF_TYPE))
    ).select(
        "person_id",
        benefit=pl.col("category").replace_strict(SUBSIDY_OF_TYPE, return_dtype=pl.String),
        start=pl.col("start_date").dt.month_start(),
        end=pl.col("end_date").dt.month_start(),
        standard_fen=(pl.col("amount") * 100).round(0).cast(pl.Int64),
        order=pl.col("batch_id") * 10_000_000 + pl.col("row_number"),
    )


def _granted(facts: Facts, day: dt.date) -> pl.DataFrame:
    """Entitlements from approved applications in effect on `day` (审定日期 ≤ day)."""
    return facts.receiving.filter(
        pl.col("person_id").is_not_null()
        & pl.col("effective_from").is_not_null()
        & (pl.col("effective_from") <= pl.lit(day))
    ).select("person_id", "benefit", start="start_month", end="end_month")


def _covers(month: pl.Expr | dt.date) -> pl.Expr:
    m = pl.lit(month) if isinstance(month, dt.date) else month
    return (pl.col("start") <= m) & (pl.col("end").is_null() | (pl.col("end") >= m))


def _payments(person_ids: pl.Series, before: dt.date) -> pl.DataFrame:
    """Months paid by approved rolls of months before `before`: person, benefit, month, amount (fen)."""
    frame = fetch_frame(
        f"SELECT pay.person_id, pay.benefit, {sql_date('pay.month')}, pay.amount * 100"
        f" FROM {Payment._meta.db_table} pay JOIN {Roll._meta.db_table} r ON r.id = pay.roll_id"
        " WHERE r.month < %s",
        [before.isoformat()],
        {"person_id": pl.Int64, "benefit": pl.String, "month": pl.Date, "amount": pl.Float64},
    )
    return frame.filter(pl.col("person_id").is_in(person_ids.implode())).select(
        "person_id", "benefit", "month", amount_fen=pl.col("amount").round(0).cast(pl.Int64)
    )


def _choices(on: dt.date) -> pl.DataFrame:
    """The latest 择高 choice recorded on or before `on` per person: person_id, chosen."""
    frame = fetch_frame(
        f"SELECT person_id, chosen, {sql_date('recorded_on')}, id FROM {BenefitChoice._meta.db_table}"
        " WHERE recorded_on <= %s",
        [on.isoformat()],
        {"person_id": pl.Int64, "chosen": pl.String, "recorded_on": pl.Date, "id": pl.Int64},
    )
    return frame.sort("recorded_on", "id").group_by("person_id").last().select("person_id", "chosen")


def _resolve_choices(decided: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Add `chosen` (the person's recorded 择高 choice, or null) to decisions of `on`."""
    return decided.join(_choices(on), on="person_id", how="left")


def _paying() -> pl.Expr:
    """Eligible and payable: no 择高 flag, or the person chose the nursing subsidy."""
    chose_higher = pl.col("flags").list.contains(CHOOSE_HIGHER).fill_null(False)
    return (pl.col("decision") == "eligible") & (~chose_higher | (pl.col("chosen") == "nursing_subsidy"))


def compute_roll(*, month: dt.date, region: str | None = None, progress: Progress | None = None) -> DraftRoll:
    """The draft roll of `month` for `region` (a county, township or the city), on the data as they are."""
    report = progress or (lambda percent, message: None)
    month = month_start(month)
    region = region or CITY_CODE
    report(5, "读取名册、名单和待遇资格")
    base = load_facts(on=month, region=region)
    imported = _imported_rows(base)
    granted = _granted(base, month)
    entitled = (
        pl.concat([imported.select("person_id", "benefit", "start", "end"), granted], how="vertical")
        .filter(_covers(month))
        .select("person_id", "benefit")
        .unique()
    )
    people = entitled.get_column("person_id").unique()
    report(25, "判定发放月的资格")
    # Decisions without their reasons for everyone (most lines pay and list none), then the reasons
    # of the persons whose line holds or stops.
    decisions = _resolve_choices(_decisions(base, people, with_reasons=False), month)
    lines = entitled.join(decisions, on=["person_id", "benefit"], how="left").with_columns(
        _status().alias("status")
    )
    explained = lines.filter(pl.col("status") != "pay").get_column("person_id").unique()
    reasons = _decisions(base, explained, with_reasons=True).select("person_id", "benefit", "reasons")
    lines = lines.join(reasons, on=["person_id", "benefit"], how="left")
    lines = lines.with_columns(
        amount_fen=pl.when(pl.col("status") == "pay").then((pl.col("amount") * 100).round(0).cast(pl.Int64)),
        reasons=_reasons(),
    )
    report(50, "计算补发")
    arrears = _arrears(base, month, granted, imported, region)
    lines = lines.join(arrears, on=["person_id", "benefit"], how="left").with_columns(
        arrears=pl.col("arrears").fill_null(pl.lit([], dtype=LINE_SCHEMA["arrears"]))
    )
    lines = lines.with_columns(
        total_fen=pl.when(pl.col("status") == "pay")
        .then(
            pl.col("amount_fen")
            + pl.col("arrears").list.eval(pl.element().struct.field("amount_fen")).list.sum()
        )
        .otherwise(pl.lit(0, dtype=pl.Int64))
    )
    places = base.persons.select("person_id", "county_code", "township_code")
    lines = (
        lines.join(places, on="person_id", how="left")
        .select(list(LINE_SCHEMA))
        .cast(LINE_SCHEMA)  # type: ignore[arg-type]
        .sort("person_id", "benefit")
    )
    report(75, "计算追缴")
    recoveries = _recoveries(base, month, imported).join(places, on="person_id", how="left")
    report(95, "汇总")
    return DraftRoll(
        month=month,
        region=region,
        lines=lines,
        recoveries=recoveries.select(list(RECOVERY_SCHEMA)).cast(RECOVERY_SCHEMA),  # type: ignore[arg-type]
    )


def _status() -> pl.Expr:
    """pay / hold / stop (BENEFITS.md); a 择高 case is held until staff record the person's choice,
    then paid (nursing subsidy chosen) or stopped (elderly care chosen)."""
    return (
        pl.when(_paying())
        .then(pl.lit("pay"))
        .when(pl.col("decision") == "ineligible")
        .then(pl.lit("stop"))
        .when((pl.col("decision") == "eligible") & (pl.col("chosen") == "elderly_care"))
        .then(pl.lit("stop"))
        .otherwise(pl.lit("hold"))
    )


def _reasons() -> pl.Expr:
    """Clause codes: the failed clauses of a `stop`, the unknown ones of a `hold` on an unknown
    decision, `choose_higher` for a hold on the 择高 flag, none for `pay`."""

    def clauses(condition: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
        reason = pl.element().struct
        return (
            pl.col("reasons")
            .list.eval(pl.element().filter(condition(reason.field("passed"))).struct.field("clause"))
            .list.eval(pl.element().cast(pl.String))
        )

    return (
        pl.when((pl.col("status") == "stop") & (pl.col("decision") == "ineligible"))
        .then(clauses(lambda passed: passed.eq_missing(False)))
        .when((pl.col("status") == "hold") & (pl.col("decision") == "unknown"))
        .then(clauses(lambda passed: passed.is_null()))
        .when(pl.col("status") != "pay")
        .then(pl.lit([CHOOSE_HIGHER], dtype=pl.List(pl.String)))
        .otherwise(pl.lit([], dtype=pl.List(pl.String)))
    )


def _arrears(
    base: Facts, month: dt.date, granted: pl.DataFrame, imported: pl.DataFrame, region: str
) -> pl.DataFrame:
    """Per (person, benefit): the months before M that an application's entitlement covers and nobody
    paid, in which the decision on D_m is eligible without 择高 — month and amount (fen), oldest first."""
    empty = pl.DataFrame(
        schema={"person_id": pl.Int64, "benefit": pl.String, "arrears": LINE_SCHEMA["arrears"]}
    )
    before = add_months(month, -1)
    candidates = (
        granted.with_columns(last=pl.min_horizontal(pl.col("end").fill_null(pl.lit(before)), pl.lit(before)))
        .filter(pl.col("start") <= pl.col("last"))
        .select("person_id", "benefit", month=pl.date_ranges("start", "last", interval="1mo"))
        .explode("month")
        .unique()
    )
    if candidates.is_empty():
        return empty
    paid_before = (
        candidates.join(imported, on=["person_id", "benefit"], how="inner")
        .filter(_covers(pl.col("month")))
        .select("person_id", "benefit", "month")
    )
    paid_here = _payments(candidates.get_column("person_id").unique(), month).select(
        "person_id", "benefit", "month"
    )
    due = candidates.join(
        pl.concat([paid_before, paid_here]).unique(), on=["person_id", "benefit", "month"], how="anti"
    )
    owed = []
    for (m,), group in due.group_by("month"):
        facts = redated(base, m, region=region)
        decided = _resolve_choices(
            _decisions(facts, group.get_column("person_id").unique(), with_reasons=False), m
        )
        eligible = decided.filter(_paying()).select(
            "person_id", "benefit", amount_fen=(pl.col("amount") * 100).round(0).cast(pl.Int64)
        )
        owed.append(group.join(eligible, on=["person_id", "benefit"], how="inner"))
    if not owed:
        return empty
    return (
        pl.concat(owed)
        .sort("person_id", "benefit", "month")
        .group_by("person_id", "benefit", maintain_order=True)
        .agg(arrears=pl.struct("month", "amount_fen"))
    )


def _standard_fen(base: Facts, rows: pl.DataFrame) -> pl.DataFrame:
    """Add standard_fen: the standard of the row's subsidy in force on D_m for the person (生活补贴标准;
    护理补贴 by grade: grade 1 → 一级, grades 2–4 → 二级)."""
    persons = base.persons.select("person_id", "county_code", "grade")
    rows = rows.join(persons, on="person_id", how="left")
    parts = []
    for (m,), group in rows.group_by("month"):
        county, city = standards_in_force(base.standards, m)
        columns = ["living_subsidy", "nursing_grade1", "nursing_grade2"]
        joined = group.join(
            county.select("county_code", "std_effective", *columns), on="county_code", how="left"
        )
        found = pl.col("std_effective").is_not_null()
        value = {
            c: pl.when(found).then(pl.col(c)).otherwise(pl.lit(city[c] if city else None, dtype=pl.Float64))
            for c in columns
        }
        standard = (
            pl.when(pl.col("benefit") == "living_subsidy")
            .then(value["living_subsidy"])
            .when(pl.col("grade") == 1)
            .then(value["nursing_grade1"])
            .otherwise(value["nursing_grade2"])
        )
        parts.append(
            joined.with_columns(standard_fen=(standard * 100).round(0).cast(pl.Int64)).drop(
                "std_effective", *columns
            )
        )
    return pl.concat(parts).drop("county_code", "grade")


def _recoveries(base: Facts, month: dt.date, imported: pl.DataFrame) -> pl.DataFrame:
    """For each person dead on D_M: the months after the month of death and before M that the previous
    system (an imported roll row) or an approved roll of this system paid — each month once, at what
    this system paid, else at the row's 月标准 (blank: the standard in force on D_m)."""
    facts = _death_counts_from_next_day(base)
    day = facts.on
    listed = (
        facts.lists["deaths"]
        .filter(pl.col("person_id").is_not_null() & (pl.col("start_date") <= pl.lit(day)))
        .group_by("person_id")
        .agg(listed=pl.col("start_date").min())
    )
    registry = facts.persons.filter(
        (pl.col("status") == DEAD) & (pl.col("status_date") <= pl.lit(day)).fill_null(False)
    ).select("person_id", registered="status_date")
    dead = (
        listed.join(registry, on="person_id", how="full", coalesce=True)
        .select("person_id", died=pl.min_horizontal("listed", "registered"))
        .with_columns(first=pl.col("died").dt.month_start().dt.offset_by("1mo"))
    )
    empty = pl.DataFrame(schema={k: v for k, v in RECOVERY_SCHEMA.items() if k != "county_code"})
    if dead.is_empty():
        return empty
    before = add_months(month, -1)
    previous = (
        imported.join(dead, on="person_id", how="inner")
        .with_columns(
            since=pl.max_horizontal("start", "first"),
            until=pl.min_horizontal(pl.col("end").fill_null(pl.lit(before)), pl.lit(before)),
        )
        .filter(pl.col("since") <= pl.col("until"))
        .select(
            "person_id",
            "benefit",
            "order",
            "standard_fen",
            month=pl.date_ranges("since", "until", interval="1mo"),
        )
        .explode("month")
        .sort("order")
        .unique(["person_id", "benefit", "month"], keep="first")
    )
    if not previous.is_empty():
        blank = previous.filter(pl.col("standard_fen").is_null()).drop("standard_fen")
        previous = pl.concat(
            [
                previous.filter(pl.col("standard_fen").is_not_null()),
                _standard_fen(base, blank).select(previous.columns)
                if not blank.is_empty()
                else previous.clear(),
            ]
        )
    previous = previous.select("person_id", "benefit", "month", amount_fen="standard_fen")
    ours = (
        _payments(dead.get_column("person_id"), month)
        .join(dead.select("person_id", "first"), on="person_id")
        .filter(pl.col("month") >= pl.col("first"))
        .select("person_id", "benefit", "month", "amount_fen")
    )
    months = pl.concat([ours, previous.join(ours, on=["person_id", "benefit", "month"], how="anti")])
    if months.is_empty():
        return empty
    return (
        months.sort("person_id", "benefit", "month")
        .group_by("person_id", "benefit", maintain_order=True)
        .agg(months=pl.col("month"), amount_fen=pl.col("amount_fen").sum())
    )


def roll_person_numbers(roll: DraftRoll) -> pl.DataFrame:
    """ID numbers (decrypted) of the persons on a roll: person_id, id_number."""
    from huican.policy.facts import person_id_numbers

    ids = pl.concat([roll.lines.get_column("person_id"), roll.recoveries.get_column("person_id")]).unique()
    return person_id_numbers(ids)
