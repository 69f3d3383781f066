"""Fixtures for the standards and what-if tests (factories in tests/factories.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from huican.core.crypto import encrypt
from huican.exchange.models import ImportBatch, ListRecord
from huican.registry.models import Survey
from tests.factories import make_person, make_standard, make_user


@pytest.fixture
def city_staff(db: Any) -> Any:
    return make_user("city_staff", "140900", username="city")


@pytest.fixture
def county_staff(db: Any) -> Any:
    return make_user("county_staff", "140902", username="xinfu")


@pytest.fixture
def small_county(db: Any) -> dict[str, Any]:
    """Three rural persons of 忻府区 under the city-wide standard (rural 低保 500/month → line 6,000/year).

    A: grade 1, income 7,000 (near-poor), needs long-term care, not in 低保.
    B: grade 2, income 4,000, in 低保 since 2023, no long-term care.
    C: grade 4, income 8,000 (near-poor).
    """
    standard = make_standard("140900", dt.date(2020, 1, 1), nursing_grade1="120")
    a = make_person(region_code="140902", name="甲", grade=1, household_number="HA")
    b = make_person(region_code="140902", name="乙", grade=2, household_number="HB")
    c = make_person(region_code="140902", name="丙", grade=4, household_number="HC")
    Survey.objects.create(
        person=a, year=2024, income=Decimal("7000"), long_term_care=True, renovation_need=False
    )
    Survey.objects.create(
        person=b, year=2024, income=Decimal("4000"), long_term_care=False, renovation_need=False
    )
    Survey.objects.create(
        person=c, year=2024, income=Decimal("8000"), long_term_care=False, renovation_need=False
    )
    batch = ImportBatch.objects.create(
        kind="dibao", file_name="低保.csv", checksum="x", status=ImportBatch.Status.DONE
    )
    ListRecord.objects.create(
        batch=batch,
        kind="dibao",
        row_number=2,
        id_hash=b.id_hash,
        id_number_encrypted=encrypt("x"),
        id_masked=b.id_masked,
        in_registry=True,
        name=b.name,
        start_date=dt.date(2023, 1, 1),
    )
    return {"standard": standard, "a": a, "b": b, "c": c}
