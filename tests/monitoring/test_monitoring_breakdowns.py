"""Indicators by disability category: each category computed by the indicator code, adding up to the whole."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string

from huican.monitoring.breakdowns import category_breakdown, warm_category_breakdowns
from huican.monitoring.indicators import compute_indicators
from huican.monitoring.models import IndicatorSnapshot
from huican.monitoring.plan import plan_for_year
from tests.factories import make_list_record, make_person, make_standard, make_survey

Y = 2025
XINFU = "140902"
CATEGORY_ORDER = ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]


def pick(rows: list[dict], code: str, region: str = "140900") -> dict:
    [row] = [r for r in rows if r["code"] == code and r["region"] == region]
    return row


def by_category(rows: list[dict]) -> dict[str, tuple]:
    return {row["category"]: (row["numerator"], row["denominator"], row["value"]) for row in rows}


@pytest.fixture
def small_world(db):
    """Persons of four categories in 忻府区 and one in 定襄县, with medical insurance, training and renovations."""
    make_standard()
    vision_insured = make_person(category=1, household_number="H-V")
    vision_not = make_person(category=1)
    physical = [make_person(category=4, household_number=f"H-P{i}") for i in range(3)]
    mental = make_person(category=6, household_number="H-V")  # the vision person's household
    multiple = make_person(category=7, region_code="140921001001")
    for person in (vision_insured, *physical[:2], multiple):
        make_list_record("medical", person, year=Y, category="城乡居民")
    make_list_record("medical", mental, year=2024, category="城乡居民")  # another year: not insured for Y
    for person in (vision_not, physical[0], multiple):
        make_list_record(
            "services", person, start=dt.date(2023, 3, 1), category="职业技能培训", status="完成"
        )
    # Household H-V: its vision member and its mental member each have a completed renovation record.
    for person in (vision_insured, mental):
        make_list_record("services", person, start=dt.date(2022, 6, 1), category="无障碍改造", status="完成")
    make_list_record("services", physical[1], start=dt.date(2024, 6, 1), category="无障碍改造")
    return {"vision": [vision_insured, vision_not], "physical": physical, "mental": mental}


def test_a_rate_by_category_adds_up_to_the_whole(small_world):
    rows = category_breakdown(year=Y, code="medical_enrolment", region="140900")

    assert [row["category"] for row in rows] == CATEGORY_ORDER
    assert {row["unit"] for row in rows} == {"%"}
    parts = by_category(rows)
    assert parts["视力"] == (1, 2, 50)
    assert parts["肢体"] == (2, 3, 66.67)
    assert parts["精神"] == (0, 1, 0)
    assert parts["多重"] == (1, 1, 100)
    assert parts["听力"] == (0, 0, None)  # nobody of that category: no value, not 0 %
    whole = pick(compute_indicators(year=Y), "medical_enrolment")
    assert sum(row["numerator"] for row in rows) == whole["numerator"] == 4
    assert sum(row["denominator"] for row in rows) == whole["denominator"] == 7


def test_a_county_breakdown_keeps_to_its_persons(small_world):
    rows = category_breakdown(year=Y, code="medical_enrolment", region=XINFU)

    parts = by_category(rows)
    assert parts["多重"] == (0, 0, None)  # the 多重 person lives in 定襄县
    whole = pick(compute_indicators(year=Y, region=XINFU), "medical_enrolment", XINFU)
    assert sum(row["numerator"] for row in rows) == whole["numerator"] == 3
    assert sum(row["denominator"] for row in rows) == whole["denominator"] == 6


def test_a_count_of_persons_adds_up_and_a_household_is_counted_in_each_category_of_its_served_members(
    small_world,
):
    training = category_breakdown(year=Y, code="training_persons", region="140900")
    whole = compute_indicators(year=Y)

    assert {row["category"]: row["value"] for row in training if row["value"]} == {
        "视力": 1,
        "肢体": 1,
        "多重": 1,
    }
    assert all(row["denominator"] is None for row in training)
    assert sum(row["value"] for row in training) == pick(whole, "training_persons")["value"] == 3

    renovations = category_breakdown(year=Y, code="home_renovations", region="140900")
    counted = {row["category"]: row["value"] for row in renovations if row["value"]}
    # H-V counts once for the city, and once under each of its two served members' categories.
    assert counted == {"视力": 1, "精神": 1, "肢体": 1}
    assert pick(whole, "home_renovations")["value"] == 2
    assert sum(counted.values()) == 2 + 1  # the whole plus the household counted twice


def test_a_yearly_list_judged_on_the_whole_snapshot_not_on_one_category(small_world):
    """The pension list holds nobody of these persons: it is sent (values 0 %), not missing (null)."""
    make_list_record("pension", make_person(category=2, birth=dt.date(1990, 1, 1)), year=Y, status="参保缴费")

    rows = by_category(category_breakdown(year=Y, code="pension_enrolment", region="140900"))

    assert rows["听力"] == (1, 1, 100)
    assert rows["视力"] == (0, 2, 0)  # sent for Y: 0 of 2, not null


def test_income_growth_by_category(small_world):
    vision = small_world["vision"][0]
    mental = small_world["mental"]
    make_survey(vision, year=2020, income="10000")
    make_survey(vision, year=Y, income="12000")
    make_survey(mental, year=2020, income="6000")
    make_survey(mental, year=Y, income="6000")

    rows = by_category(category_breakdown(year=Y, code="income_growth", region="140900"))

    assert rows["视力"] == (12000.0, 10000.0, 3.71)  # (1.2^(1/5) − 1) × 100
    assert rows["精神"] == (6000.0, 6000.0, 0)
    assert rows["肢体"] == (None, None, None)


def test_the_breakdown_is_kept_until_the_data_change(small_world):
    first = category_breakdown(year=Y, code="medical_enrolment", region="140900")
    assert IndicatorSnapshot.objects.filter(region="140900", version__startswith="category:").count() == 1
    assert category_breakdown(year=Y, code="training_persons", region="140900")  # read from the kept rows
    assert IndicatorSnapshot.objects.filter(region="140900", version__startswith="category:").count() == 1

    make_list_record("medical", small_world["vision"][1], year=Y, category="城乡居民")

    again = by_category(category_breakdown(year=Y, code="medical_enrolment", region="140900"))
    assert by_category(first)["视力"] == (1, 2, 50)
    assert again["视力"] == (2, 2, 100)
    assert IndicatorSnapshot.objects.filter(region="140900", version__startswith="category:").count() == 1
    # The dashboard's own run is never taken for a breakdown (nor the other way round).
    assert not IndicatorSnapshot.objects.filter(region="").exists()


def test_the_city_breakdown_can_be_kept_ahead_of_the_page(small_world):
    assert warm_category_breakdowns(today=dt.date(2026, 3, 1)) == 11  # the plan has ended: 2025 is shown

    [kept] = IndicatorSnapshot.objects.filter(version__startswith="category:")
    assert (kept.year, kept.on, kept.region) == (2025, dt.date(2025, 12, 31), "140900")
    assert {row["code"] for row in kept.rows} == set(plan_for_year(Y).indicator_codes)


def test_the_partial_shows_a_table_and_a_bar_list(small_world):
    plan = plan_for_year(Y)
    html = render_to_string(
        "monitoring/_breakdown.html",
        {
            "breakdown": category_breakdown(year=Y, code="medical_enrolment", region="140900"),
            "indicator": plan.indicator("medical_enrolment"),
        },
    )
    assert "<caption" in html and '<th scope="row">肢体</th>' in html and '<th scope="col">' in html
    assert "66.67%" in html and "2 人" in html
    assert html.count("<li>") == 7

    counts = render_to_string(
        "monitoring/_breakdown.html",
        {
            "breakdown": category_breakdown(year=Y, code="home_renovations", region="140900"),
            "indicator": plan.indicator("home_renovations"),
        },
    )
    assert "1 户" in counts and "1.00 户" not in counts
    assert "各计一次" in counts
