"""The benefits of RULES.md, each defined once, and the engine that decides them.

A benefit is a list of clauses (huican.policy.clauses), an optional monthly amount and optional
flags. ``decide`` evaluates every clause of every benefit for every person in one polars pass over
the prepared frame; ``explain_person`` runs the very same evaluation on a one-person Facts.

Three-valued decision (RULES.md "Decisions"): any failed clause → ``ineligible`` (every clause is
listed with its result, so every failed clause is named); otherwise any unknown clause →
``unknown``; otherwise ``eligible``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from huican.policy import clauses as cl
from huican.policy.clauses import Clause
from huican.policy.facts import Facts, load_facts
from huican.policy.vocabulary import prepare, to_fen


@dataclass(frozen=True)
class Benefit:
    """One benefit: all clauses must pass; `amount_fen` (per month, in fen) and flags when eligible."""

    code: str
    name: str
    clauses: tuple[Clause, ...]
    amount_fen: pl.Expr | None = None
    flags: tuple[tuple[str, pl.Expr], ...] = ()


c = pl.col

DEFINITIONS: tuple[Benefit, ...] = (
    Benefit(
        "living_subsidy",
        "困难残疾人生活补贴",
        (
            cl.VALID_CERTIFICATE,
            cl.DIBAO_OR_NEAR_POOR,
            cl.not_on_list("orphan", "不在孤儿和事实无人抚养儿童保障范围", cl.TWO_SUBSIDIES),
            cl.not_on_list("tekun", "不属于特困供养人员", cl.TWO_SUBSIDIES),
            cl.not_on_list("injury_care", "未领取工伤保险生活护理费", cl.TWO_SUBSIDIES),
        ),
        amount_fen=to_fen(c("living_subsidy")),
    ),
    Benefit(
        "nursing_subsidy",
        "重度残疾人护理补贴",
        (
            cl.VALID_CERTIFICATE,
            cl.NURSING_SEVERITY,
            cl.LONG_TERM_CARE,
            cl.not_on_list("injury_care", "未领取工伤保险生活护理费", cl.TWO_SUBSIDIES),
            cl.not_on_list("tekun", "不属于特困供养人员", cl.TWO_SUBSIDIES),
        ),
        amount_fen=to_fen(pl.when(c("grade") == 1).then(c("nursing_grade1")).otherwise(c("nursing_grade2"))),
        # 择高享受: an elderly care allowance and this subsidy cannot both be paid.
        flags=(("choose_higher", c("in_elderly_care")),),
    ),
    Benefit(
        "dibao_alone",
        "单独申请低保",
        (
            cl.VALID_CERTIFICATE,
            cl.LOW_INCOME_OR_NEAR_POOR,
            cl.SEVERE_OR_GRADE3_INTELLECTUAL_MENTAL,
            cl.not_on_list("dibao", "尚未纳入低保", cl.PLAN_SOCIAL_SECURITY),
            cl.not_on_list("tekun", "不属于特困供养人员", cl.PLAN_SOCIAL_SECURITY),
        ),
    ),
    Benefit(
        "dibao_topup",
        "重度残疾人低保增发",
        (cl.VALID_CERTIFICATE, cl.IN_DIBAO, cl.SEVERE.based_on(cl.PLAN_TOPUP)),
        amount_fen=c("topup_fen"),
    ),
    Benefit("child_rehab", "残疾儿童康复救助", (cl.VALID_CERTIFICATE, cl.CHILD_AGE)),
    Benefit("medical_premium_aid", "重度残疾人医保个人缴费资助", (cl.VALID_CERTIFICATE, cl.SEVERE)),
    Benefit(
        "pension_premium_aid",
        "重度残疾人养老保险代缴",
        (cl.VALID_CERTIFICATE, cl.SEVERE.based_on(cl.PENSION), cl.WORKING_AGE),
    ),
    Benefit(
        "home_renovation",
        "困难重度残疾人家庭无障碍改造",
        (
            cl.VALID_CERTIFICATE,
            cl.SEVERE.based_on(cl.RENOVATION),
            cl.POOR_HOUSEHOLD,
            cl.RENOVATION_NEED,
            cl.NO_COMPLETED_RENOVATION,
        ),
    ),
)

BENEFITS: tuple[str, ...] = tuple(b.code for b in DEFINITIONS)
BENEFIT_NAMES: dict[str, str] = {b.code: b.name for b in DEFINITIONS}
DECISION_NAMES = {"eligible": "符合", "ineligible": "不符合", "unknown": "无法判定（缺少信息）"}
FLAG_NAMES = {"choose_higher": "择高享受：同时享受老年人护理补贴，须择一"}

ELIGIBLE, INELIGIBLE, UNKNOWN = "eligible", "ineligible", "unknown"


def _enum(values: Sequence[str]) -> pl.Enum:
    return pl.Enum(list(dict.fromkeys(values)))


_all_clauses = [clause for b in DEFINITIONS for clause in b.clauses]
CLAUSE_CODES = _enum([x.code for x in _all_clauses])
CLAUSE_LABELS = _enum([x.label for x in _all_clauses])
CLAUSE_BASES = _enum([x.basis for x in _all_clauses])


def _evaluate_benefit(
    frame: pl.LazyFrame, benefit: Benefit, keep: Sequence[str], with_reasons: bool
) -> pl.LazyFrame:
    passed = [f"_p{i}" for i in range(len(benefit.clauses))]
    failed = pl.any_horizontal([c(p).eq_missing(False) for p in passed])
    unknown = pl.any_horizontal([c(p).is_null() for p in passed])
    decision = (
        pl.when(failed)
        .then(pl.lit(INELIGIBLE))
        .when(unknown)
        .then(pl.lit(UNKNOWN))
        .otherwise(pl.lit(ELIGIBLE))
    )
    eligible = ~failed & ~unknown
    amount = (
        pl.when(eligible).then(benefit.amount_fen / 100) if benefit.amount_fen is not None else pl.lit(None)
    ).cast(pl.Float64)
    # concat_arr + to_list: concat_list of structs is an order of magnitude slower (polars 2.1)
    flags = (
        pl.concat_arr(
            [pl.when(eligible & cond.fill_null(False)).then(pl.lit(code)) for code, cond in benefit.flags]
            or [pl.lit(None, dtype=pl.String)]
        )
        .arr.to_list()
        .list.drop_nulls()
    )
    reasons = pl.concat_arr(
        [
            pl.struct(
                clause=pl.lit(clause.code, dtype=CLAUSE_CODES),
                label=pl.lit(clause.label, dtype=CLAUSE_LABELS),
                passed=c(p),
                detail=clause.detail,
                basis=pl.lit(clause.basis, dtype=CLAUSE_BASES),
            )
            for clause, p in zip(benefit.clauses, passed, strict=True)
        ]
    ).arr.to_list()
    return frame.with_columns(
        [clause.passed.alias(p) for clause, p in zip(benefit.clauses, passed, strict=True)]
    ).select(
        *keep,
        benefit=pl.lit(benefit.code),
        decision=decision,
        amount=amount,
        flags=flags,
        **({"reasons": reasons} if with_reasons else {}),
    )


def evaluate(
    prepared: pl.DataFrame,
    *,
    keep: Sequence[str] = ("person_id",),
    with_reasons: bool = True,
    only: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Every benefit for every row of a prepared frame, ordered by row then BENEFITS.

    `keep` names columns of `prepared` to carry into the result (e.g. an ID number for output).
    ``with_reasons=False`` leaves out the reasons column (same decisions, several times cheaper:
    findings and indicators need only decision, amount and flags). `only` keeps those benefits
    (in BENEFITS order), e.g. the two subsidies of a payment roll.
    """
    if with_reasons and "certificate_text" not in prepared.columns:
        raise ValueError("reasons need prepare(facts, with_texts=True)")
    frame = prepared.lazy()
    # rechunk first: a gather over a many-chunk nested column is two orders of magnitude slower
    chosen = [b for b in DEFINITIONS if only is None or b.code in only]
    stacked = pl.concat(
        pl.collect_all([_evaluate_benefit(frame, b, keep, with_reasons) for b in chosen]), rechunk=True
    )
    # benefit-major → person-major: row r of benefit j sits at j*n + r (cheaper than a sort)
    n, k = prepared.height, len(chosen)
    order = (np.arange(k, dtype=np.int64)[None, :] * n + np.arange(n, dtype=np.int64)[:, None]).ravel()
    return stacked[order]


def decide(facts: Facts, *, with_reasons: bool = True) -> pl.DataFrame:
    """Columns person_id, benefit, decision, amount, flags, reasons — one row per person × benefit,
    ordered as facts.persons, then BENEFITS (reasons left out when ``with_reasons`` is False)."""
    return evaluate(prepare(facts, with_texts=with_reasons), with_reasons=with_reasons)


def explain_person(person_id: int, on: dt.date) -> list[dict[str, Any]]:
    """The decisions of one person on `on`, clause by clause, for the web page (BENEFITS order)."""
    rows = decide(load_facts(on=on, person_ids=[person_id])).to_dicts()
    for row in rows:
        row["name"] = BENEFIT_NAMES[row["benefit"]]
        row["decision_name"] = DECISION_NAMES[row["decision"]]
        row["flag_names"] = [FLAG_NAMES.get(f, f) for f in row["flags"]]
    return rows
