import datetime as dt

import polars as pl
import pytest

from huican.exchange.snapshots import LIST_KINDS
from huican.policy.facts import load_facts, person_id_numbers
from tests.factories import (
    id_number_of,
    make_entitlement,
    make_id_number,
    make_list_record,
    make_person,
    make_standard,
    make_survey,
)

D = dt.date(2025, 6, 30)


@pytest.mark.django_db
def test_load_facts_reads_every_table():
    p = make_person(issue_date=dt.date(2016, 2, 29), region_code="140981002003")
    make_survey(p, year=2024, income="7800.50", long_term_care=True)
    make_list_record("dibao", p, start=dt.date(2024, 1, 1))
    make_list_record("dibao", make_id_number(), start=dt.date(2024, 1, 1))
    make_list_record("subsidy_recipients", p, start=dt.date(2024, 3, 1), category="生活补贴", amount="80")
    make_entitlement(p, benefit="nursing_subsidy", start=dt.date(2025, 1, 1))
    make_standard(topup_rate="0.08")

    facts = load_facts(on=D)

    assert set(facts.lists) == set(LIST_KINDS)
    row = facts.persons.row(0, named=True)
    assert row["expiry_date"] == dt.date(2026, 3, 1)
    assert row["region_code"] == "140981002003"
    assert facts.surveys["income"].to_list() == [7800.5]
    assert facts.surveys["long_term_care"].to_list() == [True]
    assert facts.lists["dibao"].height == 2
    assert facts.lists["dibao"]["person_id"].null_count() == 1
    assert facts.lists["tekun"].height == 0
    assert facts.lists["tekun"].schema == facts.lists["dibao"].schema
    assert sorted(facts.receiving["benefit"].to_list()) == ["living_subsidy", "nursing_subsidy"]
    assert facts.standards["topup_rate"].to_list() == [0.08]
    assert facts.standards["child_rehab_max_age"].to_list() == [6]


@pytest.mark.django_db
def test_region_and_person_filters_drop_other_rows():
    a = make_person(region_code="140981002003")
    b = make_person(region_code="140902001001")
    make_list_record("dibao", a, start=dt.date(2024, 1, 1))
    make_list_record("dibao", b, start=dt.date(2024, 1, 1))
    make_list_record("dibao", make_id_number(), start=dt.date(2024, 1, 1))

    county = load_facts(on=D, region="140981")
    assert county.persons["person_id"].to_list() == [a.pk]
    assert county.lists["dibao"]["person_id"].to_list() == [a.pk]

    city = load_facts(on=D, region="140900")
    assert city.persons.height == 2 and city.lists["dibao"].height == 3

    one = load_facts(on=D, person_ids=[b.pk])
    assert one.persons["person_id"].to_list() == [b.pk]
    assert one.lists["dibao"]["person_id"].to_list() == [b.pk]


@pytest.mark.django_db
def test_person_id_numbers_decrypts():
    a = make_person()
    frame = person_id_numbers([a.pk])
    assert frame.to_dicts() == [{"person_id": a.pk, "id_number": id_number_of(a)}]
    assert person_id_numbers(pl.Series([], dtype=pl.Int64)).height == 0


@pytest.mark.django_db
def test_renovations_of_the_household_are_loaded_across_the_region_filter():
    here = make_person(region_code="140981002003", household_number="H-9")
    there = make_person(region_code="140902001001", household_number="H-9")
    elsewhere = make_person(region_code="140902001001", household_number="H-10")
    make_list_record("services", there, start=dt.date(2023, 5, 1), category="无障碍改造", status="完成")
    make_list_record("services", elsewhere, start=dt.date(2023, 5, 1), category="无障碍改造", status="")
    make_list_record("services", here, start=dt.date(2023, 5, 1), category="无障碍改造", status="进行中")
    facts = load_facts(on=D, region="140981")
    assert facts.renovations.select("household_number", "person_id").to_dicts() == [
        {"household_number": "H-9", "person_id": there.pk}
    ]
    assert facts.lists["services"]["person_id"].to_list() == [here.pk]
    assert load_facts(on=D).renovations.height == 2
