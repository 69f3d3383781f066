"""Findings through the API: filtered reads in scope, and the audited follow-up."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huican.core.models import AuditEntry
from huican.matching.models import Finding, FindingRun
from tests.factories import make_person, make_user


@pytest.fixture
def findings(db: Any) -> dict[str, Finding]:
    run = FindingRun.objects.create(on_date=dt.date(2025, 6, 30), status=FindingRun.Status.DONE)
    here = make_person(name="忻府甲", region_code="140902")
    there = make_person(name="原平乙", region_code="140981")

    def finding(person: Any, code: str, detail: str) -> Finding:
        return Finding.objects.create(
            person=person,
            code=code,
            county_code=person.county_code,
            detail=detail,
            first_seen_run=run,
            last_seen_run=run,
        )

    return {
        "dibao": finding(here, "dibao_not_covered", "户人均年收入 5,000 元 < 低保线 6,000 元"),
        "medical": finding(here, "medical_not_enrolled", "2025 年无医保参保记录"),
        "other_county": finding(there, "dibao_not_covered", "原平"),
    }


def patch(client: Any, key: str, finding_id: int, body: Any) -> Any:
    return client.patch(
        f"/api/v1/findings/{finding_id}",
        json.dumps(body) if not isinstance(body, (bytes, str)) else body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


@pytest.mark.django_db
def test_it_lists_findings_in_scope_with_filters(api_get: Any, county_staff: Any, findings: Any) -> None:
    rows = api_get(county_staff, "/findings").json()
    assert {r["id"] for r in rows} == {findings["dibao"].pk, findings["medical"].pk}
    only = api_get(county_staff, "/findings", code="medical_not_enrolled").json()
    assert [r["id"] for r in only] == [findings["medical"].pk]
    assert only[0]["code_name"] == "医保未参保" and "*" in only[0]["id_masked"]
    assert api_get(county_staff, "/findings", region="140981").json() == []
    assert len(api_get(county_staff, "/findings", status="待核实").json()) == 2
    assert api_get(county_staff, "/findings", status="已处理").json() == []


@pytest.mark.django_db
def test_city_staff_filter_by_county(api_get: Any, city_staff: Any, findings: Any) -> None:
    rows = api_get(city_staff, "/findings", region="140981").json()
    assert [r["id"] for r in rows] == [findings["other_county"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize(("param", "value"), [("code", "nope"), ("status", "done"), ("region", "14")])
def test_bad_filters_are_422(api_get: Any, county_staff: Any, findings: Any, param: str, value: str) -> None:
    response = api_get(county_staff, "/findings", **{param: value})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == f"query.{param}"


@pytest.mark.django_db
def test_a_department_officer_sees_their_departments_codes(api_get: Any, findings: Any) -> None:
    officer = make_user("department_officer", "140900", username="minzheng", import_kinds=["dibao"])
    codes = {r["code"] for r in api_get(officer, "/findings").json()}
    assert codes == {"dibao_not_covered"}


@pytest.mark.django_db
def test_a_finding_of_another_county_is_404(
    client: Any, api_get: Any, outsider: Any, token_for: Any, findings: Any
) -> None:
    assert api_get(outsider, f"/findings/{findings['dibao'].pk}").status_code == 404
    response = patch(client, token_for(outsider), findings["dibao"].pk, {"status": "误报"})
    assert response.status_code == 404
    assert Finding.objects.get(pk=findings["dibao"].pk).status == "待核实"


@pytest.mark.django_db
def test_the_follow_up_is_recorded_and_audited(
    client: Any, county_staff: Any, token_for: Any, findings: Any
) -> None:
    colleague = make_user("township_staff", None, username="xinfu2")
    colleague.region_id = "140902"
    colleague.save()
    key = token_for(county_staff)
    target = findings["dibao"]
    response = patch(
        client, key, target.pk, {"status": "已核实-需处理", "assigned_to": "xinfu2", "note": "已入户核实"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["assigned_to"], body["note"]) == ("已核实-需处理", "xinfu2", "已入户核实")
    entry = AuditEntry.objects.get(action="finding.update", object_id=str(target.pk))
    assert entry.actor == county_staff and entry.detail["after"]["status"] == "已核实-需处理"
    # only the note: status and assignee stay
    body = patch(client, key, target.pk, {"note": "已报民政"}).json()
    assert (body["status"], body["assigned_to"], body["note"]) == ("已核实-需处理", "xinfu2", "已报民政")
    body = patch(client, key, target.pk, {"assigned_to": None, "status": "已处理"}).json()
    assert body["assigned_to"] is None and body["resolved_at"] is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"status": "done"},
        {"assigned_to": "nobody"},
        {"assigned_to": "yuanping"},  # cannot see the finding
        {"colour": "red"},
        {},
        {"note": 5},
        [1, 2],
    ],
)
def test_bad_follow_ups_are_422(
    client: Any, county_staff: Any, outsider: Any, token_for: Any, findings: Any, body: Any
) -> None:
    response = patch(client, token_for(county_staff), findings["dibao"].pk, body)
    assert response.status_code == 422, response.content
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert Finding.objects.get(pk=findings["dibao"].pk).status == "待核实"


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_400(
    client: Any, county_staff: Any, token_for: Any, findings: Any
) -> None:
    response = patch(client, token_for(county_staff), findings["dibao"].pk, "not json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert "JSON" in response.json()["error"]["message"]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        st.dictionaries(
            st.sampled_from(["status", "assigned_to", "note", "x"]),
            st.one_of(st.none(), st.text(max_size=30), st.integers(), st.booleans()),
            max_size=4,
        ),
        st.binary(max_size=100),
        st.lists(st.integers(), max_size=3),
    )
)
def test_any_patch_body_gets_a_sound_answer(
    client: Any, county_staff: Any, token_for: Any, findings: Any, body: Any
) -> None:
    response = patch(client, token_for(county_staff), findings["dibao"].pk, body)
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}
