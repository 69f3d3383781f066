"""compute_findings: every code of RULES.md "Cross-matching findings", each with a near miss."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from huican.matching.findings import compute_findings
from huican.policy.facts import load_facts
from huican.policy.rules import evaluate
from huican.policy.vocabulary import prepare
from tests.factories import (
    make_entitlement,
    make_id_number,
    make_list_record,
    make_person,
    make_standard,
    make_survey,
)
from tests.matching.yearly_lists import send_yearly_lists

D = dt.date(2025, 6, 30)


def findings(on: dt.date = D) -> pl.DataFrame:
    facts = load_facts(on=on)
    prepared = prepare(facts)
    return compute_findings(facts, evaluate(prepared), prepared=prepared)


def codes(frame: pl.DataFrame, person) -> set[str]:
    return set(frame.filter(pl.col("person_id") == person.pk).get_column("code").to_list())


def detail(frame: pl.DataFrame, person, code: str) -> str:
    rows = frame.filter((pl.col("person_id") == person.pk) & (pl.col("code") == code))
    assert rows.height == 1
    return rows.item(0, "detail")


@pytest.fixture
def standards(db):
    # rural dibao 500/month → dibao line 6,000/year; near-poor below 9,000
    return make_standard()


def test_dibao_not_covered_for_a_low_income_severe_person_outside_dibao(standards):
    poor = make_person(grade=1)
    make_survey(poor, year=2025, income="3000.00")
    covered = make_person(grade=1)
    make_survey(covered, year=2025, income="3000.00")
    make_list_record("dibao", covered, start=dt.date(2024, 1, 1))
    mild = make_person(grade=3, category=4)  # grade 3 physical: not a dibao_alone case
    make_survey(mild, year=2025, income="3000.00")

    found = findings()

    assert "dibao_not_covered" in codes(found, poor)
    assert "不在低保" in detail(found, poor, "dibao_not_covered")
    assert "dibao_not_covered" not in codes(found, covered)
    assert "dibao_not_covered" not in codes(found, mild)


def test_living_subsidy_not_covered_unless_receiving_in_month_of_d(standards):
    unpaid = make_person(grade=3)
    make_list_record("dibao", unpaid, start=dt.date(2024, 1, 1))
    paid = make_person(grade=3)
    make_list_record("dibao", paid, start=dt.date(2024, 1, 1))
    make_entitlement(paid, benefit="living_subsidy", start=dt.date(2024, 2, 1))
    stopped = make_person(grade=3)
    make_list_record("dibao", stopped, start=dt.date(2024, 1, 1))
    make_entitlement(stopped, benefit="living_subsidy", start=dt.date(2024, 2, 1), end=dt.date(2025, 5, 1))

    found = findings()

    assert "living_subsidy_not_covered" in codes(found, unpaid)
    assert "2025-06 未在发放" in detail(found, unpaid, "living_subsidy_not_covered")
    assert "living_subsidy_not_covered" not in codes(found, paid)
    assert "living_subsidy_not_covered" in codes(found, stopped)


def test_nursing_subsidy_not_covered_unless_on_the_roll(standards):
    unpaid = make_person(grade=1)
    make_survey(unpaid, year=2024, income="20000", long_term_care=True)
    rolled = make_person(grade=2)
    make_survey(rolled, year=2024, income="20000", long_term_care=True)
    make_list_record(
        "subsidy_recipients", rolled, start=dt.date(2023, 1, 1), category="护理补贴", amount="80"
    )
    no_need = make_person(grade=1)
    make_survey(no_need, year=2024, income="20000", long_term_care=False)

    found = findings()

    assert "nursing_subsidy_not_covered" in codes(found, unpaid)
    assert "nursing_subsidy_not_covered" not in codes(found, rolled)
    assert "nursing_subsidy_not_covered" not in codes(found, no_need)


def test_paid_after_death_even_with_an_expired_certificate(standards):
    dead = make_person(grade=1, issue_date=dt.date(2010, 1, 1))  # certificate expired in 2020
    make_entitlement(dead, benefit="nursing_subsidy", start=dt.date(2019, 1, 1))
    make_list_record("deaths", dead, start=dt.date(2024, 3, 2))
    dies_later = make_person(grade=1)
    make_entitlement(dies_later, benefit="nursing_subsidy", start=dt.date(2019, 1, 1))
    make_list_record("deaths", dies_later, start=dt.date(2025, 7, 1))
    registry_dead = make_person(status="死亡", status_date=dt.date(2025, 1, 5))
    make_entitlement(registry_dead, benefit="living_subsidy", start=dt.date(2019, 1, 1))

    found = findings()

    assert detail(found, dead, "paid_after_death") == "死亡日期 2024-03-02，2025-06 仍在发放护理补贴"
    assert "paid_while_ineligible" not in codes(found, dead)
    assert "paid_after_death" not in codes(found, dies_later)
    assert "2025-01-05" in detail(found, registry_dead, "paid_after_death")


def test_paid_while_ineligible_names_the_failed_clause(standards):
    not_poor = make_person(grade=3)  # no 低保: living subsidy ineligible
    make_entitlement(not_poor, benefit="living_subsidy", start=dt.date(2024, 1, 1))
    entitled = make_person(grade=3)
    make_list_record("dibao", entitled, start=dt.date(2024, 1, 1))
    make_entitlement(entitled, benefit="living_subsidy", start=dt.date(2024, 1, 1))
    unknown = make_person(grade=1)  # no survey: nursing decision unknown, not ineligible
    make_entitlement(unknown, benefit="nursing_subsidy", start=dt.date(2024, 1, 1))

    found = findings()

    text = detail(found, not_poor, "paid_while_ineligible")
    assert text.startswith("2025-06 仍在发放生活补贴，但判定为不符合")
    assert "低保" in text
    assert "paid_while_ineligible" not in codes(found, entitled)
    assert "paid_while_ineligible" not in codes(found, unknown)


def test_double_benefit_with_work_injury_care_or_tekun(standards):
    injured = make_person(grade=1)
    make_entitlement(injured, benefit="nursing_subsidy", start=dt.date(2024, 1, 1))
    make_list_record("injury_care", injured, start=dt.date(2023, 1, 1))
    ended = make_person(grade=1)
    make_entitlement(ended, benefit="nursing_subsidy", start=dt.date(2024, 1, 1))
    make_list_record("injury_care", ended, start=dt.date(2023, 1, 1), end=dt.date(2025, 6, 29))
    tekun = make_person(grade=3)
    make_entitlement(tekun, benefit="living_subsidy", start=dt.date(2024, 1, 1))
    make_list_record("tekun", tekun, start=dt.date(2022, 5, 1))

    found = findings()

    assert "工伤保险生活护理费（起始 2023-01-01）" in detail(found, injured, "double_benefit")
    assert "double_benefit" not in codes(found, ended)
    assert "特困" in detail(found, tekun, "double_benefit")


def test_choose_higher_when_receiving_nursing_and_elderly_care(standards):
    both = make_person(grade=1)
    make_entitlement(both, benefit="nursing_subsidy", start=dt.date(2024, 1, 1))
    make_list_record("elderly_care", both, start=dt.date(2024, 1, 1))
    later = make_person(grade=1)
    make_entitlement(later, benefit="nursing_subsidy", start=dt.date(2024, 1, 1))
    make_list_record("elderly_care", later, start=dt.date(2025, 7, 1))

    found = findings()

    assert "choose_higher" in codes(found, both)
    assert "choose_higher" not in codes(found, later)


def test_medical_not_enrolled_for_year_of_d(standards):
    insured = make_person()
    make_list_record("medical", insured, year=2025, category="城乡居民")
    last_year = make_person()
    make_list_record("medical", last_year, year=2024, category="城乡居民")
    expired = make_person(issue_date=dt.date(2014, 1, 1))  # not in P(D)

    found = findings()

    assert "medical_not_enrolled" not in codes(found, insured)
    assert "medical_not_enrolled" in codes(found, last_year)
    assert "medical_not_enrolled" not in codes(found, expired)


def test_pension_not_enrolled_counts_blank_status_and_not_suspended(standards):
    blank = make_person(birth=dt.date(1990, 1, 1))
    make_list_record("pension", blank, year=2025, status="")
    suspended = make_person(birth=dt.date(1990, 1, 1))
    make_list_record("pension", suspended, year=2025, status="暂停")
    drawing = make_person(birth=dt.date(1950, 1, 1))
    make_list_record("pension", drawing, year=2025, status="领取待遇")
    fifteen = make_person(birth=dt.date(2009, 7, 1))  # 15 on D
    student = make_person(birth=dt.date(2008, 1, 1))  # 17, in school
    make_list_record("enrolment", student, school_year="2024-2025")

    found = findings()

    assert "pension_not_enrolled" not in codes(found, blank)
    assert "（参保状态为暂停）" in detail(found, suspended, "pension_not_enrolled")
    assert "pension_not_enrolled" not in codes(found, drawing)
    assert "pension_not_enrolled" not in codes(found, fifteen)
    assert "pension_not_enrolled" not in codes(found, student)


def test_child_not_enrolled_uses_age_on_31_august(standards):
    six = make_person(birth=dt.date(2018, 8, 31), issue_date=dt.date(2022, 1, 1))
    too_young = make_person(birth=dt.date(2018, 9, 1), issue_date=dt.date(2022, 1, 1))
    enrolled = make_person(birth=dt.date(2015, 3, 1), issue_date=dt.date(2022, 1, 1))
    make_list_record("enrolment", enrolled, school_year="2024-2025", organisation="忻州市特殊教育学校")
    wrong_year = make_person(birth=dt.date(2015, 3, 1), issue_date=dt.date(2022, 1, 1))
    make_list_record("enrolment", wrong_year, school_year="2023-2024")

    found = findings()

    assert "2024-2025 学年" in detail(found, six, "child_not_enrolled")
    assert "child_not_enrolled" not in codes(found, too_young)
    assert "child_not_enrolled" not in codes(found, enrolled)
    assert "child_not_enrolled" in codes(found, wrong_year)


def test_certificate_expired_on_expiry_day(standards):
    expired = make_person(issue_date=dt.date(2015, 6, 30))  # expiry 2025-06-30 = D
    valid = make_person(issue_date=dt.date(2015, 7, 1))
    cancelled = make_person(issue_date=dt.date(2010, 1, 1), status="注销", status_date=dt.date(2021, 1, 1))

    found = findings()

    assert (
        detail(found, expired, "certificate_expired") == "残疾人证发证日期 2015-06-30，已于 2025-06-30 到期"
    )
    assert "certificate_expired" not in codes(found, valid)
    assert "certificate_expired" not in codes(found, cancelled)


def test_name_mismatch_trims_full_width_spaces_and_ignores_dates(standards):
    same = make_person(name="张三")
    make_list_record("dibao", same, start=dt.date(2024, 1, 1), name="　张三　")
    make_list_record("pension", same, year=2025, name="张三 ")
    other = make_person(name="李四")
    make_list_record("tekun", other, start=dt.date(2010, 1, 1), end=dt.date(2012, 1, 1), name="李思")

    found = findings()

    assert "name_mismatch" not in codes(found, same)
    assert detail(found, other, "name_mismatch") == "名册姓名“李四”，特困人员名单第 2 行为“李思”"


def test_county_is_the_household_registration_not_the_id_address(standards):
    # ID number issued in 原平市 (140981); household registered in 忻府区 (140902)
    moved = make_person(id_number=make_id_number(county="140981"), region_code="140902003004")
    send_yearly_lists(kinds=("medical",))

    found = findings()

    row = found.filter((pl.col("person_id") == moved.pk) & (pl.col("code") == "medical_not_enrolled"))
    assert row.item(0, "county") == "140902"
    assert row.item(0, "township_code") == "140902003"


def test_one_row_per_code_and_person(standards):
    p = make_person(name="王五")
    make_list_record("dibao", p, start=dt.date(2024, 1, 1), name="王六")
    make_list_record("medical", p, year=2025, name="王七")

    found = findings()

    assert found.filter(pl.col("person_id") == p.pk).get_column("code").to_list().count("name_mismatch") == 1
    assert "等" not in detail(found, p, "name_mismatch")
    assert found.columns == ["person_id", "code", "county", "township_code", "detail"]


def test_name_mismatch_groups_rows_with_the_same_name(standards):
    p = make_person(name="谢样和")
    for year in (2023, 2024, 2025):
        make_list_record("medical", p, year=year, name="谢样平")

    found = findings()

    assert detail(found, p, "name_mismatch") == "名册姓名“谢样和”，医疗保险参保名单第 2、3、4 行为“谢样平”"
