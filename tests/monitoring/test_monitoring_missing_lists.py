"""Indicators 6–8 for a year whose yearly list has not been sent: null, not 0 % (RULES.md).

`medical_enrolment`, `pension_enrolment` and `education_enrolment` for a year with no `medical` /
`pension` row of 参保年度 = Y (no `enrolment` row for the school year in progress on D) have null
numerator, denominator and value — for the city and every county — and `met` is null.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from huican.matching.missing_lists import missing_lists
from huican.monitoring.indicators import compute_indicators
from tests.factories import make_list_record, make_person, make_standard
from tests.matching.yearly_lists import send_yearly_lists

Y = 2026
AS_OF = dt.date(2026, 3, 15)  # school year in progress: 2025-2026
CODES = ("medical_enrolment", "pension_enrolment", "education_enrolment")


def rows_of(code: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in rows if row["code"] == code]


@pytest.fixture
def last_years_lists(db: Any) -> dict[str, Any]:
    make_standard()
    adult = make_person(region_code="140902001001")
    child = make_person(birth=dt.date(2015, 3, 1), issue_date=dt.date(2022, 1, 1), region_code="140921001001")
    make_list_record("medical", adult, year=2025)
    make_list_record("pension", adult, year=2025)
    make_list_record("enrolment", child, school_year="2024-2025")
    return {"adult": adult, "child": child}


def test_indicators_of_a_year_without_its_lists_are_null(last_years_lists: dict[str, Any]) -> None:
    rows = compute_indicators(year=Y, as_of=AS_OF)

    for code in CODES:
        found = rows_of(code, rows)
        assert len(found) == 16  # the city and the 15 county-level units
        assert all(
            (r["numerator"], r["denominator"], r["value"], r["met"]) == (None, None, None, None)
            for r in found
        )
    # last year is unaffected: its lists were sent
    last_year = compute_indicators(year=2025, as_of=dt.date(2025, 6, 30), region="140900")
    assert [(r["numerator"], r["denominator"]) for r in rows_of("medical_enrolment", last_year)] == [(1, 2)]


def test_once_sent_the_indicators_count_again(last_years_lists: dict[str, Any]) -> None:
    send_yearly_lists(year=Y, school_year="2025-2026")  # nobody of the registry on them

    rows = compute_indicators(year=Y, as_of=AS_OF, region="140900")

    medical, pension, education = (rows_of(code, rows)[0] for code in CODES)
    assert (medical["numerator"], medical["denominator"], medical["value"]) == (0, 2, 0)
    assert (pension["numerator"], pension["denominator"], pension["value"]) == (0, 1, 0)
    assert (education["numerator"], education["denominator"], education["value"]) == (0, 1, 0)


def test_the_missing_lists_of_an_indicator_year(last_years_lists: dict[str, Any]) -> None:
    titles = [gap.indicator_message for gap in missing_lists(on=AS_OF, year=Y)]
    assert titles == [
        "数据缺失：缺少 2026 年医疗保险参保名单（medical）",
        "数据缺失：缺少 2026 年养老保险参保名单（pension）",
        "数据缺失：缺少 2025-2026 学年学籍名单（enrolment）",
    ]
    assert missing_lists(on=dt.date(2025, 6, 30), year=2025) == []
