"""/api/v1/rolls: the draft of a month (background job, then the BENEFITS.md JSON), approved rolls,
their exports; masked ID numbers unless the token's user may see full ones; scope as on the web."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from huican.benefits.models import Roll
from huican.benefits.rolls import approve_roll
from huican.core import tasks
from huican.core.audit import AuditEntry
from tests.benefits.web_world import load_small_world, roll_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path):
    return load_small_world(tmp_path)


@pytest.fixture
def users(world):
    return roll_users()


@pytest.fixture
def call(client, token_for):
    tokens: dict = {}

    def _call(user, method, path, data=None, **params):
        token = tokens.setdefault(user.pk, token_for(user))
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if method == "post":
            return client.post("/api/v1/rolls" + path, data or {}, content_type="application/json", **auth)
        return client.get("/api/v1/rolls" + path, params, **auth)

    return _call


def masked(number: str) -> str:
    return f"{number[:4]}**********{number[-4:]}"


def test_a_draft_through_the_api(call, world, users):
    started = call(users["county"], "post", "/drafts", {"month": "2025-03", "region": "140902"})
    assert started.status_code == 202
    job_id = started.json()["job_id"]
    draft = call(users["county"], "get", f"/drafts/{job_id}")
    assert draft.status_code == 200
    body = draft.json()
    assert body["month"] == "2025-03" and body["region"] == "140902"
    assert list(body["lines"][0]) == [
        "id_number",
        "benefit",
        "status",
        "amount",
        "arrears",
        "total",
        "reasons",
    ]
    a = next(x for x in body["lines"] if x["id_number"] == masked(world.persons["A"]))
    assert (a["status"], a["amount"], a["total"]) == ("pay", 110.0, 530.0)
    assert a["arrears"][0] == {"month": "2024-11", "amount": 100.0}
    assert body["recoveries"] == [
        {
            "id_number": masked(world.persons["B"]),
            "benefit": "living_subsidy",
            "months": ["2025-01", "2025-02"],
            "amount": 200.0,
        }
    ]
    assert body["totals"] == [
        {"county": "140902", "benefit": "living_subsidy", "persons": 1, "amount": 530.0}
    ]
    assert (
        AuditEntry.objects.filter(action="benefits.roll_draft_read").last().detail["full_id_numbers"] is False
    )
    # full numbers for a user allowed them
    full = call(users["county_full"], "get", f"/drafts/{job_id}").json()
    assert world.persons["A"] in {x["id_number"] for x in full["lines"]}
    # another county: neither its draft nor its region
    assert call(users["other_county"], "get", f"/drafts/{job_id}").status_code == 404
    refused = call(users["other_county"], "post", "/drafts", {"month": "2025-03", "region": "140902"})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    bad = call(users["county"], "post", "/drafts", {"month": "2025-13"})
    assert bad.status_code == 422


def test_a_draft_still_computing_answers_202_with_its_progress(call, world, users):
    with tasks.always_queue():
        job_id = call(users["county"], "post", "/drafts", {"month": "2025-03"}).json()["job_id"]
    pending = call(users["county"], "get", f"/drafts/{job_id}")
    assert pending.status_code == 202 and pending.json()["status"] == "pending"
    tasks.run_job(job_id)
    assert call(users["county"], "get", f"/drafts/{job_id}").status_code == 200


def test_approved_rolls_and_their_exports(call, world, users):
    roll = approve_roll(month=dt.date(2025, 3, 1), region="140902", actor=users["officer"])
    listed = call(users["county"], "get", "", month="2025-03").json()
    assert [(r["id"], r["month"], r["region_code"], r["paid_total"]) for r in listed] == [
        (roll.pk, "2025-03", "140902", 530.0)
    ]
    assert call(users["other_county"], "get", "").json() == []
    assert call(users["other_county"], "get", f"/{roll.pk}").status_code == 404
    body = call(users["county"], "get", f"/{roll.pk}").json()
    assert body["month"] == "2025-03" and body["approved_by"] == "mz_xinfu"
    assert [(x["id_number"], x["status"], x["total"]) for x in body["lines"]] == sorted(
        [
            (masked(world.persons["A"]), "pay", 530.0),
            (masked(world.persons["B"]), "stop", 0.0),
            (masked(world.persons["F"]), "hold", 0.0),
        ]
    )
    # the .xlsx export, audited
    xlsx = call(users["county"], "get", f"/{roll.pk}/export", format="xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="export.roll_xlsx").count() == 1
    # the bank file: the officer, not the county clerk without full-ID rights
    assert call(users["county"], "get", f"/{roll.pk}/export", format="bank").status_code == 403
    bank = call(users["officer"], "get", f"/{roll.pk}/export", format="bank")
    rows = list(csv.reader(io.StringIO(bank.content.decode("utf-8-sig"))))
    assert rows == [["户名", "公民身份号码", "账号", "金额"], ["测试A", world.persons["A"], "", "530.00"]]
    assert call(users["officer"], "get", f"/{roll.pk}/export", format="pdf").status_code == 422
    assert Roll.objects.count() == 1


def test_roles_without_benefits_get_403(call, world, users):
    from huican.accounts.models import Role
    from tests.factories import make_user

    evaluator = make_user(Role.EVALUATOR, "140900", username="eval")
    response = call(evaluator, "get", "")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
