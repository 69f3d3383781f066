"""Verification of declared persons (EMPLOYMENT.md): every reason code, weights and months."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.employment.verification import levy
from tests.factories import (
    declare,
    id_number,
    id_number_of,
    make_declaration,
    make_levy_standard,
    make_list_record,
    make_person,
)

D = dt.date


def _insured(person, year=2025, status=""):
    make_list_record("pension", person, year=year, category="职工", status=status)


def _person(**fields):
    person = make_person(**fields)
    _insured(person)
    return person


def _persons(year=2025, region=None):
    return {p["id_number"]: p for e in levy(year=year, region=region) for p in e["persons"]}


def _one(year=2025):
    (element,) = [p for e in levy(year=year) for p in e["persons"]]
    return element


@pytest.fixture
def standard(db):
    return make_levy_standard()


def test_a_person_with_everything_counts_for_the_whole_year(standard):
    person = _person(grade=3)
    declare(make_declaration(), person, start=D(2024, 3, 1))
    assert _one() == {
        "id_number": id_number_of(person),
        "counted": True,
        "weight": 1,
        "months": 12,
        "reasons": [],
    }


def test_not_in_registry_is_the_only_reason(standard):
    stranger = id_number("140902", D(1980, 1, 1), 991)
    declare(make_declaration(), stranger, start=D(2025, 6, 1), end=D(2025, 7, 1))
    element = _one()
    assert element["reasons"] == ["not_in_registry"]
    assert element["counted"] is False
    assert element["weight"] == 1 and element["months"] == 2


def test_not_in_year_and_months_zero(standard):
    person = _person()
    declare(make_declaration(), person, start=D(2022, 1, 1), end=D(2024, 12, 31))
    element = _one()
    assert element["reasons"] == ["not_in_year"]
    assert element["months"] == 0


def test_contract_starting_next_year_is_not_in_year(standard):
    person = _person()
    declare(make_declaration(), person, start=D(2026, 1, 1))
    assert _one()["reasons"] == ["not_in_year"]


def test_no_valid_certificate_on_the_last_contract_day(standard):
    # Certificate issued 2015-07-01 expires 2025-07-01: valid on 2025-06-30, not on 31 December.
    ends_mid_year = _person(issue_date=D(2015, 7, 1))
    declare(make_declaration(), ends_mid_year, start=D(2024, 6, 30), end=D(2025, 6, 30))
    open_ended = _person(issue_date=D(2015, 7, 1))
    declare(make_declaration(), open_ended, start=D(2024, 1, 1))
    persons = _persons()
    assert persons[id_number_of(ends_mid_year)]["reasons"] == []
    assert persons[id_number_of(ends_mid_year)]["months"] == 6
    assert persons[id_number_of(open_ended)]["reasons"] == ["no_valid_certificate"]


def test_certificate_day_is_31_december_when_the_contract_misses_the_year(standard):
    # Valid until 2025-07-01, the contract ended in 2024: judged on 2025-12-31, so both reasons.
    person = _person(issue_date=D(2015, 7, 1))
    declare(make_declaration(), person, start=D(2023, 1, 1), end=D(2024, 6, 30))
    assert _one()["reasons"] == ["not_in_year", "no_valid_certificate"]


def test_cancelled_or_dead_before_the_day_has_no_valid_certificate(standard):
    cancelled = _person(status="注销", status_date=D(2025, 12, 1))
    declare(make_declaration(), cancelled)
    dead = _person()
    make_list_record("deaths", dead, start=D(2025, 11, 30))
    declare(make_declaration(), dead)
    later = _person(status="注销", status_date=D(2026, 1, 5))
    declare(make_declaration(), later)
    persons = _persons()
    assert persons[id_number_of(cancelled)]["reasons"] == ["no_valid_certificate"]
    assert persons[id_number_of(dead)]["reasons"] == ["no_valid_certificate"]
    assert persons[id_number_of(later)]["reasons"] == []


@pytest.mark.parametrize(
    ("birth", "outside"),
    [
        (D(2009, 12, 31), False),  # 16 on 31 December 2025
        (D(2010, 1, 1), True),  # 15
        (D(1966, 1, 1), False),  # 59
        (D(1965, 12, 31), True),  # 60
    ],
)
def test_outside_working_age_on_31_december(standard, birth, outside):
    person = _person(birth=birth, issue_date=D(2024, 1, 1))
    declare(make_declaration(), person, start=D(2025, 1, 1))
    assert ("outside_working_age" in _one()["reasons"]) is outside


def test_working_age_bounds_come_from_the_parameters(db):
    make_levy_standard(age_min=18, age_max=60)
    person = _person(birth=D(1965, 6, 1), issue_date=D(2024, 1, 1))  # 60
    young = _person(birth=D(2008, 6, 1), issue_date=D(2024, 1, 1))  # 17
    declare(make_declaration(), person, start=D(2025, 1, 1))
    declare(make_declaration(), young, start=D(2025, 1, 1))
    persons = _persons()
    assert persons[id_number_of(person)]["reasons"] == []
    assert persons[id_number_of(young)]["reasons"] == ["outside_working_age"]


@pytest.mark.parametrize(
    ("start", "end", "short"),
    [
        (D(2025, 1, 1), D(2025, 12, 31), False),  # start + 1 year − 1 day
        (D(2025, 1, 1), D(2025, 12, 30), True),
        (D(2024, 2, 29), D(2025, 2, 28), False),  # one year after 29 February is 1 March
        (D(2024, 2, 29), D(2025, 2, 27), True),
        (D(2025, 3, 1), None, False),  # open-ended
    ],
)
def test_contract_too_short(standard, start, end, short):
    person = _person()
    declare(make_declaration(), person, start=start, end=end)
    assert ("contract_too_short" in _one()["reasons"]) is short


def test_no_employee_insurance(standard):
    resident = make_person()
    make_list_record("pension", resident, year=2025, category="城乡居民")
    suspended = make_person()
    make_list_record("pension", suspended, year=2025, category="职工", status="暂停")
    last_year = make_person()
    make_list_record("pension", last_year, year=2024, category="职工")
    paying = make_person()
    make_list_record("pension", paying, year=2025, category="职工", status="参保缴费")
    for person in (resident, suspended, last_year, paying):
        declare(make_declaration(), person)
    persons = _persons()
    for person in (resident, suspended, last_year):
        assert persons[id_number_of(person)]["reasons"] == ["no_employee_insurance"]
    assert persons[id_number_of(paying)]["reasons"] == []


def test_declared_twice_both_lose_the_person_whatever_the_dates(standard):
    person = _person()
    first = make_declaration(name="甲公司")
    second = make_declaration(name="乙公司")
    declare(first, person, start=D(2024, 1, 1))
    declare(second, person, start=D(2020, 1, 1), end=D(2021, 12, 31))
    other_year = make_declaration(year=2024)
    declare(other_year, person)
    elements = {e["name"]: e for e in levy(year=2025)}
    assert elements["甲公司"]["persons"][0]["reasons"] == ["declared_twice"]
    assert elements["乙公司"]["persons"][0]["reasons"] == ["not_in_year", "declared_twice"]
    assert elements["甲公司"]["arranged"] == 0


def test_every_reason_is_listed(standard):
    person = make_person(birth=D(1960, 1, 1), issue_date=D(2010, 1, 1))  # 65, expired 2020, no pension
    declare(make_declaration(), person, start=D(2025, 3, 1), end=D(2025, 9, 30))
    declare(make_declaration(), person, start=D(2025, 3, 1), end=D(2025, 9, 30))
    assert [p["reasons"] for e in levy(year=2025) for p in e["persons"]] == [
        [
            "no_valid_certificate",
            "outside_working_age",
            "contract_too_short",
            "no_employee_insurance",
            "declared_twice",
        ]
    ] * 2


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2025, 1, 31), D(2026, 2, 1), 12),
        (D(2025, 3, 31), D(2026, 6, 1), 10),  # one day of March counts
        (D(2024, 5, 1), D(2025, 5, 1), 5),
        (D(2025, 12, 31), None, 1),
    ],
)
def test_months_of_the_year_in_force(standard, start, end, months):
    person = _person()
    declare(make_declaration(), person, start=start, end=end)
    assert _one()["months"] == months


@pytest.mark.parametrize(("grade", "weight"), [(1, 2), (2, 2), (3, 1), (4, 1)])
def test_weight_two_for_grades_one_and_two(standard, grade, weight):
    person = _person(grade=grade)
    declare(make_declaration(staff="100"), person, start=D(2024, 7, 1), end=D(2025, 6, 30))
    (element,) = levy(year=2025)
    assert element["persons"][0]["weight"] == weight
    assert element["arranged"] == round(weight * 6 / 12, 4)


def test_arranged_is_the_sum_of_weight_times_months_over_twelve(standard):
    declaration = make_declaration(staff="100")
    declare(declaration, _person(grade=1), start=D(2024, 1, 1))  # 2 × 12
    declare(declaration, _person(grade=4), start=D(2025, 2, 1), end=D(2026, 5, 1))  # 1 × 11
    declare(declaration, _person(grade=4, issue_date=D(2010, 1, 1)), start=D(2024, 1, 1))  # not counted
    (element,) = levy(year=2025)
    assert element["arranged"] == 2.9167  # 35 / 12
    assert [p["counted"] for p in element["persons"]] == [True, True, False]
    assert element["persons"][2]["weight"] == 1 and element["persons"][2]["months"] == 12
