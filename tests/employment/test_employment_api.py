"""The declarations API: submit (the same validation as the web form; a later one replaces it),
read its verification, region scope (404 across counties), token auth, refusals as 422."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from huican.accounts.models import Role
from huican.api import api_token_create
from huican.core.models import AuditEntry
from huican.employment.models import Declaration
from tests.factories import (
    credit_code,
    id_number,
    id_number_of,
    make_levy_standard,
    make_list_record,
    make_person,
    make_user,
)

pytestmark = pytest.mark.django_db
CODE = credit_code("12140902MB1523456")


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    return {
        "county": make_user(Role.COUNTY_STAFF, "140902", username="emp_county"),
        "outsider": make_user(Role.COUNTY_STAFF, "140981", username="emp_yuanping"),
        "evaluator": make_user(Role.EVALUATOR, "140900", username="emp_eval"),
    }


def _call(client: Any, user: Any, method: str, path: str, body: Any = None) -> Any:
    token = api_token_create(user=user, name="测试")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = "/api/v1/employment/declarations" + path
    if method == "post":
        return client.post(url, json.dumps(body), content_type="application/json", **headers)
    return client.get(url, **headers)


def _body(**changes: Any) -> dict[str, Any]:
    worker = make_person(grade=1, name="职工甲")
    make_list_record("pension", worker, year=2025, category="职工")
    return {
        "credit_code": CODE,
        "year": 2025,
        "name": "某事业单位",
        "unit_type": "事业单位",
        "staff": "100",
        "average_wage": "90000",
        "region_code": "140902",
        "established_posts": 80,
        "is_school": False,
        "persons": [
            {"id_number": id_number_of(worker), "name": "职工甲", "contract_start": "2024-01-01"},
            {
                "id_number": id_number("140902", dt.date(1990, 1, 1), 33),
                "name": "无证人",
                "contract_start": "2025-01-01",
                "contract_end": "2025-12-31",
            },
        ],
        **changes,
    }


def test_submit_then_read_the_verification(client: Any, users: dict[str, Any]) -> None:
    make_levy_standard(social_average_wage="40000.00")
    response = _call(client, users["county"], "post", "", _body())
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["status"] == "met" and out["arranged"] == 2.0 and out["required"] == 1.5
    assert [p["reasons"] for p in out["persons"]] == [[], ["not_in_registry"]]
    assert out["persons"][1]["reason_names"] == ["不在残疾人名册中"]
    assert "id_number" not in out["persons"][0] and out["persons"][0]["id_masked"].count("*") == 10
    read = _call(client, users["county"], "get", f"/{out['id']}")
    assert read.status_code == 200 and read.json() == out
    assert AuditEntry.objects.filter(action="employment.declaration_view", object_id=str(out["id"])).exists()
    # A later declaration of the same employer and year replaces it.
    again = _call(client, users["county"], "post", "", {**_body(), "persons": []})
    assert again.json()["id"] == out["id"] and again.json()["persons"] == []
    assert again.json()["status"] == "reduced_90"
    assert Declaration.objects.count() == 1


def test_refusals_scope_and_auth(client: Any, users: dict[str, Any]) -> None:
    bad = _call(
        client,
        users["county"],
        "post",
        "",
        _body(credit_code=CODE[:17] + "0" if CODE[17] != "0" else CODE[:17] + "1", staff="10.25"),
    )
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["code"] == "declaration_refused"
    fields = {d["field"] for d in error["details"]}
    assert {"credit_code", "staff"} <= fields
    other = _call(client, users["county"], "post", "", _body(region_code="140981"))
    assert other.status_code == 422
    assert _call(client, users["evaluator"], "post", "", _body()).status_code == 403
    created = _call(client, users["county"], "post", "", _body()).json()
    assert _call(client, users["outsider"], "get", f"/{created['id']}").status_code == 404
    assert client.get(f"/api/v1/employment/declarations/{created['id']}").status_code == 401
