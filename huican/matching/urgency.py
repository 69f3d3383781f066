"""How urgent each kind of finding is: the one order in which findings are listed everywhere.

Money paid wrongly comes first (it keeps going out every month until someone stops it), then people
a benefit should reach and does not, then insurance and school enrolment gaps, certificates and
names, and last the needs findings (主动服务). The work list, a run's page and its counts, the
exports, the API and ``huican findings`` all sort by ``URGENCY`` — never by the English code.
A code missing from ``URGENCY`` (a new one nobody ranked yet) comes after every ranked code.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from django.db.models import Case, IntegerField, Value, When

URGENCY: tuple[str, ...] = (
    # money paid wrongly
    "paid_after_death",
    "paid_while_ineligible",
    "double_benefit",
    "choose_higher",
    # coverage gaps
    "dibao_not_covered",
    "living_subsidy_not_covered",
    "nursing_subsidy_not_covered",
    # enrolment gaps
    "medical_not_enrolled",
    "pension_not_enrolled",
    "child_not_enrolled",
    # the certificate and the name
    "certificate_expired",
    "name_mismatch",
    # needs findings (RULES.md "Needs findings")
    "rehab_need_unserved",
    "device_need_unserved",
    "care_need_unserved",
    "renovation_pending",
    "employment_aid",
    "poverty_risk",
    "severe_living_alone",
)
RANK: dict[str, int] = {code: rank for rank, code in enumerate(URGENCY)}
UNRANKED = len(URGENCY)


def urgency_rank(code: str) -> int:
    """0 for the most urgent code; codes not in URGENCY come last."""
    return RANK.get(code, UNRANKED)


def by_urgency(codes: Iterable[str]) -> list[str]:
    """`codes` most urgent first (unranked codes last, in the order given)."""
    return sorted(codes, key=urgency_rank)


def urgency_order(field: str = "code") -> Case:
    """A database expression ranking `field` by urgency: ``qs.order_by(urgency_order(), ...)``."""
    return Case(
        *(When(**{field: code}, then=Value(rank)) for code, rank in RANK.items()),
        default=Value(UNRANKED),
        output_field=IntegerField(),
    )


def urgency_expr(column: str = "code") -> pl.Expr:
    """The same rank as a polars expression: ``frame.sort(urgency_expr(), "id_number")``."""
    return pl.col(column).replace_strict(RANK, default=UNRANKED, return_dtype=pl.Int32)
