"""Persons through the API: search and read within the user's region, masked, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from huican.core.models import AuditEntry
from tests.factories import id_number, make_person, make_standard, make_user


@pytest.mark.django_db
def test_search_by_name_returns_masked_persons_in_scope(api_get: Any, county_staff: Any, person: Any) -> None:
    make_person(name="王另县", region_code="140981")
    response = api_get(county_staff, "/persons", q="王")
    assert response.status_code == 200
    rows = response.json()
    assert [r["name"] for r in rows] == ["王测试"]
    assert rows[0]["id_masked"] == person.id_masked
    assert "*" in rows[0]["id_masked"]
    assert "id_number" not in rows[0]


@pytest.mark.django_db
def test_search_by_id_number_finds_exactly_one(client: Any, token_for: Any, county_staff: Any) -> None:
    number = id_number("140902", dt.date(1965, 5, 5), 123)
    target = make_person(region_code="140902", name="赵某", id_number=number)
    make_person(region_code="140902", name="钱某")
    rows = post_search(client, token_for(county_staff), q=number).json()
    assert [r["id"] for r in rows] == [target.pk]
    entry = AuditEntry.objects.filter(action="registry.search").latest("sequence")
    assert entry.detail["via"] == "api" and number not in str(entry.detail)


@pytest.mark.django_db
def test_a_malformed_id_number_query_is_a_clear_422(client: Any, token_for: Any, county_staff: Any) -> None:
    response = post_search(client, token_for(county_staff), q="140902198001010000")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_query"


@pytest.mark.django_db
def test_city_staff_see_every_county(api_get: Any, city_staff: Any, person: Any) -> None:
    other = make_person(name="王原平", region_code="140981")
    ids = {r["id"] for r in api_get(city_staff, "/persons", q="王").json()}
    assert ids == {person.pk, other.pk}


@pytest.mark.django_db
def test_read_one_person_is_audited(api_get: Any, county_staff: Any, person: Any) -> None:
    response = api_get(county_staff, f"/persons/{person.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "王测试" and body["county_code"] == "140902"
    assert body["surveys"] == [] and body["household"] == []
    entry = AuditEntry.objects.filter(action="registry.person_view", object_id=str(person.pk)).get()
    assert entry.actor == county_staff and entry.detail["via"] == "api"


@pytest.mark.django_db
def test_a_person_of_another_county_is_404(api_get: Any, outsider: Any, person: Any) -> None:
    for path in (f"/persons/{person.pk}", f"/persons/{person.pk}/decisions"):
        response = api_get(outsider, path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert api_get(outsider, "/persons", q="王").json() == []


@pytest.mark.django_db
def test_a_person_that_does_not_exist_is_the_same_404(api_get: Any, county_staff: Any) -> None:
    response = api_get(county_staff, "/persons/987654")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_roles_that_never_browse_persons_are_refused(api_get: Any, person: Any) -> None:
    evaluator = make_user("evaluator", "140900", username="eval")
    assert api_get(evaluator, "/persons", q="王").status_code == 403
    assert api_get(evaluator, f"/persons/{person.pk}").status_code == 404


@pytest.mark.django_db
def test_decisions_on_a_date_with_reasons(api_get: Any, county_staff: Any) -> None:
    make_standard(nursing_grade1="120")
    severe = make_person(region_code="140902", name="孙某", grade=1, issue_date=dt.date(2020, 1, 1))
    response = api_get(county_staff, f"/persons/{severe.pk}/decisions", on="2024-06-01")
    assert response.status_code == 200, response.content
    rows = {r["benefit"]: r for r in response.json()}
    assert set(rows) >= {"living_subsidy", "nursing_subsidy", "medical_premium_aid"}
    assert rows["medical_premium_aid"]["decision"] == "eligible"
    assert rows["living_subsidy"]["decision"] == "ineligible"  # not in 低保
    assert any(r["passed"] is False for r in rows["living_subsidy"]["reasons"])
    # after the certificate expired (issue date + 10 years), nothing is eligible
    later = {
        r["benefit"]: r
        for r in api_get(county_staff, f"/persons/{severe.pk}/decisions", on="2030-01-01").json()
    }
    assert later["medical_premium_aid"]["decision"] == "ineligible"
    entry = AuditEntry.objects.filter(action="registry.person_view", object_id=str(severe.pk)).latest(
        "sequence"
    )
    assert entry.detail["part"] == "decisions"


def post_search(client: Any, key: str, **body: Any) -> Any:
    return client.post(
        "/api/v1/persons/search", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


@pytest.mark.django_db
def test_an_id_number_in_the_url_is_refused_not_searched(api_get: Any, county_staff: Any) -> None:
    """Issue 10: ID numbers stay out of URLs (and so out of proxy and server logs)."""
    number = id_number("140902", dt.date(1965, 5, 5), 123)
    make_person(region_code="140902", name="赵某", id_number=number)
    searches = AuditEntry.objects.filter(action="registry.search").count()
    response = api_get(county_staff, "/persons", q=number)
    assert response.status_code == 422 and response.json()["error"]["code"] == "number_in_url"
    assert AuditEntry.objects.filter(action="registry.search").count() == searches
    assert [r["name"] for r in api_get(county_staff, "/persons", q="赵").json()] == ["赵某"]
