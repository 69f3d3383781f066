"""The benefit rules of RULES.md on the boundaries of issue 4 point 8."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from huican.policy.facts import load_facts
from huican.policy.rules import BENEFIT_NAMES, BENEFITS, decide, explain_person
from huican.policy.vocabulary import prepare
from tests.factories import make_list_record, make_person, make_standard, make_survey

D = dt.date(2025, 6, 30)
pytestmark = pytest.mark.django_db


def decision_of(person, benefit: str, on: dt.date = D) -> dict[str, Any]:
    frame = decide(load_facts(on=on))
    rows = frame.filter((frame["person_id"] == person.pk) & (frame["benefit"] == benefit)).to_dicts()
    assert len(rows) == 1
    return rows[0]


def clause(row: dict[str, Any], code: str) -> dict[str, Any]:
    found = [r for r in row["reasons"] if r["clause"] == code]
    assert len(found) == 1, row["reasons"]
    return found[0]


def failed(row: dict[str, Any]) -> set[str]:
    return {r["clause"] for r in row["reasons"] if r["passed"] is False}


def years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


# --- certificate -------------------------------------------------------------------------------


def test_certificate_is_invalid_on_its_expiry_day_and_valid_the_day_before():
    p = make_person(grade=1, issue_date=dt.date(2015, 6, 30))  # expires 2025-06-30
    assert decision_of(p, "medical_premium_aid", D)["decision"] == "ineligible"
    row = decision_of(p, "medical_premium_aid", D - dt.timedelta(days=1))
    assert row["decision"] == "eligible"
    assert "有效期至 2025-06-29" in clause(row, "valid_certificate")["detail"]


def test_certificate_issued_on_29_february_expires_on_1_march():
    p = make_person(grade=2, issue_date=dt.date(2016, 2, 29))
    assert decision_of(p, "medical_premium_aid", dt.date(2026, 2, 28))["decision"] == "eligible"
    row = decision_of(p, "medical_premium_aid", dt.date(2026, 3, 1))
    assert row["decision"] == "ineligible"
    assert failed(row) == {"valid_certificate"}


def test_certificate_issued_after_d_is_not_valid_yet():
    p = make_person(grade=1, issue_date=D + dt.timedelta(days=1))
    assert decision_of(p, "medical_premium_aid")["decision"] == "ineligible"


@pytest.mark.parametrize(
    ("status", "status_date", "expected"),
    [
        ("死亡", D, "ineligible"),
        ("死亡", D + dt.timedelta(days=1), "eligible"),
        ("迁出", D - dt.timedelta(days=10), "ineligible"),
        ("注销", D + dt.timedelta(days=1), "eligible"),
    ],
)
def test_status_applies_from_its_status_date(status, status_date, expected):
    p = make_person(grade=1, status=status, status_date=status_date)
    row = decision_of(p, "medical_premium_aid")
    assert row["decision"] == expected
    if status == "死亡" and expected == "ineligible":
        assert "已死亡" in clause(row, "valid_certificate")["detail"]


def test_a_deaths_list_row_dated_on_or_before_d_makes_the_certificate_invalid():
    dead = make_person(grade=1)
    later = make_person(grade=1)
    make_list_record("deaths", dead, start=D)
    make_list_record("deaths", later, start=D + dt.timedelta(days=1))
    assert decision_of(dead, "medical_premium_aid")["decision"] == "ineligible"
    assert decision_of(later, "medical_premium_aid")["decision"] == "eligible"


def test_every_person_gets_every_benefit_whatever_their_status():
    make_standard()
    people = [
        make_person(),
        make_person(status="死亡", status_date=dt.date(2020, 1, 1)),
        make_person(status="迁出", status_date=dt.date(2021, 1, 1)),
    ]
    frame = decide(load_facts(on=D))
    assert frame.height == len(people) * len(BENEFITS)
    assert frame["benefit"].to_list() == list(BENEFITS) * len(people)
    assert set(BENEFIT_NAMES) == set(BENEFITS)


# --- lists -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "in_dibao"),
    [
        (dt.date(2024, 1, 1), D, True),
        (dt.date(2024, 1, 1), D - dt.timedelta(days=1), False),
        (D, None, True),
        (D + dt.timedelta(days=1), None, False),
    ],
)
def test_list_membership_on_d(start, end, in_dibao):
    make_standard()
    p = make_person(grade=1)
    make_list_record("dibao", p, start=start, end=end)
    row = decision_of(p, "dibao_topup")
    assert clause(row, "in_dibao")["passed"] is in_dibao
    assert row["decision"] == ("eligible" if in_dibao else "ineligible")


@pytest.mark.parametrize("kind", ["orphan", "tekun", "injury_care"])
def test_living_subsidy_exclusions(kind):
    make_standard()
    p = make_person(grade=3)
    make_list_record("dibao", p, start=dt.date(2024, 1, 1))
    make_list_record(kind, p, start=dt.date(2024, 1, 1))
    row = decision_of(p, "living_subsidy")
    assert row["decision"] == "ineligible"
    assert failed(row) == {f"not_{kind}"}
    assert row["amount"] is None


def test_living_subsidy_for_a_dibao_member_pays_the_standard():
    make_standard(living_subsidy="88.50")
    p = make_person(grade=4)
    make_list_record("dibao", p, start=dt.date(2024, 1, 1))
    row = decision_of(p, "living_subsidy")
    assert (row["decision"], row["amount"]) == ("eligible", 88.5)


# --- income, near-poor and the dibao line --------------------------------------------------------


def _vocabulary(person):
    frame = prepare(load_facts(on=D))
    return frame.filter(frame["person_id"] == person.pk).row(0, named=True)


def test_income_exactly_at_the_dibao_line_is_near_poor_not_low_income():
    make_standard(rural_dibao="500.00")  # line 6,000 a year
    p = make_person(grade=1, urban_rural="农村")
    make_survey(p, year=2024, income="6000.00")
    facts = _vocabulary(p)
    assert (facts["low_income"], facts["near_poor"]) == (False, True)
    assert decision_of(p, "dibao_alone")["decision"] == "eligible"


def test_income_exactly_at_the_near_poor_line_is_not_near_poor():
    make_standard(rural_dibao="500.00")  # near-poor line 1.5 × 6,000 = 9,000
    at_line = make_person(grade=1)
    below = make_person(grade=1)
    make_survey(at_line, year=2025, income="9000.00")
    make_survey(below, year=2025, income="8999.99")
    assert _vocabulary(at_line)["near_poor"] is False
    row = decision_of(at_line, "dibao_alone")
    assert row["decision"] == "ineligible"
    assert failed(row) == {"low_income_or_near_poor"}
    assert decision_of(below, "dibao_alone")["decision"] == "eligible"


def test_near_poor_boundary_is_exact_in_fen_not_float():
    # 1.3 × 12 × 615.30 = 9,598.68 exactly; in floats it is 9598.679999…
    make_standard(urban_dibao="615.30", near_poor_multiple="1.3")
    at_line = make_person(grade=1, urban_rural="城镇")
    below = make_person(grade=1, urban_rural="城镇")
    make_survey(at_line, year=2025, income="9598.68")
    make_survey(below, year=2025, income="9598.67")
    assert _vocabulary(at_line)["near_poor"] is False
    assert _vocabulary(below)["near_poor"] is True


def test_urban_or_rural_standard_follows_the_registry_category():
    make_standard(urban_dibao="700.00", rural_dibao="500.00")
    urban = make_person(grade=1, urban_rural="城镇")
    rural = make_person(grade=1, urban_rural="农村")
    make_survey(urban, year=2025, income="7000.00")  # < 8,400 urban line, ≥ 6,000 rural line
    make_survey(rural, year=2025, income="7000.00")
    assert _vocabulary(urban)["low_income"] is True
    assert _vocabulary(rural)["low_income"] is False


def test_missing_survey_makes_income_unknown():
    make_standard()
    p = make_person(grade=1)
    row = decision_of(p, "dibao_alone")
    assert row["decision"] == "unknown"
    unknown = clause(row, "low_income_or_near_poor")
    assert unknown["passed"] is None
    assert "调查记录" in unknown["detail"]


def test_blank_income_is_unknown_and_an_older_survey_does_not_fill_it():
    make_standard()
    p = make_person(grade=1)
    make_survey(p, year=2024, income="100.00")
    make_survey(p, year=2025, income=None)
    row = decision_of(p, "dibao_alone")
    assert row["decision"] == "unknown"
    assert "2025 年调查未填" in clause(row, "low_income_or_near_poor")["detail"]


def test_a_survey_after_the_year_of_d_is_ignored():
    make_standard()
    p = make_person(grade=1)
    make_survey(p, year=2026, income="100.00", long_term_care=True)
    assert decision_of(p, "dibao_alone")["decision"] == "unknown"
    assert decision_of(p, "nursing_subsidy")["decision"] == "unknown"


def test_a_failed_clause_beats_an_unknown_one_and_every_failed_clause_is_listed():
    make_standard()
    p = make_person(grade=4, issue_date=dt.date(2010, 1, 1))  # expired, not severe, no survey
    row = decision_of(p, "dibao_alone")
    assert row["decision"] == "ineligible"
    assert failed(row) == {"valid_certificate", "severe_or_grade3_intellectual_mental"}
    assert clause(row, "low_income_or_near_poor")["passed"] is None
    topup = decision_of(p, "dibao_topup")
    assert failed(topup) == {"valid_certificate", "in_dibao", "severe"}


def test_grade_3_intellectual_may_apply_alone_but_multiple_may_not():
    make_standard()
    intellectual = make_person(grade=3, category=5)
    multiple = make_person(grade=3, category=7)
    for p in (intellectual, multiple):
        make_survey(p, year=2025, income="1000.00")
    assert decision_of(intellectual, "dibao_alone")["decision"] == "eligible"
    assert decision_of(multiple, "dibao_alone")["decision"] == "ineligible"


# --- switches ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("switch", "expected"), [(True, "eligible"), (False, "ineligible")])
def test_living_subsidy_near_poor_switch(switch, expected):
    make_standard(living_includes_near_poor=switch)
    p = make_person(grade=3)
    make_survey(p, year=2025, income="7000.00")  # near-poor on the rural line of 6,000
    assert decision_of(p, "living_subsidy")["decision"] == expected


@pytest.mark.parametrize(
    ("switch", "category", "expected"),
    [(True, 6, "eligible"), (False, 6, "ineligible"), (True, 7, "ineligible")],
)
def test_nursing_subsidy_grade_3_4_intellectual_mental_switch(switch, category, expected):
    make_standard(nursing_includes_grade34_intellectual_mental=switch, nursing_grade2="60.00")
    p = make_person(grade=4, category=category)
    make_survey(p, year=2025, long_term_care=True)
    row = decision_of(p, "nursing_subsidy")
    assert row["decision"] == expected
    assert row["amount"] == (60.0 if expected == "eligible" else None)


def test_nursing_subsidy_amount_by_grade_and_unknown_care_need():
    make_standard(nursing_grade1="120.00", nursing_grade2="90.00")
    grade1, grade2, blank = make_person(grade=1), make_person(grade=2), make_person(grade=1)
    make_survey(grade1, year=2025, long_term_care=True)
    make_survey(grade2, year=2025, long_term_care=True)
    make_survey(blank, year=2025, long_term_care=None)
    assert decision_of(grade1, "nursing_subsidy")["amount"] == 120.0
    assert decision_of(grade2, "nursing_subsidy")["amount"] == 90.0
    assert decision_of(blank, "nursing_subsidy")["decision"] == "unknown"


def test_nursing_subsidy_excluded_by_injury_care():
    make_standard()
    p = make_person(grade=1)
    make_survey(p, year=2025, long_term_care=True)
    make_list_record("injury_care", p, start=dt.date(2023, 1, 1))
    row = decision_of(p, "nursing_subsidy")
    assert row["decision"] == "ineligible"
    assert failed(row) == {"not_injury_care"}


def test_choose_higher_flag_only_on_an_eligible_nursing_subsidy_in_elderly_care():
    make_standard()
    both = make_person(grade=1)
    not_eligible = make_person(grade=3)
    for p in (both, not_eligible):
        make_survey(p, year=2025, long_term_care=True)
        make_list_record("elderly_care", p, start=dt.date(2024, 1, 1))
    assert decision_of(both, "nursing_subsidy")["flags"] == ["choose_higher"]
    assert decision_of(not_eligible, "nursing_subsidy")["flags"] == []
    assert decision_of(both, "living_subsidy")["flags"] == []


# --- standards ---------------------------------------------------------------------------------


def test_county_standards_override_the_city_and_future_rows_do_not_apply():
    make_standard(region_code="140900", rural_dibao="500.00")
    make_standard(region_code="140981", rural_dibao="600.00")
    make_standard(region_code="140981", effective_date=D + dt.timedelta(days=1), rural_dibao="900.00")
    county = make_person(grade=1, region_code="140981002003")
    city = make_person(grade=1, region_code="140902001001")
    assert _vocabulary(county)["dibao_line_fen"] == 720_000
    assert _vocabulary(city)["dibao_line_fen"] == 600_000


def test_a_county_row_with_a_blank_optional_column_uses_the_default_not_the_city_value():
    make_standard(region_code="140900", topup_rate="0.10", rural_dibao="500.00")
    make_standard(region_code="140981", rural_dibao="500.00")  # topup_rate left blank → 0.05
    county = make_person(grade=1, region_code="140981002003")
    city = make_person(grade=1, region_code="140902001001")
    for p in (county, city):
        make_list_record("dibao", p, start=dt.date(2024, 1, 1))
    assert decision_of(county, "dibao_topup")["amount"] == 25.0
    assert decision_of(city, "dibao_topup")["amount"] == 50.0


def test_without_standards_amount_dependent_clauses_are_unknown():
    p = make_person(grade=1)
    make_survey(p, year=2025, income="1000.00")
    row = decision_of(p, "dibao_alone")
    assert row["decision"] == "unknown"
    assert "标准参数" in clause(row, "low_income_or_near_poor")["detail"]
    assert "年龄上限未知" in clause(decision_of(p, "child_rehab"), "child_age")["detail"]
    assert decision_of(p, "medical_premium_aid")["decision"] == "eligible"
    make_list_record("dibao", p, start=dt.date(2024, 1, 1))
    living = decision_of(p, "living_subsidy")  # decided without standards, but no amount to give
    assert (living["decision"], living["amount"]) == ("eligible", None)


@pytest.mark.parametrize(
    ("rate", "monthly", "expected"),
    [
        ("0.05", "615.30", 30.77),
        ("0.07", "615.30", 43.07),
        ("0.10", "615.35", 61.54),
        ("0.05", "700.10", 35.01),
    ],
)
def test_topup_is_rounded_half_up_to_the_fen(rate, monthly, expected):
    make_standard(topup_rate=rate, urban_dibao=monthly)
    p = make_person(grade=2, urban_rural="城镇")
    make_list_record("dibao", p, start=dt.date(2024, 1, 1))
    row = decision_of(p, "dibao_topup")
    assert (row["decision"], row["amount"]) == ("eligible", expected)


# --- ages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (years_before(D, 6), "eligible"),  # sixth birthday today: age 6 = maximum
        (years_before(D + dt.timedelta(days=1), 7), "eligible"),  # turns 7 tomorrow
        (years_before(D, 7), "ineligible"),  # seventh birthday today
    ],
)
def test_child_rehab_up_to_the_maximum_age(birth, expected):
    make_standard(child_rehab_max_age=6)
    p = make_person(birth=birth, grade=3, issue_date=birth + dt.timedelta(days=30))
    assert decision_of(p, "child_rehab")["decision"] == expected


@pytest.mark.parametrize(
    ("age", "expected"), [(15, "ineligible"), (16, "eligible"), (59, "eligible"), (60, "ineligible")]
)
def test_pension_premium_aid_ages(age, expected):
    p = make_person(birth=years_before(D, age), grade=2, issue_date=dt.date(2020, 1, 1))
    row = decision_of(p, "pension_premium_aid")
    assert row["decision"] == expected
    assert f"判定日年龄 {age} 周岁" in clause(row, "working_age")["detail"]


# --- home renovation ---------------------------------------------------------------------------


def _renovation_candidate(household: str):
    p = make_person(grade=1, household_number=household)
    make_survey(p, year=2025, income="1000.00", renovation_need=True)
    return p


@pytest.mark.parametrize(
    ("service_day", "result", "expected"),
    [
        (D, "完成", "ineligible"),
        (D, "", "ineligible"),
        (D + dt.timedelta(days=1), "完成", "eligible"),
        (D - dt.timedelta(days=100), "进行中", "eligible"),
    ],
)
def test_home_renovation_excluded_by_a_completed_renovation_in_the_household(service_day, result, expected):
    make_standard()
    p = _renovation_candidate("H-1")
    relative = make_person(grade=4, household_number="H-1")
    make_list_record("services", relative, start=service_day, category="无障碍改造", status=result)
    row = decision_of(p, "home_renovation")
    assert row["decision"] == expected
    # the one-person explanation sees the household too
    explained = next(r for r in explain_person(p.pk, D) if r["benefit"] == "home_renovation")
    assert explained["decision"] == expected


def test_home_renovation_needs_a_poor_household_and_the_need():
    make_standard()
    rich = make_person(grade=1)
    make_survey(rich, year=2025, income="50000.00", renovation_need=True)
    tekun = make_person(grade=2)
    make_survey(tekun, year=2025, income=None, renovation_need=True)
    make_list_record("tekun", tekun, start=dt.date(2020, 1, 1))
    no_need = make_person(grade=1)
    make_survey(no_need, year=2025, income="1000.00", renovation_need=False)
    assert failed(decision_of(rich, "home_renovation")) == {"poor_household"}
    assert decision_of(tekun, "home_renovation")["decision"] == "eligible"
    assert failed(decision_of(no_need, "home_renovation")) == {"renovation_need"}


# --- one definition for batch and explanation ---------------------------------------------------


def test_explain_person_matches_the_batch_clause_by_clause():
    make_standard()
    p = make_person(grade=1)
    make_survey(p, year=2025, income="6500.00", long_term_care=True)
    make_list_record("dibao", p, start=dt.date(2024, 1, 1))
    make_person(grade=2)  # someone else, not explained
    batch = decide(load_facts(on=D))
    batch_rows = batch.filter(batch["person_id"] == p.pk).to_dicts()
    explained = explain_person(p.pk, D)
    assert [r["benefit"] for r in explained] == list(BENEFITS)
    for mine, theirs in zip(explained, batch_rows, strict=True):
        assert {k: mine[k] for k in theirs} == theirs
        assert mine["name"] == BENEFIT_NAMES[mine["benefit"]]
        assert all(r["basis"] and r["label"] for r in mine["reasons"])


def test_decisions_without_reasons_are_the_same_decisions():
    make_standard()
    for grade in (1, 2, 3, 4):
        p = make_person(grade=grade, category=5)
        make_survey(p, year=2025, income=str(3000 * grade), long_term_care=grade < 3)
        if grade % 2:
            make_list_record("dibao", p, start=dt.date(2024, 1, 1))
    facts = load_facts(on=D)
    full = decide(facts)
    lean = decide(facts, with_reasons=False)
    assert "reasons" not in lean.columns
    assert lean.equals(full.drop("reasons"))
