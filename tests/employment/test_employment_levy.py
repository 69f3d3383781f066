"""What is due (EMPLOYMENT.md): statuses and their boundaries, the wage cap, rounding at the end,
the public worked example, the parameters of a county or the city, the 专栏4 public employers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huican.employment.verification import Parameters, compute_due, is_public_below_quota, levy
from tests.factories import declare, make_declaration, make_levy_standard, make_list_record, make_person

PARAMS = Parameters(Decimal("80000"), Decimal("0.015"), 16, 59, True, 30)


def due(unit_type="企业", staff="500", wage="100000", twelfths=0, params=PARAMS):
    return compute_due(
        unit_type=unit_type,
        staff=Decimal(staff),
        average_wage=Decimal(wage),
        arranged_twelfths=twelfths,
        parameters=params,
    )


def _worker(grade=4):
    person = make_person(grade=grade)
    make_list_record("pension", person, year=2025, category="职工")
    return person


@pytest.mark.parametrize(
    ("verified", "status", "amount"), [(2, "reduced_90", 495000.0), (5, "reduced_50", 125000.0)]
)
def test_public_worked_example(db, verified, status, amount):
    make_levy_standard(social_average_wage="60000.00")
    declaration = make_declaration(staff="500", average_wage="100000.00")
    for _ in range(verified):
        declare(declaration, _worker(), start=dt.date(2024, 1, 1))
    (element,) = levy(year=2025)
    assert element["status"] == status
    assert element["due"] == amount
    assert element["required"] == 7.5
    assert element["arranged"] == verified
    assert element["ratio"] == verified / 5
    assert element["base_wage"] == 100000.0


def test_ratio_exactly_one_percent_pays_half():
    result = due(staff="300", twelfths=3 * 12)
    assert result.status == "reduced_50"
    assert result.due == Decimal("75000.00")  # (4.5 − 3) × 100000 (under the cap of 160000) × 50%


def test_ratio_just_below_one_percent_pays_ninety():
    result = due(staff="300.1", twelfths=3 * 12)
    assert result.status == "reduced_90"


def test_met_when_arranged_reaches_required():
    assert due(staff="200", twelfths=3 * 12).status == "met"
    assert due(staff="200", twelfths=3 * 12).due == 0
    assert due(staff="200", twelfths=3 * 12 - 1).status == "reduced_50"


@pytest.mark.parametrize(
    ("staff", "status"), [("30", "exempt"), ("30.0", "exempt"), ("30.1", "reduced_90"), ("31", "reduced_90")]
)
def test_small_enterprise_exempt_up_to_thirty_staff(staff, status):
    assert due(staff=staff).status == status


def test_a_public_body_is_not_exempt_by_size():
    result = due(unit_type="机关", staff="10")
    assert result.status == "reduced_90"
    assert result.due == Decimal("13500.00")  # 0.15 × 100000 × 90%


def test_wage_capped_at_twice_the_social_average():
    params = Parameters(Decimal("50000"), Decimal("0.015"), 16, 59, True, 30)
    exactly = due(wage="100000", params=params)
    above = due(wage="100000.01", params=params)
    assert exactly.base_wage == above.base_wage == Decimal("100000.00")
    assert exactly.due == above.due == Decimal("675000.00")
    assert due(wage="99999.99", params=params).base_wage == Decimal("99999.99")


def test_tiering_off_pays_the_full_amount():
    params = Parameters(Decimal("80000"), Decimal("0.015"), 16, 59, False, 30)
    result = due(staff="300", twelfths=36, params=params, wage="60000")
    assert result.status == "full"
    assert result.due == Decimal("90000.00")


def test_rounded_only_at_the_end():
    # A = 1/12: (0.15 − 0.08333…) × 100000 × 90% = 6000.00 exactly; rounding A first would give 6003.00.
    result = due(
        unit_type="事业单位",
        staff="10",
        twelfths=1,
        params=Parameters(None, Decimal("0.015"), 16, 59, True, 30),
    )
    assert result.status == "reduced_90"
    assert result.due == Decimal("6000.00")


def test_half_up_rounding_of_the_due():
    # A public body of 1: R = 0.015; 0.015 × 33.33 × 90% = 0.449955 → 0.45
    result = due(unit_type="机关", staff="1", wage="33.33")
    assert result.due == Decimal("0.45")


def test_county_parameters_before_the_city_and_defaults_for_blanks(db):
    make_levy_standard("140900", social_average_wage="90000.00", ratio=Decimal("0.02"))
    make_levy_standard("140902", social_average_wage="40000.00")  # blank ratio: 1.5%, not the city's 2%
    in_county = make_declaration(region_code="140902", name="县", staff="100", average_wage="100000")
    in_other = make_declaration(region_code="140921", name="他县", staff="100", average_wage="100000")
    at_city = make_declaration(region_code="140900", name="市", staff="100", average_wage="100000")
    elements = {e["name"]: e for e in levy(year=2025)}
    assert elements[in_county.name]["required"] == 1.5
    assert elements[in_county.name]["base_wage"] == 80000.0
    assert elements[in_other.name]["required"] == 2.0
    assert elements[in_other.name]["base_wage"] == 100000.0
    assert elements[at_city.name]["required"] == 2.0


def test_tiering_default_by_year(db):
    make_levy_standard(year=2028)
    make_declaration(year=2028, staff="100")
    (element,) = levy(year=2028)
    assert element["status"] == "full"


def test_region_filter_keeps_the_employers_registered_there(db):
    make_levy_standard()
    make_declaration(region_code="140902", name="忻府")
    make_declaration(region_code="140981", name="原平")
    assert [e["name"] for e in levy(year=2025, region="140981")] == ["原平"]
    assert len(levy(year=2025, region="140900")) == 2


@pytest.mark.parametrize(
    ("unit_type", "posts", "school", "twelfths", "expected"),
    [
        ("机关", 50, None, 0, True),
        ("机关", 49, None, 0, False),
        ("事业单位", 67, False, 0, True),
        ("事业单位", 66, False, 0, False),
        ("事业单位", 80, True, 0, False),
        ("机关", 60, None, 12, False),  # employs someone
        ("企业", 500, None, 0, False),
    ],
)
def test_public_employer_below_quota(unit_type, posts, school, twelfths, expected):
    result = due(unit_type=unit_type, staff="200", twelfths=twelfths)
    assert (
        is_public_below_quota(unit_type=unit_type, established_posts=posts, is_school=school, due=result)
        is expected
    )


def test_one_declaration_read_alone_agrees_with_the_whole_year(db):
    make_levy_standard()
    shared = _worker(grade=1)
    first = make_declaration(name="甲", staff="50")
    second = make_declaration(name="乙", staff="80", region_code="140981")
    declare(first, shared, start=dt.date(2024, 1, 1))
    declare(first, _worker(), start=dt.date(2025, 4, 1), end=dt.date(2026, 3, 31))
    declare(second, shared, start=dt.date(2025, 1, 1))
    whole = {e["name"]: e for e in levy(year=2025)}
    for declaration in (first, second):
        (alone,) = levy(year=2025, declaration_ids=[declaration.pk])
        assert alone["persons"] == whole[declaration.name]["persons"]
        assert alone["due"] == whole[declaration.name]["due"]
    assert whole["甲"]["persons"][0]["reasons"] == ["declared_twice"]
