"""RULES.md "Vocabulary", evaluated on a date D for every person at once.

``prepare(facts)`` turns the facts into ONE frame, one row per registry person, holding every fact
the rules read (each as a value that may be null = unknown) and the Chinese text that states it.
The rules (huican.policy.rules) are then plain expressions over this frame, so the batch and the
explanation of one person run exactly the same code.

Money is compared and rounded in integer fen (分) so that no float error decides a boundary.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES
from huican.exchange.kinds import KINDS, STANDARD_FIELDS
from huican.policy.facts import Facts
from huican.regions.divisions import CITY_CODE

NORMAL = "正常"
DEAD = "死亡"
INTELLECTUAL_MENTAL = (5, 6)  # 智力, 精神 (a 多重 certificate counts as neither)
# The lists a decision's sentence names membership of ("判定日在低保名单"): ``KindSpec.statement_name``.
MEMBERSHIP_LISTS = {kind: spec.statement_name for kind, spec in KINDS.items() if spec.statement_name}
STANDARD_COLUMNS = tuple(f.name for f in STANDARD_FIELDS)


def date_text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String)  # ISO YYYY-MM-DD


def money_text(fen: pl.Expr) -> pl.Expr:
    """Integer fen → "7800.50"."""
    return pl.format("{}.{}", fen // 100, (fen % 100).cast(pl.String).str.zfill(2))


def to_fen(yuan: pl.Expr) -> pl.Expr:
    return (yuan * 100).round(0).cast(pl.Int64)


def in_force_on(frame: pl.DataFrame | pl.LazyFrame, on: dt.date) -> pl.LazyFrame:
    """List rows in force on D: start ≤ D and (no end, or end ≥ D)."""
    d = pl.lit(on)
    return frame.lazy().filter(
        (pl.col("start_date") <= d) & (pl.col("end_date").is_null() | (pl.col("end_date") >= d))
    )


def membership(frame: pl.DataFrame, on: dt.date, kind: str) -> pl.LazyFrame:
    """Per person on list `kind` on D: in_<kind> (True), <kind>_start/<kind>_end of the latest row in
    force, and <kind>_text stating it (computed here, on the members only, to stay cheap)."""
    name = MEMBERSHIP_LISTS.get(kind, kind)
    start, end = pl.col(f"{kind}_start"), pl.col(f"{kind}_end")
    return (
        in_force_on(frame, on)
        .filter(pl.col("person_id").is_not_null())
        .sort("start_date")
        .group_by("person_id")
        .agg(
            pl.col("start_date").last().alias(f"{kind}_start"), pl.col("end_date").last().alias(f"{kind}_end")
        )
        .with_columns(
            pl.lit(True).alias(f"in_{kind}"),
            pl.when(end.is_null())
            .then(pl.format(f"在{name}名单（{{}} 起）", date_text(start)))
            .otherwise(pl.format(f"在{name}名单（{{}} 至 {{}}）", date_text(start), date_text(end)))
            .alias(f"{kind}_text"),
        )
    )


def standards_in_force(standards: pl.DataFrame, on: dt.date) -> tuple[pl.DataFrame, dict[str, object] | None]:
    """Latest row ≤ D per county (frame keyed by county_code) and the latest city-wide row (or None)."""
    latest = (
        standards.filter(pl.col("effective_date") <= pl.lit(on))
        .sort("region_code", "effective_date")
        .group_by("region_code", maintain_order=True)
        .last()
    )
    city = latest.filter(pl.col("region_code") == CITY_CODE)
    county = latest.filter(pl.col("region_code") != CITY_CODE).rename(
        {"region_code": "county_code", "effective_date": "std_effective"}
    )
    return county, (city.row(0, named=True) if city.height else None)


def _attach_standards(persons: pl.LazyFrame, standards: pl.DataFrame, on: dt.date) -> pl.LazyFrame:
    county, city = standards_in_force(standards, on)
    joined = persons.join(
        county.lazy().rename({c: f"_county_{c}" for c in STANDARD_COLUMNS}),
        on="county_code",
        how="left",
        maintain_order="left",
    )
    found_county = pl.col("std_effective").is_not_null()
    columns = []
    for c in STANDARD_COLUMNS:
        dtype = standards.schema[c]
        city_value = pl.lit(city[c] if city else None, dtype=dtype)
        # the whole row applies: never mix a county row with city values column by column
        columns.append(pl.when(found_county).then(pl.col(f"_county_{c}")).otherwise(city_value).alias(c))
    return joined.with_columns(
        *columns,
        std_region=pl.when(found_county)
        .then(pl.col("county_code"))
        .otherwise(pl.lit(CITY_CODE if city else None, dtype=pl.String)),
        std_effective=pl.when(found_county)
        .then(pl.col("std_effective"))
        .otherwise(pl.lit(city["effective_date"] if city else None, dtype=pl.Date)),
    ).drop([f"_county_{c}" for c in STANDARD_COLUMNS])


def _latest_survey(surveys: pl.DataFrame, on: dt.date) -> pl.LazyFrame:
    return (
        surveys.lazy()
        .filter(pl.col("year") <= on.year)
        .sort("year")
        .group_by("person_id")
        .last()
        .select(
            "person_id",
            survey_year="year",
            income_fen=to_fen(pl.col("income")),
            long_term_care="long_term_care",
            renovation_need="renovation_need",
            # read by the needs findings (huican.matching.needs), not by the rules
            household_size="household_size",
            rehab_need="rehab_need",
            device_need="device_need",
            care_service_need="care_service_need",
            employment="employment",
        )
    )


def _deaths(facts: Facts) -> pl.LazyFrame:
    return (
        facts.lists["deaths"]
        .lazy()
        .filter(pl.col("person_id").is_not_null() & (pl.col("start_date") <= pl.lit(facts.on)))
        .group_by("person_id")
        .agg(listed_death=pl.col("start_date").min())
    )


def _renovated_households(facts: Facts) -> pl.LazyFrame:
    """Households with a completed 无障碍改造 dated ≤ D (earliest date)."""
    services = facts.lists["services"]
    from_lists = (
        services.lazy()
        .filter(
            (pl.col("category") == "无障碍改造")
            & (pl.col("status").is_null() | pl.col("status").is_in(["完成", ""]))
            & pl.col("person_id").is_not_null()
        )
        .join(facts.persons.lazy().select("person_id", "household_number"), on="person_id")
        .select("household_number", "person_id", service_date=pl.col("start_date"))
    )
    return (
        pl.concat([facts.renovations.lazy(), from_lists])
        .filter(pl.col("service_date") <= pl.lit(facts.on))
        .group_by("household_number")
        .agg(renovated_on=pl.col("service_date").min())
    )


def valid_certificate_at(day: pl.Expr) -> pl.Expr:
    """RULES.md *valid certificate* on a day that varies by row (`prepare` has it for one date D):
    status on the day is 正常, not dead on it, issue date ≤ day < expiry. Reads the person columns
    status, status_date, issue_date, expiry_date and `listed_death` (earliest `deaths` date, null
    when none); null for a row without a registry person."""
    status_in_force = (pl.col("status") != NORMAL) & (pl.col("status_date") <= day).fill_null(False)
    listed_dead = (pl.col("listed_death") <= day).fill_null(False)
    return (
        pl.when(pl.col("issue_date").is_null())
        .then(None)
        .otherwise(
            ~status_in_force & ~listed_dead & (pl.col("issue_date") <= day) & (day < pl.col("expiry_date"))
        )
    )


def prepare(facts: Facts, *, with_texts: bool = True) -> pl.DataFrame:
    """One row per person (in facts.persons order) with every vocabulary fact on facts.on.

    ``with_texts=False`` skips the Chinese statements of the facts (the clause details): enough for
    ``evaluate(..., with_reasons=False)`` and noticeably cheaper for a whole city.
    """
    on = facts.on
    d = pl.lit(on)
    frame = facts.persons.lazy()
    frame = frame.join(_deaths(facts), on="person_id", how="left", maintain_order="left")
    for kind in MEMBERSHIP_LISTS:
        members = membership(facts.lists[kind], on, kind)
        frame = frame.join(members, on="person_id", how="left", maintain_order="left").with_columns(
            pl.col(f"in_{kind}").fill_null(False),
            pl.col(f"{kind}_text").fill_null(pl.lit(f"判定日不在{MEMBERSHIP_LISTS[kind]}名单")),
        )
    frame = _attach_standards(frame, facts.standards, on)
    frame = frame.join(_latest_survey(facts.surveys, on), on="person_id", how="left", maintain_order="left")
    frame = frame.join(_renovated_households(facts), on="household_number", how="left", maintain_order="left")

    registry_dead = (pl.col("status") == DEAD) & (pl.col("status_date") <= d).fill_null(False)
    status_in_force = (pl.col("status") != NORMAL) & (pl.col("status_date") <= d).fill_null(False)
    birth_md = pl.col("birth_date").dt.month().cast(pl.Int32) * 100 + pl.col("birth_date").dt.day()
    frame = frame.with_columns(
        dead=pl.col("listed_death").is_not_null() | registry_dead,
        death_date=pl.min_horizontal("listed_death", pl.when(registry_dead).then(pl.col("status_date"))),
        status_on=pl.when(status_in_force).then(pl.col("status")).otherwise(pl.lit(NORMAL)),
        age=(
            pl.lit(on.year)
            - pl.col("birth_date").dt.year()
            - (birth_md > on.month * 100 + on.day).cast(pl.Int32)
        ).cast(pl.Int32),
        severe=pl.col("grade").is_in([1, 2]),
        intellectual_mental=pl.col("category").is_in(list(INTELLECTUAL_MENTAL)),
        dibao_monthly_fen=to_fen(
            pl.when(pl.col("urban_rural") == "城镇")
            .then(pl.col("urban_dibao"))
            .otherwise(pl.col("rural_dibao"))
        ),
        near_poor_milli=(pl.col("near_poor_multiple") * 1000).round(0).cast(pl.Int64),
        topup_rate_e4=(pl.col("topup_rate") * 10000).round(0).cast(pl.Int64),
    ).with_columns(
        valid_certificate=(pl.col("status_on") == NORMAL)
        & ~pl.col("dead")
        & (pl.col("issue_date") <= d)
        & (d < pl.col("expiry_date")),
        dibao_line_fen=pl.col("dibao_monthly_fen") * 12,
    )
    income, line = pl.col("income_fen"), pl.col("dibao_line_fen")
    near_poor_line_milli = pl.col("near_poor_milli") * line  # fen × 1000
    frame = frame.with_columns(
        low_income=income < line,
        near_poor=(income >= line) & (income * 1000 < near_poor_line_milli),
        low_income_or_near_poor=income * 1000 < near_poor_line_milli,
        near_poor_line_fen=(near_poor_line_milli + 500) // 1000,
        topup_fen=(pl.col("topup_rate_e4") * pl.col("dibao_monthly_fen") + 5000) // 10000,
    )
    persons = frame.collect().rechunk()
    return with_fact_texts(persons, on) if with_texts else persons


def with_fact_texts(prepared: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Add the Chinese statements of the facts to rows of ``prepare(facts, with_texts=False)`` for
    the same date `on` — the same columns ``prepare(facts)`` gives, for as few rows as needed."""
    validity = pl.format(
        "发证日期 {}，有效期至 {}",
        date_text(pl.col("issue_date")),
        date_text(pl.col("expiry_date").dt.offset_by("-1d")),
    )
    return prepared.with_columns(_validity=validity).with_columns(_texts(on)).drop("_validity").rechunk()


def _texts(on: dt.date) -> list[pl.Expr]:
    """The Chinese statement of each fact, used as the clause details."""
    d = pl.lit(on)
    certificate = (
        pl.when(pl.col("dead"))
        .then(pl.format("已死亡（{}）", date_text(pl.col("death_date"))))
        .when(pl.col("status_on") != NORMAL)
        .then(pl.format("证件状态为{}（{} 起）", pl.col("status_on"), date_text(pl.col("status_date"))))
        .when(pl.col("issue_date") > d)
        .then(pl.format("发证日期晚于判定日：{}", pl.col("_validity")))
        .when(pl.col("expiry_date") <= d)
        .then(pl.format("证件已过期：{}", pl.col("_validity")))
        .otherwise(pl.col("_validity"))
    )
    grade = pl.col("grade").replace_strict(GRADE_NAMES, default="?", return_dtype=pl.String)
    category = pl.col("category").replace_strict(CATEGORY_NAMES, default="?", return_dtype=pl.String)
    no_survey = pl.col("survey_year").is_null()
    line_text = money_text(pl.col("dibao_line_fen"))
    income_text = (
        pl.when(no_survey)
        .then(pl.lit(f"无 {on.year} 年及以前的调查记录，家庭收入未知"))
        .when(pl.col("income_fen").is_null())
        .then(pl.format("{} 年调查未填家庭人均年收入，收入未知", pl.col("survey_year")))
        .when(pl.col("dibao_monthly_fen").is_null())
        .then(pl.lit("无生效的标准参数，低保线未知"))
        .otherwise(
            pl.format(
                "户人均年收入 {} 元；低保线 {} 元，低保边缘线 {} 元（{} 倍）",
                money_text(pl.col("income_fen")),
                line_text,
                money_text(pl.col("near_poor_line_fen")),
                (pl.col("near_poor_milli") / 1000).cast(pl.String),
            )
        )
    )

    def need_text(column: str, topic: str, yes: str, no: str) -> pl.Expr:
        answer = (
            pl.when(pl.col(column))
            .then(pl.lit(yes))
            .when(pl.col(column).not_())
            .then(pl.lit(no))
            .otherwise(pl.lit(f"未填{topic}，未知"))
        )
        return pl.format("{} 年调查：{}", pl.col("survey_year"), answer).fill_null(
            pl.lit(f"无 {on.year} 年及以前的调查记录，{topic}未知")
        )

    return [
        certificate.alias("certificate_text"),
        pl.format("残疾等级{}，类别{}", grade, category).alias("disability_text"),
        pl.format("判定日年龄 {} 周岁", pl.col("age")).alias("age_text"),
        income_text.alias("income_text"),
        need_text("long_term_care", "是否需要长期照护", "需要长期照护", "不需要长期照护").alias(
            "long_term_care_text"
        ),
        need_text("renovation_need", "无障碍改造需求", "有无障碍改造需求", "没有无障碍改造需求").alias(
            "renovation_need_text"
        ),
    ]
