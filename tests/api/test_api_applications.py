"""Applications through the API: scoped list and read (audited), receipt, the chain's actions, and a
refusal of the rules as a 422 in the one error shape."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huican.accounts.models import Role
from huican.benefits.models import Application
from huican.benefits.services import application_create, today
from huican.core.models import AuditEntry
from tests.factories import make_list_record, make_person, make_standard, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    return {
        "township": make_user(Role.TOWNSHIP_STAFF, "140902001", username="api_township"),
        "county": make_user(Role.COUNTY_STAFF, "140902", username="api_county"),
        "civil": make_user(Role.CIVIL_AFFAIRS_OFFICER, "140902", username="api_civil"),
        "outsider": make_user(Role.COUNTY_STAFF, "140981", username="api_yuanping"),
        "evaluator": make_user(Role.EVALUATOR, "140900", username="api_eval"),
    }


@pytest.fixture
def eligible(db: Any) -> Any:
    make_standard()
    person = make_person(name="申请甲", region_code="140902001001", grade=2)
    make_list_record("dibao", person, start=dt.date(2024, 1, 1))
    return person


def post(client: Any, token_for: Any, user: Any, path: str, body: Any) -> Any:
    return client.post(
        "/api/v1/applications" + path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(user)}",
    )


def test_it_lists_and_reads_applications_in_scope(api_get: Any, users: Any, eligible: Any) -> None:
    application = application_create(actor=users["township"], person=eligible, benefit="living_subsidy")
    rows = api_get(users["county"], "/applications").json()
    assert [r["id"] for r in rows] == [application.pk]
    assert rows[0]["status"] == "submitted" and rows[0]["benefit_name"] == "困难残疾人生活补贴"
    assert "*" in rows[0]["id_masked"] and rows[0]["due_on"] is not None and rows[0]["overdue"] is False
    assert api_get(users["county"], "/applications", status="approved").json() == []
    assert api_get(users["outsider"], "/applications").json() == []
    one = api_get(users["county"], f"/applications/{application.pk}")
    assert one.status_code == 200
    assert [e["action"] for e in one.json()["events"]] == ["create"]
    assert one.json()["events"][0]["decision"] == "eligible"
    entry = AuditEntry.objects.get(action="benefits.application_view", object_id=str(application.pk))
    assert entry.detail == {"via": "api"}
    missing = api_get(users["outsider"], f"/applications/{application.pk}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = api_get(users["county"], "/applications", status="nonsense")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"


def test_a_role_without_benefits_is_refused(api_get: Any, users: Any) -> None:
    response = api_get(users["evaluator"], "/applications")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_it_creates_an_application_and_refuses_a_second_open_one(
    client: Any, token_for: Any, users: Any, eligible: Any
) -> None:
    body = {"person_id": eligible.pk, "benefit": "living_subsidy", "account_number": "6222020012345678"}
    created = post(client, token_for, users["township"], "", body)
    assert created.status_code == 201
    data = created.json()
    assert (data["status"], data["source"], data["account_masked"]) == ("submitted", "api", "****5678")
    again = post(client, token_for, users["township"], "", body)
    assert again.status_code == 422
    error = again.json()["error"]
    assert error["code"] == "application_refused" and "同一补贴同时只能有一件在办申请" in error["message"]
    assert error["details"] == [{"field": "benefit", "problem": error["message"]}]
    outside = post(client, token_for, users["outsider"], "", {**body, "benefit": "nursing_subsidy"})
    assert outside.status_code == 404
    agent = post(
        client,
        token_for,
        users["township"],
        "",
        {**body, "benefit": "nursing_subsidy", "applicant_kind": "agent"},
    )
    assert agent.status_code == 422 and agent.json()["error"]["details"][0]["field"] == "applicant_name"
    assert Application.objects.count() == 1


def test_the_chain_through_the_api(client: Any, token_for: Any, users: Any, eligible: Any) -> None:
    application = application_create(actor=users["township"], person=eligible, benefit="living_subsidy")
    path = f"/{application.pk}/actions"
    wrong = post(client, token_for, users["county"], path, {"action": "pass"})
    assert wrong.status_code == 422 and "乡镇（街道）工作人员" in wrong.json()["error"]["message"]
    assert (
        post(client, token_for, users["township"], path, {"action": "pass"}).json()["status"]
        == "township_passed"
    )
    assert post(client, token_for, users["outsider"], path, {"action": "pass"}).status_code == 404
    assert (
        post(client, token_for, users["county"], path, {"action": "pass"}).json()["status"]
        == "federation_passed"
    )
    notice = post(client, token_for, users["civil"], path, {"action": "pass"}).json()
    assert notice["status"] == "in_notice" and notice["notice_until"] > today().isoformat()
    Application.objects.filter(pk=application.pk).update(notice_until=today() - dt.timedelta(days=1))
    approved = post(
        client, token_for, users["civil"], path, {"action": "pass", "reason": "公示无异议"}
    ).json()
    assert approved["status"] == "approved" and approved["decided_on"] == today().isoformat()
    assert [e["action"] for e in approved["events"]] == ["create", "pass", "pass", "pass", "pass"]


def test_override_reason_reject_and_unknown_action(client: Any, token_for: Any, users: Any) -> None:
    make_standard()
    person = make_person(name="申请乙", region_code="140902001001")  # not on the dibao list
    application = application_create(actor=users["township"], person=person, benefit="living_subsidy")
    path = f"/{application.pk}/actions"
    refused = post(client, token_for, users["township"], path, {"action": "pass"})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "override_reason"
    passed = post(
        client, token_for, users["township"], path, {"action": "pass", "override_reason": "低保证原件已核"}
    )
    assert passed.json()["events"][-1]["override_reason"] == "低保证原件已核"
    no_reason = post(client, token_for, users["county"], path, {"action": "reject"})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["details"][0]["field"] == "reason"
    rejected = post(client, token_for, users["county"], path, {"action": "reject", "reason": "不符合条件"})
    assert (rejected.json()["status"], rejected.json()["reject_reason"]) == ("rejected", "不符合条件")
    unknown = post(client, token_for, users["county"], path, {"action": "approve"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "validation_error"


FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
values = st.one_of(
    words, st.integers(-(10**15), 10**15), st.none(), st.booleans(), st.lists(words, max_size=2)
)
fields = st.sampled_from(
    [
        "person_id",
        "benefit",
        "applicant_kind",
        "applicant_name",
        "applied_on",
        "account_number",
        "action",
        "reason",
        "x",
    ]
)


@pytest.mark.django_db
@FUZZ
@given(
    body=st.dictionaries(fields, values, max_size=5),
    target=st.sampled_from(["", "/{id}/actions", "/{big}/actions"]),
)
def test_any_body_gets_a_sound_answer(
    client: Any, token_for: Any, users: Any, eligible: Any, body: dict[str, Any], target: str
) -> None:
    application = Application.objects.filter(person=eligible).first() or application_create(
        actor=users["township"], person=eligible, benefit="nursing_subsidy"
    )
    path = target.replace("{id}", str(application.pk)).replace("{big}", str(10**12))
    response = post(client, token_for, users["township"], path, body)
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}
