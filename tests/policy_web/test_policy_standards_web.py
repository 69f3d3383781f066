"""Standards pages: the list per county over time, adding a row (authorised, validated, audited),
and the what-if page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from huican.core.models import AuditEntry
from huican.policy.models import Standard
from tests.factories import make_standard, make_user

VALID = {
    "region_code": "140902",
    "effective_date": "2025-01-01",
    "urban_dibao": "760.00",
    "rural_dibao": "560",
    "living_subsidy": "90.5",
    "nursing_grade1": "130",
    "nursing_grade2": "90",
    "near_poor_multiple": "1.5",
    "topup_rate": "0.08",
    "nursing_includes_grade34_intellectual_mental": "on",
    "child_rehab_max_age": "17",
    "reason": "忻民发〔2024〕1号",
}


@pytest.mark.django_db
def test_the_list_shows_each_county_over_time(client: Any, county_staff: Any) -> None:
    make_standard("140900", dt.date(2020, 1, 1), nursing_grade1="120")
    make_standard("140900", dt.date(2024, 1, 1), living_subsidy=Decimal("95.00"), nursing_grade1="120")
    make_standard("140981", dt.date(2023, 7, 1), living_subsidy=Decimal("88.00"), nursing_grade1="120")
    client.force_login(county_staff)
    response = client.get("/policy/")
    assert response.status_code == 200
    tables = {t["code"]: t for t in response.context["tables"]}
    assert [s.effective_date for s in tables["140900"]["rows"]] == [dt.date(2020, 1, 1), dt.date(2024, 1, 1)]
    assert tables["140900"]["current"] == tables["140900"]["rows"][1].pk
    assert len(tables) == 16 and tables["140902"]["rows"] == []
    page = response.content.decode()
    assert "忻州市（全市默认）" in page and "原平市" in page and "95.00" in page and "88.00" in page
    assert "使用全市默认标准" in page
    assert "/policy/standards/new/" not in page  # county staff may not add


@pytest.mark.django_db
def test_city_staff_add_a_standard_and_it_is_audited(client: Any, city_staff: Any) -> None:
    client.force_login(city_staff)
    assert client.get("/policy/standards/new/").status_code == 200
    response = client.post("/policy/standards/new/", VALID)
    assert response.status_code == 302 and response["Location"] == "/policy/#message"  # the confirmation
    confirmation = client.get(response["Location"]).content.decode()
    assert '<div class="messages" id="message" tabindex="-1">' in confirmation and "已添加" in confirmation
    standard = Standard.objects.get()
    assert standard.living_subsidy == Decimal("90.50") and standard.topup_rate == Decimal("0.08")
    assert standard.nursing_includes_grade34_intellectual_mental is True
    assert standard.living_includes_near_poor is False and standard.child_rehab_max_age == 17
    assert standard.created_by == city_staff
    entry = AuditEntry.objects.get(action="policy.standard_create")
    assert entry.actor == city_staff and entry.region_code == "140902"
    assert entry.reason == "忻民发〔2024〕1号" and entry.detail["living_subsidy"] == "90.50"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("living_subsidy", "-1"),
        ("living_subsidy", "80.123"),
        ("urban_dibao", "abc"),
        ("effective_date", "2025-02-30"),
        ("effective_date", ""),
        ("region_code", "999999"),
        ("near_poor_multiple", "0.5"),
        ("topup_rate", "2"),
        ("child_rehab_max_age", "40"),
    ],
)
def test_invalid_values_are_refused(client: Any, city_staff: Any, field: str, value: str) -> None:
    client.force_login(city_staff)
    response = client.post("/policy/standards/new/", {**VALID, field: value})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Standard.objects.exists()


@pytest.mark.django_db
def test_a_second_row_for_the_same_county_and_date_is_refused(client: Any, city_staff: Any) -> None:
    client.force_login(city_staff)
    client.post("/policy/standards/new/", VALID)
    response = client.post("/policy/standards/new/", {**VALID, "living_subsidy": "100"})
    assert response.status_code == 400
    assert "已有一行标准" in response.content.decode()
    assert Standard.objects.count() == 1


@pytest.mark.django_db
def test_only_authorised_staff_add_standards(client: Any, county_staff: Any) -> None:
    client.force_login(county_staff)
    assert client.get("/policy/standards/new/").status_code == 403
    assert client.post("/policy/standards/new/", VALID).status_code == 403
    officer = make_user("department_officer", "140900", username="minzheng", import_kinds=["standards"])
    client.force_login(officer)
    assert client.post("/policy/standards/new/", VALID).status_code == 403
    assert client.get("/policy/").status_code == 403
    assert not Standard.objects.exists()


@pytest.mark.django_db
def test_the_what_if_page_reports_without_changing_anything(
    client: Any, county_staff: Any, small_county: Any
) -> None:
    client.force_login(county_staff)
    assert client.get("/policy/what-if/").status_code == 200
    before = list(Standard.objects.values())
    response = client.get(
        "/policy/what-if/", {"field": "living_includes_near_poor", "value": "是", "on": "2024-06-01"}
    )
    assert response.status_code == 200
    result = response.context["result"]
    living = {r["benefit"]: r for r in result["benefits"]}["living_subsidy"]
    assert (living["eligible_before"], living["eligible_after"]) == (1, 3)
    page = response.content.decode()
    assert "240.00" in page and "困难残疾人生活补贴" in page
    assert list(Standard.objects.values()) == before
    assert AuditEntry.objects.filter(action="policy.what_if").exists()


@pytest.mark.django_db
def test_the_what_if_page_is_scoped_to_the_users_region(client: Any, small_county: Any) -> None:
    other = make_user("county_staff", "140981", username="yuanping")
    client.force_login(other)
    response = client.get("/policy/what-if/", {"field": "living_subsidy", "value": "100", "on": "2024-06-01"})
    assert response.status_code == 200
    assert response.context["result"]["persons"] == 0


@pytest.mark.django_db
def test_the_what_if_page_explains_a_bad_value(client: Any, county_staff: Any) -> None:
    client.force_login(county_staff)
    response = client.get("/policy/what-if/", {"field": "living_subsidy", "value": "-5", "on": "2024-06-01"})
    assert response.status_code == 400
    assert "不能小于" in response.content.decode()
    admin = make_user("system_admin", None, username="admin")
    client.force_login(admin)
    assert client.get("/policy/what-if/").status_code == 403


@pytest.mark.django_db
def test_the_service_takes_the_parameters_of_the_one_table(city_staff: Any) -> None:
    """standard_create reads STANDARD_FIELDS: a left-out optional parameter takes its default, an
    unknown or a missing required one is a programming error."""
    from huican.policy.services import standard_create

    amounts = {"urban_dibao": "700", "rural_dibao": "500", "living_subsidy": "80", "nursing_grade1": "120"}
    with pytest.raises(TypeError, match="nursing_grade2"):
        standard_create(actor=city_staff, region_code="140900", effective_date=dt.date(2025, 1, 1), **amounts)
    with pytest.raises(TypeError, match="near_poor"):
        standard_create(
            actor=city_staff,
            region_code="140900",
            effective_date=dt.date(2025, 1, 1),
            nursing_grade2="80",
            near_poor="2",
            **amounts,
        )
    row = standard_create(
        actor=city_staff,
        region_code="140900",
        effective_date=dt.date(2025, 1, 1),
        nursing_grade2="80",
        **amounts,
    )
    assert row.near_poor_multiple == Decimal("1.5") and row.child_rehab_max_age == 6
    assert row.living_includes_near_poor is False and row.urban_dibao == Decimal("700.00")
