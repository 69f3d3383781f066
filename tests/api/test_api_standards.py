"""Standards through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import make_standard, make_user


@pytest.mark.django_db
def test_it_lists_standards_and_the_rows_in_force(api_get: Any, county_staff: Any) -> None:
    make_standard("140900", dt.date(2020, 1, 1), nursing_grade1="120")
    make_standard("140900", dt.date(2024, 1, 1), living_subsidy=Decimal("90.50"), nursing_grade1="120")
    make_standard("140902", dt.date(2023, 1, 1), living_subsidy=Decimal("100"), nursing_grade1="120")
    everything = api_get(county_staff, "/standards").json()
    assert len(everything) == 3
    in_force = api_get(county_staff, "/standards", on="2023-06-30").json()
    assert {(r["region_code"], r["effective_date"]) for r in in_force} == {
        ("140900", "2020-01-01"),
        ("140902", "2023-01-01"),
    }
    city = api_get(county_staff, "/standards", region="140900", on="2024-02-01").json()
    assert [r["living_subsidy"] for r in city] == [90.5]
    assert city[0]["near_poor_multiple"] == 1.5 and city[0]["in_force"] is True


@pytest.mark.django_db
def test_a_bad_region_is_422(api_get: Any, county_staff: Any) -> None:
    response = api_get(county_staff, "/standards", region="999999")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.django_db
def test_administrators_do_not_read_standards(api_get: Any) -> None:
    admin = make_user("system_admin", None, username="admin")
    response = api_get(admin, "/standards")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
