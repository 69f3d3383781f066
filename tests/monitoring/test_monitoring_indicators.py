"""compute_indicators: each indicator of 专栏1 with hand-computed numerators and denominators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huican.monitoring.indicators import annual_growth, compute_indicators, is_met, rate
from huican.monitoring.models import GdpGrowth
from huican.monitoring.plan import load_plan
from tests.factories import (
    make_entitlement,
    make_id_number,
    make_list_record,
    make_person,
    make_standard,
    make_survey,
)
from tests.matching.yearly_lists import send_yearly_lists

Y = 2025
OTHER = "140921001001"  # a person registered in 定襄县


def pick(rows: list[dict], code: str, region: str = "140900") -> dict:
    [row] = [r for r in rows if r["code"] == code and r["region"] == region]
    return row


def numbers(row: dict) -> tuple:
    return row["numerator"], row["denominator"], row["value"], row["met"]


@pytest.fixture
def standards(db):
    return make_standard()  # rural dibao 500/month → line 6,000/year


def test_rows_for_the_city_and_every_county_level_unit(standards):
    send_yearly_lists(year=Y, school_year="2025-2026")  # sent, but nobody of 140971 is on them
    rows = compute_indicators(year=Y)

    assert len(rows) == 11 * 16
    assert {r["region"] for r in rows} == {
        "140900", "140902", "140921", "140922", "140923", "140924", "140925", "140926", "140927",
        "140928", "140929", "140930", "140931", "140932", "140971", "140981",
    }  # fmt: skip
    assert all(list(r) == ["code", "region", "year", "numerator", "denominator", "value", "target", "kind", "met"]
               for r in rows)  # fmt: skip
    empty = pick(rows, "medical_enrolment", "140971")
    assert numbers(empty) == (0, 0, None, None)
    assert empty["target"] == 95 and empty["kind"] == "expected"


def test_dibao_coverage(standards):
    in_dibao = make_person(grade=4)
    make_list_record("dibao", in_dibao, start=dt.date(2024, 1, 1))
    in_tekun = make_person(grade=4, region_code=OTHER)
    make_list_record("tekun", in_tekun, start=dt.date(2024, 1, 1))
    low_income = make_person(grade=4)  # not dibao_alone-eligible (grade 4 physical), but low income
    make_survey(low_income, year=2025, income="3000")
    alone = make_person(grade=1)  # near-poor and severe: dibao_alone-eligible
    make_survey(alone, year=2025, income="8000")
    make_survey(make_person(grade=1), year=2025, income="20000")  # neither
    expired = make_person(issue_date=dt.date(2014, 1, 1))
    make_list_record("dibao", expired, start=dt.date(2024, 1, 1))

    rows = compute_indicators(year=Y)

    assert numbers(pick(rows, "dibao_coverage")) == (2, 4, 50, False)
    assert numbers(pick(rows, "dibao_coverage", "140902")) == (1, 3, 33.33, False)
    assert numbers(pick(rows, "dibao_coverage", "140921")) == (1, 1, 100, True)
    assert pick(rows, "dibao_coverage")["kind"] == "binding"


def test_living_and_nursing_subsidy_coverage(standards):
    paid = make_person(grade=3)
    make_list_record("dibao", paid, start=dt.date(2024, 1, 1))
    make_entitlement(paid, benefit="living_subsidy", start=dt.date(2024, 1, 1))
    unpaid = make_person(grade=3)
    make_list_record("dibao", unpaid, start=dt.date(2024, 1, 1))
    ended = make_person(grade=3)
    make_list_record("dibao", ended, start=dt.date(2024, 1, 1))
    make_entitlement(ended, benefit="living_subsidy", start=dt.date(2024, 1, 1), end=dt.date(2025, 11, 1))
    carer = make_person(grade=1)
    make_survey(carer, year=2025, income="20000", long_term_care=True)
    make_list_record("subsidy_recipients", carer, start=dt.date(2024, 1, 1), category="护理补贴")

    rows = compute_indicators(year=Y)

    assert numbers(pick(rows, "living_subsidy_coverage")) == (1, 3, 33.33, False)
    assert numbers(pick(rows, "nursing_subsidy_coverage")) == (1, 1, 100, True)


def test_pension_enrolment_and_the_90_boundary(standards):
    insured = [make_person(birth=dt.date(1980, 1, 1)) for _ in range(9)]
    for person in insured:
        make_list_record("pension", person, year=2025, status="参保缴费")
    suspended = make_person(birth=dt.date(1980, 1, 1))
    make_list_record("pension", suspended, year=2025, status="暂停")
    make_person(birth=dt.date(2010, 1, 1))  # 15: not counted
    student = make_person(birth=dt.date(2007, 1, 1))  # 18 but in school: not counted
    make_list_record("enrolment", student, school_year="2025-2026")

    rows = compute_indicators(year=Y)

    row = pick(rows, "pension_enrolment")
    assert numbers(row) == (9, 10, 90, False)  # "> 90": 90 is not met
    assert row["target"] == 90


def test_medical_enrolment_counts_insurance_for_the_year(standards):
    for year in (2025, 2025, 2024):
        make_list_record("medical", make_person(), year=year, category="城乡居民")

    rows = compute_indicators(year=Y)

    assert numbers(pick(rows, "medical_enrolment")) == (2, 3, 66.67, False)


def test_education_enrolment_takes_school_age_on_31_august(standards):
    six = make_person(birth=dt.date(2019, 8, 31), issue_date=dt.date(2023, 1, 1))
    make_list_record("enrolment", six, school_year="2025-2026")
    make_person(birth=dt.date(2019, 9, 1), issue_date=dt.date(2023, 1, 1))  # turns 6 on 1 Sep: next year
    make_person(birth=dt.date(2010, 9, 1), issue_date=dt.date(2023, 1, 1))  # 14 on 31 Aug: school age
    make_person(birth=dt.date(2009, 8, 31), issue_date=dt.date(2023, 1, 1))  # 16 on 31 Aug: not

    rows = compute_indicators(year=Y)

    assert numbers(pick(rows, "education_enrolment")) == (1, 2, 50, False)


def test_education_as_of_uses_the_school_year_in_progress(standards):
    child = make_person(birth=dt.date(2015, 3, 1), issue_date=dt.date(2023, 1, 1))
    make_list_record("enrolment", child, school_year="2024-2025")
    send_yearly_lists(kinds=("enrolment",), school_year="2025-2026")  # the 2025-2026 list, without the child

    assert numbers(pick(compute_indicators(year=Y, as_of=dt.date(2025, 6, 30)), "education_enrolment")) == (
        1,
        1,
        100,
        True,
    )
    assert numbers(pick(compute_indicators(year=Y), "education_enrolment")) == (0, 1, 0, False)


def test_rehab_coverage_and_device_fitting(standards):
    served = make_person()
    make_survey(served, year=2025, rehab_need=True, device_need=True)
    make_list_record("services", served, start=dt.date(2025, 3, 1), category="康复服务", status="进行中")
    make_list_record("services", served, start=dt.date(2025, 4, 1), category="辅具适配")
    last_year = make_person()
    make_survey(last_year, year=2025, rehab_need=True, device_need=False)
    make_list_record("services", last_year, start=dt.date(2024, 3, 1), category="康复服务")
    no_need = make_person()
    make_survey(no_need, year=2025, rehab_need=False)
    make_list_record("services", no_need, start=dt.date(2025, 3, 1), category="康复服务")
    old_survey = make_person()
    make_survey(old_survey, year=2024, rehab_need=True)

    rows = compute_indicators(year=Y)

    assert numbers(pick(rows, "rehab_coverage")) == (1, 2, 50, False)
    assert numbers(pick(rows, "device_fitting")) == (1, 1, 100, True)


def test_training_persons_counts_distinct_completed_since_2021(standards):
    twice = make_person()
    make_list_record("services", twice, start=dt.date(2021, 5, 1), category="职业技能培训", status="完成")
    make_list_record("services", twice, start=dt.date(2022, 5, 1), category="职业技能培训", status="完成")
    ongoing = make_person()
    make_list_record("services", ongoing, start=dt.date(2023, 5, 1), category="职业技能培训", status="进行中")
    early = make_person()
    make_list_record("services", early, start=dt.date(2020, 12, 31), category="职业技能培训")
    blank = make_person(region_code=OTHER)
    make_list_record("services", blank, start=dt.date(2025, 12, 31), category="职业技能培训", status="")
    dead = make_person(status="死亡", status_date=dt.date(2023, 1, 1))
    make_list_record("services", dead, start=dt.date(2022, 1, 1), category="职业技能培训")
    make_list_record("services", make_id_number(), start=dt.date(2022, 1, 1), category="职业技能培训")

    rows = compute_indicators(year=Y)

    city = pick(rows, "training_persons")
    assert numbers(city) == (3, None, 3, False)
    assert city["target"] == 4000
    county = pick(rows, "training_persons", "140921")
    assert numbers(county) == (1, None, 1, None)
    assert county["target"] is None


def test_home_renovations_counts_households(standards):
    first = make_person(household_number="H-1")
    second = make_person(household_number="H-1")
    for member in (first, second):
        make_list_record("services", member, start=dt.date(2022, 1, 1), category="无障碍改造", status="完成")
    unfinished = make_person(household_number="H-2")
    make_list_record(
        "services", unfinished, start=dt.date(2022, 1, 1), category="无障碍改造", status="进行中"
    )
    day_one = make_person(household_number="H-3")
    make_list_record("services", day_one, start=dt.date(2021, 1, 1), category="无障碍改造")

    rows = compute_indicators(year=Y)

    city = pick(rows, "home_renovations")
    assert numbers(city) == (2, None, 2, False)
    assert (city["target"], city["kind"]) == (1502, "binding")


def test_income_growth_against_gdp_growth(standards):
    m1 = make_person(household_number="HH1")
    m2 = make_person(household_number="HH1")
    m3 = make_person(household_number="HH2")
    m4 = make_person(
        household_number="HH2", status="死亡", status_date=dt.date(2021, 1, 1)
    )  # any status counts
    make_survey(m1, year=2025, income="10000")
    make_survey(m2, year=2025, income="12000")
    make_survey(m3, year=2025, income="9000")
    make_survey(m1, year=2020, income="8000")
    make_survey(m3, year=2020, income="6000")
    make_survey(m4, year=2020, income="7000")

    row = pick(compute_indicators(year=Y), "income_growth")
    # I_2025 = mean(11000, 9000) = 10000; I_2020 = mean(8000, 6500) = 7250; (10000/7250)^(1/5) − 1
    assert numbers(row) == (10000, 7250, 6.64, None)
    assert row["target"] is None

    # The target is the mean annual GDP growth over 2021..Y, null until every year is entered.
    GdpGrowth.objects.create(year=2025, rate_percent=Decimal("6.64"))
    row = pick(compute_indicators(year=Y), "income_growth")
    assert (row["target"], row["met"]) == (None, None)
    for year, growth in ((2021, "9.1"), (2022, "4.2"), (2023, "5.0"), (2024, "3.0")):
        GdpGrowth.objects.create(year=year, rate_percent=Decimal(growth))
    row = pick(compute_indicators(year=Y), "income_growth")
    # (1.091 × 1.042 × 1.05 × 1.03 × 1.0664)^(1/5) − 1 = 5.57 %
    assert (row["target"], row["met"]) == (5.57, True)
    GdpGrowth.objects.filter(year=2021).update(rate_percent=Decimal("30"))
    row = pick(compute_indicators(year=Y), "income_growth")
    assert (row["target"], row["met"]) == (9.33, False)

    county = pick(compute_indicators(year=Y), "income_growth", "140921")
    assert numbers(county) == (None, None, None, None)


def test_region_filter_county_city_and_township(standards):
    send_yearly_lists(year=Y)
    make_person(region_code="140902003004")
    make_person(region_code="140902005006")

    county = compute_indicators(year=Y, region="140902")
    city = compute_indicators(year=Y, region="140900")
    township = compute_indicators(year=Y, region="140902003")

    assert {r["region"] for r in county} == {"140902"} and len(county) == 11
    assert {r["region"] for r in city} == {"140900"} and len(city) == 11
    assert pick(township, "medical_enrolment", "140902003")["denominator"] == 1
    assert pick(county, "medical_enrolment", "140902")["denominator"] == 2
    assert pick(county, "training_persons", "140902")["target"] is None


def test_rates_round_half_up_in_decimal():
    assert rate(1, 160) == Decimal("0.63")  # 0.625: half-even or float rounding would give 0.62
    assert rate(1, 800) == Decimal("0.13")
    assert rate(2, 3) == Decimal("66.67")
    assert rate(1, 0) is None
    assert annual_growth(None, 7250.0, 5) is None
    assert annual_growth(10000.0, 7250.0, 0) is None


def test_met_comparisons_at_the_boundaries():
    plan = load_plan()
    pension, education, dibao = (
        plan.indicator(c) for c in ("pension_enrolment", "education_enrolment", "dibao_coverage")
    )

    assert is_met(Decimal("90.00"), pension.target, pension.comparison) is False
    assert is_met(Decimal("90.01"), pension.target, pension.comparison) is True
    assert is_met(Decimal("97.00"), education.target, education.comparison) is True
    assert is_met(Decimal("96.99"), education.target, education.comparison) is False
    assert is_met(Decimal("99.99"), dibao.target, dibao.comparison) is False
    assert is_met(Decimal("100.00"), dibao.target, dibao.comparison) is True
    assert is_met(None, dibao.target, dibao.comparison) is None
