"""The plan's indicators (专栏1), RULES.md "Indicators", computed set-based over the facts.

For year Y the evaluation date D is Y-12-31, or the as-of date when one is given. Every indicator
is computed for the city (140900) and each county-level unit, by each person's own county of
household registration (户籍地区划代码), with numerator, denominator and value. P(D) is the
certified population: registry persons with a valid certificate on D.

Definitions (one line each; the code below follows them in the same order):

1. income_growth — households = distinct household numbers of registry persons (any status) with a
   survey of that year; a household's value = the mean of its members' 家庭人均年收入 of that year;
   I_Y = mean over households. value = ((I_Y / I_base)^(1/(Y−base)) − 1) × 100 with base = the plan's
   base year (2020 for 2021–2025); numerator = I_Y, denominator = I_base. Target: the city's mean annual GDP growth
   over start..Y (mean_gdp_growth; null unless every year's rate is entered).
2. training_persons — distinct registry persons (any status) with a 职业技能培训 service with 结果
   完成 (or blank) dated from the plan's first day (start_year-01-01) to D. A count: numerator = value.
3. dibao_coverage — P(D) persons in 低保 or 特困 on D / P(D) persons who are so covered, or have low
   income, or are eligible for dibao_alone.
4. living_subsidy_coverage — P(D) persons eligible for living_subsidy and receiving it / eligible.
5. nursing_subsidy_coverage — likewise for nursing_subsidy.
6. pension_enrolment — P(D) persons aged ≥ 16 on D, not in school, pension-insured for Y / P(D)
   persons aged ≥ 16 not in school.
7. medical_enrolment — P(D) persons medical-insured for Y / P(D).
8. education_enrolment — P(D) persons of school age (age on 31 August of the school year in
   progress, 6–15) and in school / P(D) persons of school age.
9. rehab_coverage — P(D) persons whose survey of year Y records a rehabilitation need and who have
   a 康复服务 service (any 结果) dated in Y up to D / P(D) persons whose survey of Y records the need.
10. device_fitting — likewise with the assistive-device need and 辅具适配 services.
11. home_renovations — distinct household numbers with a completed 无障碍改造 service (结果 完成 or
   blank) of any registry person, dated from the plan's first day to D. A count.

Each plan year is computed against its own plan (``plan_for_year``). An indicator whose plan file
gives a ``definition:`` (an expression of huican.monitoring.expressions) is computed from it; the
2021–2025 file defines 2–11 so, and tests prove both ways give the same rows. Without one, the
definition above (Python) is used; income_growth is only built in.

Rates are percentages rounded half-up to 0.01 (in Decimal); a zero denominator gives a null value.
6–8 read a yearly list: when it has no row at all for Y (8: for the school year in progress on D),
the department has not sent it yet and numerator, denominator and value are null
(huican.matching.missing_lists).
Targets, kinds and comparisons come from the plan file (huican.monitoring.plan), never from here.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import polars as pl

from huican.matching.missing_lists import missing_in_facts
from huican.matching.vocabulary import PENSION_MIN_AGE, extend
from huican.monitoring.expressions import COUNT, RATE, Context, Definition
from huican.monitoring.plan import IndicatorTarget, Plan, plan_for_year
from huican.policy.facts import Facts, load_facts
from huican.policy.rules import evaluate
from huican.policy.vocabulary import prepare
from huican.regions.divisions import CITY_CODE, COUNTY_CODES

CENT = Decimal("0.01")
COMPLETED_RESULTS = ("完成", "")
TRAINING, REHABILITATION, DEVICE, RENOVATION = "职业技能培训", "康复服务", "辅具适配", "无障碍改造"
OUTPUT_KEYS = ("code", "region", "year", "numerator", "denominator", "value", "target", "kind", "met")


def evaluation_date(year: int, as_of: dt.date | None = None) -> dt.date:
    """D = Y-12-31, or the as-of date when given."""
    return as_of or dt.date(year, 12, 31)


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage rounded half-up to 0.01; None for a zero denominator."""
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def annual_growth(current: float | None, base: float | None, years: int) -> Decimal | None:
    """((current / base)^(1/years) − 1) × 100, rounded half-up to 0.01; None when undefined."""
    if current is None or base is None or years <= 0 or base <= 0 or current < 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        ratio = Decimal(repr(current)) / Decimal(repr(base))
        growth = (ratio ** (Decimal(1) / Decimal(years)) - 1) * 100 if ratio else Decimal(-100)
        return growth.quantize(CENT, rounding=ROUND_HALF_UP)


def is_met(value: Decimal | int | None, target: Decimal | None, comparison: str) -> bool | None:
    """Compare a value with its target: ">" strictly, ">=" and "gdp" at least, "==" exactly, "<=" at
    most, "<" strictly below."""
    if value is None or target is None:
        return None
    if comparison == ">":
        return value > target
    if comparison in (">=", "gdp"):
        return value >= target
    if comparison == "==":
        return value == target
    if comparison == "<=":
        return value <= target
    if comparison == "<":
        return value < target
    raise ValueError(f"unknown comparison {comparison!r}")


def _money(value: float) -> float:
    """A mean income in yuan, rounded half-up to the fen."""
    return float(Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP))


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- per-person frame -----------------------------------------------------------------------------


def _person_frame(facts: Facts, prepared: pl.DataFrame, decisions: pl.DataFrame, year: int) -> pl.DataFrame:
    on = facts.on
    benefits = {
        "living_subsidy": "eligible_living",
        "nursing_subsidy": "eligible_nursing",
        "dibao_alone": "eligible_dibao_alone",
    }
    eligible = [
        decisions.filter((pl.col("benefit") == benefit) & (pl.col("decision") == "eligible")).get_column(
            "person_id"
        )
        for benefit in benefits
    ]
    surveyed = facts.surveys.filter(pl.col("year") == year)
    services = facts.lists["services"].filter(
        pl.col("person_id").is_not_null()
        & (pl.col("start_date").dt.year() == year)
        & (pl.col("start_date") <= on)
    )

    def member(rows: pl.DataFrame, name: str) -> pl.Expr:
        return pl.col("person_id").is_in(rows.get_column("person_id").unique().implode()).alias(name)

    return extend(facts, prepared, year=year).with_columns(
        *[
            pl.col("person_id").is_in(ids.implode()).alias(name)
            for ids, name in zip(eligible, benefits.values(), strict=True)
        ],
        member(surveyed.filter(pl.col("rehab_need")), "rehab_need_y"),
        member(surveyed.filter(pl.col("device_need")), "device_need_y"),
        member(services.filter(pl.col("category") == REHABILITATION), "rehab_served_y"),
        member(services.filter(pl.col("category") == DEVICE), "device_served_y"),
    )


def _rate_parts() -> dict[str, tuple[pl.Expr, pl.Expr]]:
    """code → (numerator condition, denominator condition), both per person."""
    c = pl.col
    certified = c("valid_certificate")
    covered = c("in_dibao") | c("in_tekun")
    pension_base = certified & (c("age") >= PENSION_MIN_AGE) & ~c("in_school")
    school_base = certified & c("school_age")
    return {
        "dibao_coverage": (
            certified & covered,
            certified & (covered | c("low_income").fill_null(False) | c("eligible_dibao_alone")),
        ),
        "living_subsidy_coverage": (
            certified & c("eligible_living") & c("receiving_living"),
            certified & c("eligible_living"),
        ),
        "nursing_subsidy_coverage": (
            certified & c("eligible_nursing") & c("receiving_nursing"),
            certified & c("eligible_nursing"),
        ),
        "pension_enrolment": (pension_base & c("pension_insured"), pension_base),
        "medical_enrolment": (certified & c("medical_insured"), certified),
        "education_enrolment": (school_base & c("in_school"), school_base),
        "rehab_coverage": (
            certified & c("rehab_need_y") & c("rehab_served_y"),
            certified & c("rehab_need_y"),
        ),
        "device_fitting": (
            certified & c("device_need_y") & c("device_served_y"),
            certified & c("device_need_y"),
        ),
    }


# --- aggregation by unit ----------------------------------------------------------------------------


def _by_unit(
    frame: pl.DataFrame, whole: str, by_county: bool, aggs: list[pl.Expr], keys: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Aggregate over the whole frame (as unit `whole`) and, when asked, per county_code."""
    parts = [frame.with_columns(unit=pl.lit(whole, dtype=pl.String)).group_by("unit", *keys).agg(aggs)]
    if by_county:
        parts.append(frame.with_columns(unit=pl.col("county_code")).group_by("unit", *keys).agg(aggs))
    return pl.concat(parts)


def _income_means(facts: Facts, year: int, whole: str, by_county: bool) -> dict[str, tuple[float, int]]:
    """unit → (I_year = mean over households of the household mean income, number of households)."""
    members = facts.surveys.filter((pl.col("year") == year) & pl.col("income").is_not_null()).join(
        facts.persons.select("person_id", "county_code", "household_number"), on="person_id"
    )
    households = _by_unit(members, whole, by_county, [pl.col("income").mean()], ("household_number",))
    means = households.group_by("unit").agg(pl.col("income").mean(), pl.len().alias("households"))
    return {row["unit"]: (row["income"], row["households"]) for row in means.iter_rows(named=True)}


def _counts(facts: Facts, start: dt.date, whole: str, by_county: bool) -> dict[str, dict[str, int]]:
    """unit → {training_persons, home_renovations}: the two cumulative counts since `start`."""
    services = facts.lists["services"].filter(
        pl.col("person_id").is_not_null()
        & pl.col("start_date").is_between(start, facts.on)
        & pl.col("status").fill_null("").is_in(COMPLETED_RESULTS)
    )
    persons = facts.persons.select("person_id", "county_code", "household_number")
    served = services.join(persons, on="person_id")
    training = _by_unit(
        served.filter(pl.col("category") == TRAINING),
        whole,
        by_county,
        [pl.col("person_id").n_unique().alias("n")],
    )
    renovated = _by_unit(
        served.filter(pl.col("category") == RENOVATION),
        whole,
        by_county,
        [pl.col("household_number").n_unique().alias("n")],
    )
    out: dict[str, dict[str, int]] = {}
    for code, frame in (("training_persons", training), ("home_renovations", renovated)):
        for row in frame.iter_rows(named=True):
            out.setdefault(row["unit"], {})[code] = int(row["n"] or 0)
    return out


def indicators_from_facts(
    facts: Facts,
    *,
    year: int,
    plan: Plan,
    gdp_growth: Decimal | None,
    region: str = CITY_CODE,
    units: list[str] | None = None,
    prepared: pl.DataFrame | None = None,
    decisions: pl.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """The indicator rows for the persons of `facts` as region `region` (and each of `units`).

    `units` are county codes reported beside `region` (the city's counties for a city run).
    """
    # Indicators need decisions only, not their reasons: several times cheaper without the texts.
    prepared = prepare(facts, with_texts=False) if prepared is None else prepared
    decisions = evaluate(prepared, with_reasons=False) if decisions is None else decisions
    by_county = bool(units)
    people = _person_frame(facts, prepared, decisions, year)
    parts = _rate_parts()
    defined = [item for item in plan.indicators if item.definition is not None]
    built_in = {item.code for item in plan.indicators if item.definition is None}
    aggs = [
        expr.sum().alias(f"{code}__{side}")
        for code, (numerator, denominator) in parts.items()
        if code in built_in
        for side, expr in (("n", numerator), ("d", denominator))
    ]
    aggs += _defined_aggregations(defined, facts, decisions, year=year, plan=plan)
    sums = (
        {row["unit"]: row for row in _by_unit(people, region, by_county, aggs).iter_rows(named=True)}
        if aggs
        else {}
    )
    uses_income = any(item.comparison == "gdp" for item in plan.indicators)
    income_now = _income_means(facts, year, region, by_county) if uses_income else {}
    income_base = _income_means(facts, plan.base_year, region, by_county) if uses_income else {}
    counts = (
        _counts(facts, dt.date(plan.start_year, 1, 1), region, by_county)
        if built_in & {"training_persons", "home_renovations"}
        else {}
    )
    # An enrolment indicator whose yearly list has no row for the period is unknown, not 0 %.
    absent = missing_in_facts(facts, year=year)
    missing = {item.indicator_code for item in absent if item.indicator_code in built_in}
    absent_kinds = {item.kind for item in absent}
    missing |= {
        item.code
        for item in defined
        if item.definition is not None and item.definition.lists_measured & absent_kinds
    }

    rows: list[dict[str, Any]] = []
    for indicator in plan.indicators:
        for unit in [region, *(units or [])]:
            rows.append(
                _row(
                    indicator,
                    unit,
                    region,
                    year,
                    plan,
                    gdp_growth,
                    sums.get(unit),
                    income_now,
                    income_base,
                    counts,
                    missing,
                )
            )
    return rows


def _defined_aggregations(
    indicators: list[IndicatorTarget], facts: Facts, decisions: pl.DataFrame, *, year: int, plan: Plan
) -> list[pl.Expr]:
    """The per-unit sums of the indicators the plan file defines by expression (code__n, code__d)."""
    if not indicators:
        return []
    context = Context(facts=facts, decisions=decisions, year=year, plan_start=dt.date(plan.start_year, 1, 1))
    aggs: list[pl.Expr] = []
    for indicator in indicators:
        definition = indicator.definition
        assert definition is not None
        code = indicator.code
        if definition.kind == RATE:
            assert definition.numerator is not None and definition.denominator is not None
            for side, expression in (("n", definition.numerator), ("d", definition.denominator)):
                aggs.append(expression.polars(context).fill_null(False).sum().alias(f"{code}__{side}"))
            continue
        assert definition.where is not None
        where = definition.where.polars(context).fill_null(False)
        if definition.count == "households":
            aggs.append(pl.col("household_number").filter(where).n_unique().alias(f"{code}__n"))
        else:
            aggs.append(where.sum().alias(f"{code}__n"))
    return aggs


def _row(
    indicator: IndicatorTarget,
    unit: str,
    region: str,
    year: int,
    plan: Plan,
    gdp_growth: Decimal | None,
    sums: dict[str, Any] | None,
    income_now: dict[str, tuple[float, int]],
    income_base: dict[str, tuple[float, int]],
    counts: dict[str, dict[str, int]],
    missing: set[str] | None = None,
) -> dict[str, Any]:
    code = indicator.code
    target = indicator.target
    definition: Definition | None = indicator.definition
    numerator: Any
    denominator: Any
    value: Decimal | int | None
    if indicator.scope == "city" and unit != CITY_CODE:
        target = None  # a city-scope target (the counts of 专栏1) applies to the city only
    if indicator.comparison == "gdp":
        target = gdp_growth
        now, base = income_now.get(unit), income_base.get(unit)
        value = annual_growth(now[0] if now else None, base[0] if base else None, year - plan.base_year)
        numerator = _money(now[0]) if now else None
        denominator = _money(base[0]) if base else None
    elif code in (missing or set()):
        numerator = denominator = value = None
    elif definition is not None and definition.kind == COUNT:
        numerator = value = int((sums or {}).get(f"{code}__n") or 0)
        denominator = None
    elif definition is None and code in ("training_persons", "home_renovations"):
        numerator = value = counts.get(unit, {}).get(code, 0)
        denominator = None
    else:
        numerator = int((sums or {}).get(f"{code}__n") or 0)
        denominator = int((sums or {}).get(f"{code}__d") or 0)
        value = rate(numerator, denominator)
    return {
        "code": code,
        "region": unit,
        "year": year,
        "numerator": numerator,
        "denominator": denominator,
        "value": _number(value) if isinstance(value, Decimal) else value,
        "target": _number(target),
        "kind": indicator.kind,
        "met": is_met(value, target, indicator.comparison),
    }


def member_ids(facts: Facts, *, code: str, year: int, plan: Plan) -> tuple[list[int], list[int] | None]:
    """(numerator person ids, denominator person ids or None) of one indicator over `facts`.

    Rates: the persons counted in the numerator and in the denominator. Counts: the persons with a
    qualifying service, or meeting the count's condition (for households, the members whose households
    are counted); no denominator. Income growth: the persons surveyed with an income in Y (I_Y) and in
    the base year (I_base). A yearly list not sent yet: nobody is counted (the value is null).
    """
    indicator = plan.indicator(code)
    definition: Definition | None = indicator.definition
    absent = missing_in_facts(facts, year=year)
    if definition is None and code in {gap.indicator_code for gap in absent}:
        return [], []
    if definition is not None and definition.lists_measured & {gap.kind for gap in absent}:
        return [], []
    if indicator.comparison == "gdp":
        surveyed = facts.surveys.filter(pl.col("income").is_not_null())
        now = surveyed.filter(pl.col("year") == year).get_column("person_id").unique().sort()
        base = surveyed.filter(pl.col("year") == plan.base_year).get_column("person_id").unique().sort()
        return now.to_list(), base.to_list()
    if definition is None and code in ("training_persons", "home_renovations"):
        services = facts.lists["services"].filter(
            pl.col("person_id").is_not_null()
            & pl.col("start_date").is_between(dt.date(plan.start_year, 1, 1), facts.on)
            & pl.col("status").fill_null("").is_in(COMPLETED_RESULTS)
            & (pl.col("category") == (TRAINING if code == "training_persons" else RENOVATION))
        )
        served = services.join(facts.persons.select("person_id"), on="person_id")
        return served.get_column("person_id").unique().sort().to_list(), None
    prepared = prepare(facts, with_texts=False)
    decisions = evaluate(prepared, with_reasons=False)
    people = _person_frame(facts, prepared, decisions, year)
    if definition is None:
        numerator, denominator = _rate_parts()[code]
    else:
        context = Context(
            facts=facts, decisions=decisions, year=year, plan_start=dt.date(plan.start_year, 1, 1)
        )
        parts = [expression.polars(context).fill_null(False) for _, _, expression in definition.parts()]
        if definition.kind == COUNT:
            return people.filter(parts[0]).get_column("person_id").sort().to_list(), None
        numerator, denominator = parts
    sides = people.select("person_id", n=numerator, d=denominator)
    return (
        sides.filter(pl.col("n")).get_column("person_id").sort().to_list(),
        sides.filter(pl.col("d")).get_column("person_id").sort().to_list(),
    )


def mean_gdp_growth(rates: dict[int, Decimal], *, year: int, plan: Plan) -> Decimal | None:
    """The city's mean annual GDP growth over the plan's first year..Y (RULES.md, ``income_growth``).

    ((Π (1 + g_y/100))^(1/(Y − base)) − 1) × 100 over the yearly rates g_y entered for
    start_year..Y, rounded half-up to 0.01 like every rate; None unless every one of them is entered.
    """
    years = range(plan.start_year, year + 1)
    if year <= plan.base_year or any(y not in rates for y in years):
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        product = Decimal(1)
        for y in years:
            product *= 1 + Decimal(rates[y]) / 100
        if product <= 0:
            return None
        growth = (product ** (Decimal(1) / Decimal(year - plan.base_year)) - 1) * 100
        return growth.quantize(CENT, rounding=ROUND_HALF_UP)


def gdp_growth_for(year: int, plan: Plan | None = None) -> Decimal | None:
    """The target of ``income_growth`` for year Y: the mean annual GDP growth over the plan's years to Y."""
    from huican.monitoring.models import GdpGrowth

    plan = plan or plan_for_year(year)
    rates = dict(
        GdpGrowth.objects.filter(year__gte=plan.start_year, year__lte=year).values_list(
            "year", "rate_percent"
        )
    )
    return mean_gdp_growth(rates, year=year, plan=plan)


def compute_indicators(
    *, year: int, as_of: dt.date | None = None, region: str | None = None, plan: Plan | None = None
) -> list[dict[str, Any]]:
    """Every indicator for the city and every county-level unit (or only `region`'s rows).

    `region`: None → the city row and the 15 county-level rows; 140900 → the city row only; a county
    code → that county's rows; a township or village code → rows for the persons registered under
    it (each definition is by the person's own registration, so a part is computed on its own).
    """
    plan = plan or plan_for_year(year)
    on = evaluation_date(year, as_of)
    units: list[str] = []
    if region is None:
        units = sorted(COUNTY_CODES)
    elif region != CITY_CODE and not (len(region) in (6, 9, 12) and region[:6] in COUNTY_CODES):
        raise ValueError(f"区划代码 {region} 不是本市的县级单位或其下级区划")
    region = region or CITY_CODE
    facts = load_facts(on=on, region=None if region == CITY_CODE else region)
    return indicators_from_facts(
        facts, year=year, plan=plan, gdp_growth=gdp_growth_for(year, plan), region=region, units=units
    )
