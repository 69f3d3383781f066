"""Cross-matching findings (比对发现), RULES.md "Cross-matching findings", set-based.

``compute_findings(facts, decisions)`` returns one row per (code, person): person_id, code, county
(the first 6 digits of the person's 户籍地区划代码, never the ID number's address code),
township_code and a Chinese sentence with the facts a caseworker needs to act.

Findings about payments (paid_*, double_benefit, choose_higher) apply to anyone receiving, valid
certificate or not; coverage and enrolment findings apply to the certified population P(D).
"""

from __future__ import annotations

import polars as pl

from huican.matching.missing_lists import missing_in_facts
from huican.matching.needs import needs_findings
from huican.matching.vocabulary import (
    LIST_NAMES,
    NAMED_LIST_KINDS,
    PENSION_MIN_AGE,
    receiving_on,
    school_age_reference_day,
    school_year_on,
    situation,
)
from huican.policy.facts import Facts
from huican.policy.rules import evaluate
from huican.policy.vocabulary import with_fact_texts

FINDING_COLUMNS = {
    "person_id": pl.Int64,
    "code": pl.String,
    "county": pl.String,
    "township_code": pl.String,
    "detail": pl.String,
}
# The benefits whose decisions the findings read (``_decided``): a findings run evaluates only
# these, with their reasons (the other benefits' reasons would be most of the run's memory).
FINDING_BENEFITS = ("dibao_alone", "living_subsidy", "nursing_subsidy", "home_renovation")
NAME_SPACES = " \t\u3000"  # ASCII and full-width (U+3000) spaces
MAX_NAME_ROWS = 5  # name_mismatch details quote at most this many (list, name) pairs


def finding_decisions(facts: Facts, prepared: pl.DataFrame) -> pl.DataFrame:
    """The decisions of FINDING_BENEFITS for everyone, with reasons only where a finding quotes them.

    `prepared` is ``prepare(facts, with_texts=False)`` (texts are added here to the rows that need
    reasons; a frame with texts works too).

    The findings quote the reasons of the decisions 应保未保 (单独申请低保 eligible), 应补未补 (a
    subsidy eligible and not received on D), 不符合条件仍在发放 (a subsidy ineligible and received on D)
    and 无障碍改造待实施 (eligible). The decisions are evaluated once without reasons, then again
    with reasons for the persons with such a decision only; other rows get null reasons. The same
    findings for a fraction of the memory (reasons are most of a run's decisions).
    """
    decisions = evaluate(prepared, only=FINDING_BENEFITS, with_reasons=False)
    received = (
        receiving_on(facts)
        .select(pl.col("person_id").cast(decisions.schema["person_id"]), "benefit", received=pl.lit(True))
        .unique()
    )
    eligible = pl.col("decision") == "eligible"
    subsidy = pl.col("benefit").is_in(["living_subsidy", "nursing_subsidy"])
    quoted = (
        decisions.join(received, on=["person_id", "benefit"], how="left")
        .filter(
            (eligible & ~subsidy)
            | (subsidy & eligible & pl.col("received").is_null())
            | (subsidy & (pl.col("decision") == "ineligible") & pl.col("received").is_not_null())
        )
        .select("person_id")
        .unique()
    )
    explained = evaluate(
        with_fact_texts(prepared.join(quoted, on="person_id", how="semi"), facts.on), only=FINDING_BENEFITS
    )
    return decisions.join(
        explained.select("person_id", "benefit", "reasons"),
        on=["person_id", "benefit"],
        how="left",
        maintain_order="left",
    )


def _date_text(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%d")


def _decided(decisions: pl.DataFrame, benefit: str, decision: str) -> pl.DataFrame:
    """person_id and reasons of the persons whose decision for `benefit` is `decision`."""
    rows = decisions.filter((pl.col("benefit") == benefit) & (pl.col("decision") == decision))
    if "reasons" not in rows.columns:
        return rows.select("person_id", reasons=pl.lit(None, dtype=pl.List(pl.String)))
    return rows.select("person_id", "reasons")


def _reason_texts(frame: pl.DataFrame) -> pl.DataFrame:
    """Add reasons_passed / reasons_failed: the clause details joined with "；".

    The exclusions that did not apply ("not_…" clauses) are left out of the passed ones: they say
    nothing a caseworker needs. Call it on the few candidate rows only (it reads every clause).
    """
    reasons = frame.schema.get("reasons")
    fields = (
        {f.name for f in reasons.inner.fields}
        if isinstance(reasons, pl.List) and isinstance(reasons.inner, pl.Struct)
        else set()
    )
    if not {"clause", "passed", "detail"} <= fields:
        return frame.with_columns(
            reasons_passed=pl.lit(None, dtype=pl.String), reasons_failed=pl.lit(None, dtype=pl.String)
        )
    element = pl.element().struct
    positive = ~element.field("clause").cast(pl.String).str.starts_with("not_")
    return frame.with_columns(
        reasons_passed=pl.col("reasons")
        .list.eval(element.field("detail").filter(element.field("passed") & positive))
        .list.join("；"),
        reasons_failed=pl.col("reasons")
        .list.eval(element.field("detail").filter(element.field("passed").not_()))
        .list.join("；"),
    )


def _bracketed(column: str) -> pl.Expr:
    """ "（text）" when the column has text, "" otherwise."""
    value = pl.col(column).fill_null("")
    return pl.when(value != "").then(pl.format("（{}）", value)).otherwise(pl.lit(""))


def _coverage_findings(people: pl.DataFrame, decisions: pl.DataFrame, month: str) -> list[pl.DataFrame]:
    out = []
    dibao = _reason_texts(_decided(decisions, "dibao_alone", "eligible"))
    out.append(
        people.join(dibao, on="person_id").select(
            "person_id",
            code=pl.lit("dibao_not_covered"),
            detail=pl.format(
                "符合单独申请低保条件{}，{} 不在低保、特困名单中", _bracketed("reasons_passed"), pl.lit(month)
            ),
        )
    )
    for benefit, code, name, receiving in (
        ("living_subsidy", "living_subsidy_not_covered", "困难残疾人生活补贴", "receiving_living"),
        ("nursing_subsidy", "nursing_subsidy_not_covered", "重度残疾人护理补贴", "receiving_nursing"),
    ):
        eligible = _decided(decisions, benefit, "eligible")
        out.append(
            _reason_texts(
                people.filter(~pl.col(receiving)).select("person_id").join(eligible, on="person_id")
            ).select(
                "person_id",
                code=pl.lit(code),
                detail=pl.format(
                    "符合{}条件{}，{} 未在发放", pl.lit(name), _bracketed("reasons_passed"), pl.lit(month)
                ),
            )
        )
    return out


def _payment_findings(people: pl.DataFrame, decisions: pl.DataFrame, month: str) -> list[pl.DataFrame]:
    out = []
    paid = pl.col("receiving_living") | pl.col("receiving_nursing")
    paid_names = pl.concat_str(
        [
            pl.when(pl.col("receiving_nursing")).then(pl.lit("护理补贴")),
            pl.when(pl.col("receiving_living")).then(pl.lit("生活补贴")),
        ],
        separator="、",
        ignore_nulls=True,
    )
    out.append(
        people.filter(paid & pl.col("dead")).select(
            "person_id",
            code=pl.lit("paid_after_death"),
            detail=pl.format(
                "死亡日期 {}，{} 仍在发放{}", _date_text("death_date"), pl.lit(month), paid_names
            ),
        )
    )

    parts: list[pl.DataFrame] = []
    for benefit, receiving, name in (
        ("nursing_subsidy", "receiving_nursing", "护理补贴"),
        ("living_subsidy", "receiving_living", "生活补贴"),
    ):
        ineligible = _decided(decisions, benefit, "ineligible")
        paying = people.filter(pl.col(receiving) & ~pl.col("dead")).select("person_id")
        parts.append(
            _reason_texts(paying.join(ineligible, on="person_id")).select(
                "person_id",
                order=pl.lit(len(parts)),
                text=pl.format("仍在发放{}，但判定为不符合{}", pl.lit(name), _bracketed("reasons_failed")),
            )
        )
    out.append(
        pl.concat(parts)
        .sort("person_id", "order")
        .group_by("person_id", maintain_order=True)
        .agg(pl.col("text").str.join("；"))
        .select(
            "person_id",
            code=pl.lit("paid_while_ineligible"),
            detail=pl.format("{} {}", pl.lit(month), pl.col("text")),
        )
    )

    kinds = ("injury_care", "tekun", "orphan", "elderly_care")
    since = people.select(
        "person_id",
        "receiving_living",
        "receiving_nursing",
        *[f"in_{kind}" for kind in kinds],
        *[_date_text(f"{kind}_start").alias(f"{kind}_since") for kind in kinds],
    )
    double = pl.concat_str(
        [
            pl.when(pl.col("receiving_nursing") & pl.col("in_injury_care")).then(
                pl.format(
                    "在发放护理补贴，同时享受工伤保险生活护理费（起始 {}）", pl.col("injury_care_since")
                )
            ),
            pl.when(pl.col("receiving_living") & pl.col("in_tekun")).then(
                pl.format("在发放生活补贴，同时为特困供养人员（起始 {}）", pl.col("tekun_since"))
            ),
            pl.when(pl.col("receiving_living") & pl.col("in_orphan")).then(
                pl.format(
                    "在发放生活补贴，同时享受孤儿或事实无人抚养儿童保障（起始 {}）", pl.col("orphan_since")
                )
            ),
        ],
        separator="；",
        ignore_nulls=True,
    )
    out.append(
        since.with_columns(text=double)
        .filter(pl.col("text").is_not_null() & (pl.col("text") != ""))
        .select("person_id", code=pl.lit("double_benefit"), detail=pl.format("{} {}", pl.lit(month), "text"))
    )
    out.append(
        since.filter(pl.col("receiving_nursing") & pl.col("in_elderly_care")).select(
            "person_id",
            code=pl.lit("choose_higher"),
            detail=pl.format(
                "{} 在发放护理补贴，同时享受老年人护理补贴（起始 {}），需确认择高享受其一",
                pl.lit(month),
                pl.col("elderly_care_since"),
            ),
        )
    )
    return out


def _enrolment_findings(facts: Facts, people: pl.DataFrame) -> list[pl.DataFrame]:
    on = facts.on
    certified = people.filter(pl.col("valid_certificate"))
    suspended = (
        facts.lists["pension"]
        .filter(
            pl.col("person_id").is_not_null() & (pl.col("year") == on.year) & (pl.col("status") == "暂停")
        )
        .select("person_id")
        .unique()
        .with_columns(suspended=pl.lit(True))
    )
    return [
        certified.filter(~pl.col("medical_insured")).select(
            "person_id",
            code=pl.lit("medical_not_enrolled"),
            detail=pl.lit(f"持有效残疾人证，{on.year} 年度医疗保险参保名单中无此人"),
        ),
        certified.filter(
            (pl.col("age") >= PENSION_MIN_AGE) & ~pl.col("in_school") & ~pl.col("pension_insured")
        )
        .join(suspended, on="person_id", how="left")
        .select(
            "person_id",
            code=pl.lit("pension_not_enrolled"),
            detail=pl.format(
                "持有效残疾人证，{} 岁、不在学，{} 年度无有效养老保险参保记录{}",
                pl.col("age"),
                pl.lit(on.year),
                pl.when(pl.col("suspended")).then(pl.lit("（参保状态为暂停）")).otherwise(pl.lit("")),
            ),
        ),
        certified.filter(pl.col("school_age") & ~pl.col("in_school")).select(
            "person_id",
            code=pl.lit("child_not_enrolled"),
            detail=pl.format(
                "持有效残疾人证，{} 年 8 月 31 日满 {} 周岁，属义务教育适龄，{} 学年学籍名单中无此人",
                pl.lit(school_age_reference_day(on).year),
                pl.col("age_at_school_start"),
                pl.lit(school_year_on(on)),
            ),
        ),
    ]


def _certificate_findings(facts: Facts, people: pl.DataFrame) -> pl.DataFrame:
    return people.filter(
        (pl.col("status_on") == "正常") & ~pl.col("dead") & (pl.col("expiry_date") <= facts.on)
    ).select(
        "person_id",
        code=pl.lit("certificate_expired"),
        detail=pl.format(
            "残疾人证发证日期 {}，已于 {} 到期", _date_text("issue_date"), _date_text("expiry_date")
        ),
    )


def _name_findings(facts: Facts, people: pl.DataFrame) -> pl.DataFrame:
    """Every row of every list with a 姓名 column, whatever its dates, against the registry name."""
    registry = people.lazy().select(
        "person_id",
        registry_name=pl.col("name"),
        registry_trimmed=pl.col("name").fill_null("").str.strip_chars(NAME_SPACES),
    )
    # List by list, keeping only the rows whose name differs (a few of millions), so no frame of
    # every row of every list is ever built.
    differing = [
        facts.lists[kind]
        .lazy()
        .filter(pl.col("person_id").is_not_null())
        .select(
            "person_id",
            "row_number",
            list_trimmed=pl.col("name").fill_null("").str.strip_chars(NAME_SPACES),
            order=pl.lit(i),
        )
        .filter(pl.col("list_trimmed") != "")
        .join(registry, on="person_id")
        .filter(pl.col("list_trimmed") != pl.col("registry_trimmed"))
        .select("person_id", "row_number", "list_trimmed", "order", "registry_name")
        .collect()
        for i, kind in enumerate(NAMED_LIST_KINDS)
    ]
    list_names = {i: LIST_NAMES[kind] for i, kind in enumerate(NAMED_LIST_KINDS)}
    mismatched = (
        pl.concat(differing)
        .with_columns(list_name=pl.col("order").replace_strict(list_names, return_dtype=pl.String))
        .sort("person_id", "order", "row_number")
    )
    # one phrase per (list, name): "医疗保险参保名单第 6、19 行为“谢样平”"
    texts = (
        mismatched.group_by("person_id", "order", "list_name", "list_trimmed", maintain_order=True)
        .agg(
            pl.col("registry_name").first(), pl.col("row_number").cast(pl.String).str.join("、").alias("rows")
        )
        .select(
            "person_id",
            "registry_name",
            text=pl.format("{}第 {} 行为“{}”", "list_name", "rows", "list_trimmed"),
        )
    )
    return (
        texts.group_by("person_id", maintain_order=True)
        .agg(
            pl.col("registry_name").first(),
            pl.col("text").head(MAX_NAME_ROWS).str.join("；"),
            pl.len().alias("n"),
        )
        .select(
            "person_id",
            code=pl.lit("name_mismatch"),
            detail=pl.format(
                "名册姓名“{}”，{}{}",
                "registry_name",
                "text",
                pl.when(pl.col("n") > MAX_NAME_ROWS)
                .then(pl.format("等 {} 种写法", pl.col("n")))
                .otherwise(pl.lit("")),
            ),
        )
    )


def compute_findings(
    facts: Facts, decisions: pl.DataFrame, *, prepared: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Every finding on D = facts.on, one row per (code, person), ordered by code then person.

    `decisions` is ``huican.policy.rules.decide(facts)`` (the decisions of FINDING_BENEFITS are
    enough); pass `prepared` (the frame the decisions were evaluated on,
    ``huican.policy.vocabulary.prepare(facts)``) to avoid computing it twice.
    """
    people = situation(facts, prepared)
    month = facts.on.strftime("%Y-%m")
    parts = [
        *_coverage_findings(people, decisions, month),
        *_payment_findings(people, decisions, month),
        *_enrolment_findings(facts, people),
        _certificate_findings(facts, people),
        _name_findings(facts, people),
        *needs_findings(facts, people, _reason_texts(_decided(decisions, "home_renovation", "eligible"))),
    ]
    found = pl.concat([part.select("person_id", "code", "detail") for part in parts])
    # A yearly list not sent yet for the period read produces no finding (huican.matching.missing_lists).
    withheld = [missing.finding_code for missing in missing_in_facts(facts)]
    found = found.filter(~pl.col("code").is_in(withheld))
    places = people.select("person_id", county=pl.col("county_code"), township_code=pl.col("township_code"))
    return (
        found.join(places, on="person_id", how="left")
        .unique(subset=["code", "person_id"], keep="first", maintain_order=True)
        .select(list(FINDING_COLUMNS))
        .cast(FINDING_COLUMNS)  # type: ignore[arg-type]
        .sort("code", "person_id")
    )
