"""政策计算器: which benefits of RULES.md may apply to someone, from a few plain answers, without logging in.

The answers become a hypothetical person — a one-person ``Facts`` bundle built in memory, never
saved — and the very rules the staff pages use (``huican.policy.vocabulary.prepare`` and
``huican.policy.rules.evaluate`` over ``huican.policy.rules.DEFINITIONS``) decide every benefit for
it, with the standards in force in the chosen county today. Nothing here decides eligibility itself:
this module only builds the facts and reads the decisions back in plain words
(``huican.portal.selfcheck_text``).

A departmental list the rules treat as known (being in 低保 or 特困) is unknown when the visitor
answers 不清楚: the rules then run once per possibility (one row each, in the same pass) and a
benefit whose decision differs between them is "not sure", naming the missing fact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES
from huican.policy.facts import (
    LIST_SCHEMA,
    PERSON_SCHEMA,
    RENOVATION_SCHEMA,
    SURVEY_SCHEMA,
    Facts,
    expiry_expr,
    load_facts,
)
from huican.policy.rules import DEFINITIONS, ELIGIBLE, INELIGIBLE, UNKNOWN, evaluate
from huican.policy.vocabulary import prepare
from huican.portal import selfcheck_text as text
from huican.regions.divisions import CITY_CODE, COUNTY_CODES, COUNTY_NAMES

URBAN, RURAL = "城镇", "农村"
# 残疾人证
CERTIFICATE_VALID, CERTIFICATE_EXPIRED, CERTIFICATE_NONE = "valid", "expired", "none"
# 家庭情况: the lists the rules read (dibao, tekun) or the income they compare (低保边缘)
HARDSHIP_DIBAO, HARDSHIP_TEKUN, HARDSHIP_NEAR_POOR, HARDSHIP_NONE, HARDSHIP_UNSURE = (
    "dibao",
    "tekun",
    "near_poor",
    "none",
    "unsure",
)
HARDSHIPS = (HARDSHIP_DIBAO, HARDSHIP_TEKUN, HARDSHIP_NEAR_POOR, HARDSHIP_NONE, HARDSHIP_UNSURE)
# 无障碍改造
RENOVATION_NEEDED, RENOVATION_NOT_NEEDED, RENOVATION_DONE, RENOVATION_UNSURE = (
    "need",
    "no_need",
    "done",
    "unsure",
)
RENOVATIONS = (RENOVATION_NEEDED, RENOVATION_NOT_NEEDED, RENOVATION_DONE, RENOVATION_UNSURE)
# Other support already received: each is a departmental list a benefit excludes.
OTHER_SUPPORT = ("injury_care", "orphan", "elderly_care")
MAX_AGE = 120
MAX_INCOME = Decimal("9999999.99")
CENT = Decimal("0.01")


class AnswerError(ValueError):
    """Answers that cannot be checked: field name → Chinese message."""

    def __init__(self, errors: dict[str, Any]) -> None:
        self.errors = {name: str(message) for name, message in errors.items()}
        super().__init__("; ".join(self.errors.values()))


@dataclass(frozen=True)
class Answers:
    """What the visitor told us. ``None`` means 不清楚 (unknown to the rules, never "no")."""

    county: str  # one of the 15 county-level units (huican.regions.divisions.COUNTIES)
    urban_rural: str  # 城镇 / 农村: picks the urban or rural 低保 standard
    age: int  # whole years today
    certificate: str  # CERTIFICATE_*
    category: int | None = None  # 1..7 (CATEGORY_NAMES)
    grade: int | None = None  # 1..4
    hardship: str = HARDSHIP_UNSURE
    income: Decimal | None = None  # 家庭人均年收入, yuan per person per year
    long_term_care: bool | None = None
    renovation: str = RENOVATION_UNSURE
    other_support: frozenset[str] = frozenset()

    def check(self) -> None:
        """Raise AnswerError naming every answer that is out of range."""
        errors: dict[str, Any] = {}
        if self.county not in COUNTY_CODES:
            errors["county"] = text.ERRORS["county"]
        if self.urban_rural not in (URBAN, RURAL):
            errors["urban_rural"] = text.ERRORS["urban_rural"]
        if not 0 <= self.age <= MAX_AGE:
            errors["age"] = text.ERRORS["age"]
        if self.certificate not in (CERTIFICATE_VALID, CERTIFICATE_EXPIRED, CERTIFICATE_NONE):
            errors["certificate"] = text.ERRORS["certificate"]
        if self.category is not None and self.category not in CATEGORY_NAMES:
            errors["category"] = text.ERRORS["category"]
        if self.grade is not None and self.grade not in GRADE_NAMES:
            errors["grade"] = text.ERRORS["grade"]
        if self.hardship not in HARDSHIPS:
            errors["hardship"] = text.ERRORS["hardship"]
        if self.income is not None and not Decimal(0) <= self.income <= MAX_INCOME:
            errors["income"] = text.ERRORS["income"]
        if self.renovation not in RENOVATIONS:
            errors["renovation"] = text.ERRORS["renovation"]
        if not self.other_support <= set(OTHER_SUPPORT):
            errors["other_support"] = text.ERRORS["other_support"]
        if errors:
            raise AnswerError(errors)


@dataclass(frozen=True)
class Guidance:
    """Where and how to apply for one benefit."""

    where: str
    how: str
    documents: tuple[str, ...]
    online_url: str | None  # the portal's online application, when it exists


@dataclass(frozen=True)
class BenefitResult:
    code: str
    name: str
    outcome: str  # eligible 可能可以申请 / ineligible 可能不符合 / unknown 还不能确定
    reasons: tuple[str, ...]  # plain sentences: why
    missing: tuple[str, ...]  # what to find out or bring
    amount: Decimal | None  # yuan per month under the standards in force (when the benefit has one)
    has_amount: bool  # whether the benefit pays a monthly amount at all
    notes: tuple[str, ...]  # e.g. 择高享受
    guidance: Guidance

    @property
    def outcome_name(self) -> str:
        return str(text.OUTCOME_NAMES[self.outcome])


@dataclass(frozen=True)
class SelfCheckResult:
    on: dt.date
    county: str
    county_name: str
    standards_from: str | None  # "忻府区" or "全市" — whose standards apply; None when none loaded
    standards_since: dt.date | None
    benefits: tuple[BenefitResult, ...]

    def with_outcome(self, outcome: str) -> list[BenefitResult]:
        return [b for b in self.benefits if b.outcome == outcome]

    @property
    def likely(self) -> list[BenefitResult]:
        return self.with_outcome(ELIGIBLE)

    @property
    def unsure(self) -> list[BenefitResult]:
        return self.with_outcome(UNKNOWN)

    @property
    def unlikely(self) -> list[BenefitResult]:
        return self.with_outcome(INELIGIBLE)


def _variants(answers: Answers) -> list[frozenset[str]]:
    """The list memberships to try: one set for a known answer, every possibility for 不清楚."""
    extra = answers.other_support
    if answers.hardship == HARDSHIP_UNSURE:
        return [extra | {"dibao"}, extra | {"tekun"}, extra]
    if answers.hardship in (HARDSHIP_DIBAO, HARDSHIP_TEKUN):
        return [extra | {answers.hardship}]
    return [extra]


def _issue_date(certificate: str, on: dt.date) -> dt.date | None:
    if certificate == CERTIFICATE_VALID:
        return on  # valid from its issue date for ten years
    if certificate == CERTIFICATE_EXPIRED:
        return on.replace(year=on.year - 11, month=1, day=1)  # more than ten years ago
    return None  # no certificate yet: the rules cannot know whether one will be issued


def hypothetical_facts(answers: Answers, on: dt.date) -> Facts:
    """The Facts of the person the answers describe (one row per variant, negative ids), in memory.

    The standards and empty frames of the right shape come from ``load_facts`` for no person
    (reads only); everything about the person comes from the answers.
    """
    base = load_facts(on=on, person_ids=[])
    variants = _variants(answers)
    ids = [-(i + 1) for i in range(len(variants))]
    persons = pl.DataFrame(
        [
            {
                "person_id": pid,
                "id_hash": None,
                "name": None,
                "sex": None,
                # born on 1 January: whole years on any day of this year = the age given
                "birth_date": dt.date(on.year - answers.age, 1, 1),
                "category": answers.category,
                "grade": answers.grade,
                "issue_date": _issue_date(answers.certificate, on),
                "region_code": answers.county,
                "county_code": answers.county,
                "township_code": None,
                "urban_rural": answers.urban_rural,
                "household_number": f"selfcheck{pid}",
                "status": "正常",
                "status_date": None,
            }
            for pid in ids
        ],
        schema=PERSON_SCHEMA,
    ).with_columns(expiry_date=expiry_expr(pl.col("issue_date")))
    renovation_need = {RENOVATION_NEEDED: True, RENOVATION_NOT_NEEDED: False}.get(answers.renovation)
    surveys = pl.DataFrame(
        [
            {
                "person_id": pid,
                "year": on.year,
                "household_size": None,
                "income": float(answers.income) if answers.income is not None else None,
                "long_term_care": answers.long_term_care,
                "rehab_need": None,
                "device_need": None,
                "renovation_need": renovation_need,
                "care_service_need": None,
                "employment": None,
            }
            for pid in ids
        ],
        schema=SURVEY_SCHEMA,
    )
    lists = dict(base.lists)
    for kind in sorted({kind for variant in variants for kind in variant}):
        rows = [_list_row(pid, on) for pid, variant in zip(ids, variants, strict=True) if kind in variant]
        lists[kind] = pl.DataFrame(rows, schema=LIST_SCHEMA)
    renovations = pl.DataFrame(
        [
            {"household_number": f"selfcheck{pid}", "person_id": pid, "service_date": on}
            for pid in ids
            if answers.renovation == RENOVATION_DONE
        ],
        schema=RENOVATION_SCHEMA,
    )
    return dataclasses.replace(base, persons=persons, surveys=surveys, lists=lists, renovations=renovations)


def _list_row(person_id: int, on: dt.date) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(LIST_SCHEMA)
    row.update(person_id=person_id, start_date=on)
    return row


def today() -> dt.date:
    return timezone.localdate()


def self_check(answers: Answers, *, on: dt.date | None = None) -> SelfCheckResult:
    """Decide every benefit of ``DEFINITIONS`` for the person the answers describe, on `on` (today).

    Raises AnswerError for answers out of range. Reads the standards; writes nothing.
    """
    answers.check()
    on = on or today()
    facts = hypothetical_facts(answers, on)
    prepared = prepare(facts)
    decided = evaluate(prepared).to_dicts()
    possible = prepared.select(
        [b.amount_fen.alias(b.code) for b in DEFINITIONS if b.amount_fen is not None]
    ).to_dicts()
    first = prepared.row(0, named=True)
    context = text.context(answers, first)
    variants = prepared.height
    results = []
    for index, benefit in enumerate(DEFINITIONS):
        rows = [decided[v * len(DEFINITIONS) + index] for v in range(variants)]
        assert all(row["benefit"] == benefit.code for row in rows)
        outcomes = {row["decision"] for row in rows}
        outcome = outcomes.pop() if len(outcomes) == 1 else UNKNOWN
        states = _clause_states(rows)
        amounts = (
            {possible[v].get(benefit.code) for v in range(variants)}
            if benefit.amount_fen is not None
            else set()
        )
        fen = amounts.pop() if len(amounts) == 1 else None
        flags = {flag for row in rows for flag in row["flags"]}
        results.append(
            BenefitResult(
                code=benefit.code,
                name=benefit.name,
                outcome=outcome,
                reasons=text.reasons(outcome, states, context),
                missing=text.missing(outcome, states, context),
                amount=None
                if fen is None or outcome == INELIGIBLE
                else (Decimal(int(fen)) / 100).quantize(CENT),
                has_amount=benefit.amount_fen is not None,
                notes=tuple(text.flag_note(flag) for flag in sorted(flags)),
                guidance=guidance(benefit.code, answers.county),
            )
        )
    std_region = first["std_region"]
    return SelfCheckResult(
        on=on,
        county=answers.county,
        county_name=COUNTY_NAMES[answers.county],
        standards_from=None
        if std_region is None
        else (
            str(text.CITY_STANDARDS) if std_region == CITY_CODE else COUNTY_NAMES.get(std_region, std_region)
        ),
        standards_since=first["std_effective"],
        benefits=tuple(results),
    )


def _clause_states(rows: list[dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    """(code, label, passed) per clause; a clause that differs between the variants is unknown."""
    states = []
    for position, reason in enumerate(rows[0]["reasons"]):
        values = {row["reasons"][position]["passed"] for row in rows}
        states.append(
            (str(reason["clause"]), str(reason["label"]), values.pop() if len(values) == 1 else None)
        )
    return states


def online_application_url(benefit: str) -> str | None:
    """The portal's online application for `benefit`, if that page exists in this installation."""
    try:
        return reverse("portal:apply") + f"?benefit={benefit}"
    except NoReverseMatch:
        return None


def guidance(benefit: str, county: str) -> Guidance:
    where, how, documents, online = text.guidance(benefit, COUNTY_NAMES[county])
    return Guidance(
        where=where,
        how=how,
        documents=documents,
        online_url=online_application_url(benefit) if online else None,
    )
