"""Yearly lists a department has not sent yet (RULES.md "Cross-matching findings", last paragraph).

A yearly list with no row at all for the period a finding reads — no ``medical`` or ``pension``
row with 参保年度 = year(D), no ``enrolment`` row for the school year in progress on D — means the
department has not sent it yet, not that nobody is insured or at school. Then the finding reading
it (``medical_not_enrolled``, ``pension_not_enrolled``, ``child_not_enrolled``) is not produced,
the indicator reading it (``medical_enrolment``, ``pension_enrolment``, ``education_enrolment``)
has null numerator, denominator and value, and whoever shows them says which list is missing.

"No row at all" is read over the whole list snapshot in force on D (every row, with or without a
registry person), never over the rows of one region: a county whose persons have no row still has
the list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from huican.exchange.models import ListRecord
from huican.exchange.snapshots import batches_in_force
from huican.matching.vocabulary import LIST_NAMES, school_year_on
from huican.policy.facts import Facts


@dataclass(frozen=True)
class YearlyList:
    """A list read for one year (or school year), and what it feeds."""

    kind: str
    field: str  # the ListRecord field holding the period: year or school_year
    finding_code: str
    indicator_code: str


YEARLY_LISTS = (
    YearlyList("medical", "year", "medical_not_enrolled", "medical_enrolment"),
    YearlyList("pension", "year", "pension_not_enrolled", "pension_enrolment"),
    YearlyList("enrolment", "school_year", "child_not_enrolled", "education_enrolment"),
)
YEARLY_KINDS = tuple(yearly.kind for yearly in YEARLY_LISTS)


@dataclass(frozen=True)
class MissingList:
    """One yearly list with no row for the period read."""

    kind: str
    period: str  # "2026" for a year, "2025-2026" for a school year
    finding_code: str
    indicator_code: str

    @property
    def title(self) -> str:
        """「2026 年医疗保险参保名单」, 「2025-2026 学年学籍名单」."""
        unit = "学年" if self.kind == "enrolment" else "年"
        return f"{self.period} {unit}{LIST_NAMES[self.kind]}"

    @property
    def finding_message(self) -> str:
        return f"缺少数据：{self.title}（{self.kind}），未产生 {self.finding_code}"

    @property
    def missing_text(self) -> str:
        """「缺少 2026 年医疗保险参保名单（medical）」"""
        return f"缺少 {self.title}（{self.kind}）"

    @property
    def indicator_message(self) -> str:
        return f"数据缺失：{self.missing_text}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "period": self.period,
            "list": self.title,
            "finding_code": self.finding_code,
            "indicator_code": self.indicator_code,
            "message": self.finding_message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MissingList:
        return cls(data["kind"], data["period"], data["finding_code"], data["indicator_code"])


def _period(yearly: YearlyList, on: dt.date, year: int) -> str:
    return school_year_on(on) if yearly.field == "school_year" else str(year)


def missing_lists(
    *, on: dt.date, year: int | None = None, batches: dict[str, list[int]] | None = None
) -> list[MissingList]:
    """The yearly lists with no row for `year` (default year(D); school year: the one in progress on D).

    `batches` (kind → batch ids, as ``Facts.batches``) are the snapshots read; by default the
    snapshots in force on `on`.
    """
    year = on.year if year is None else year
    if batches is None:
        batches = batches_in_force(on, YEARLY_KINDS)
    missing = []
    for yearly in YEARLY_LISTS:
        period = _period(yearly, on, year)
        value: Any = period if yearly.field == "school_year" else year
        ids = list(batches.get(yearly.kind) or [])
        present = bool(ids) and ListRecord.objects.filter(batch_id__in=ids, **{yearly.field: value}).exists()
        if not present:
            missing.append(MissingList(yearly.kind, period, yearly.finding_code, yearly.indicator_code))
    return missing


def missing_in_facts(facts: Facts, *, year: int | None = None) -> list[MissingList]:
    """``missing_lists`` for the snapshots `facts` read (its frames alone when it records none).

    Facts loaded by ``load_facts`` record their batches, and the whole snapshots are checked (the
    frames of a region hold only its persons' rows). Facts built by hand are judged by their frames.
    """
    if facts.batches:
        return missing_lists(on=facts.on, year=year, batches=facts.batches)
    year = facts.on.year if year is None else year
    missing = []
    for yearly in YEARLY_LISTS:
        period = _period(yearly, facts.on, year)
        value: Any = period if yearly.field == "school_year" else year
        frame = facts.lists.get(yearly.kind)
        column = "school_year" if yearly.field == "school_year" else "year"
        if frame is None or frame.filter(pl.col(column) == value).is_empty():
            missing.append(MissingList(yearly.kind, period, yearly.finding_code, yearly.indicator_code))
    return missing
