"""Findings runs cannot damage the work list (issue 9, point 4).

Only city staff's run for today reconciles the work list (核对工作清单); a run for another date, or
started by anyone else, is a read-only view (只读查看) with its own findings. The web, the API and
`huican findings` follow the same rule (``huican.matching.services.run_mode``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from urllib.parse import unquote

import polars as pl
import pytest
from django.urls import reverse

from huican.accounts.models import Role, User
from huican.cli import main
from huican.core.models import AuditEntry
from huican.matching.models import Finding, FindingRun, RunFinding
from huican.matching.runs import start_findings_run
from huican.matching.services import findings_run, run_mode
from huican.regions.models import Region
from tests.factories import id_number_of, make_list_record, make_person, make_standard
from tests.matching.yearly_lists import send_yearly_lists
from tests.matching_web.exports import downloaded

TODAY = dt.date(2025, 6, 30)
YESTERDAY = TODAY - dt.timedelta(days=1)


def staff(name: str, role: str, region: str) -> User:
    if not Region.objects.filter(code=region).exists():
        Region.objects.create(
            code=region,
            name=f"乡镇{region}",
            level=Region.Level.TOWNSHIP,
            county_code=region[:6],
            parent_id=region[:6],
        )
    return User.objects.create_user(username=name, password="x", role=role, region_id=region)


@pytest.fixture
def world(db: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A work list reconciled today by city staff: `near` has medical_not_enrolled open."""
    monkeypatch.setattr("huican.matching.services.today", lambda: TODAY)
    make_standard()
    send_yearly_lists()
    near = make_person(name="近处甲", region_code="140902001001")
    users = {
        "city": staff("city", Role.CITY_STAFF, "140900"),
        "county": staff("county", Role.COUNTY_STAFF, "140902"),
        "township": staff("township", Role.TOWNSHIP_STAFF, "140902001"),
        "officer": User.objects.create_user(
            username="officer", password="x", role=Role.DEPARTMENT_OFFICER, region_id="140900"
        ),
    }
    first = findings_run(on=TODAY, actor=users["city"])
    return {"near": near, "users": users, "first": first}


def work_list() -> set[tuple[int, str, str, bool]]:
    return set(Finding.objects.values_list("person_id", "code", "status", "auto_resolved"))


def test_the_rule_only_city_staff_today_reconciles(world: dict[str, Any]) -> None:
    users = world["users"]
    assert run_mode(actor=users["city"], on=TODAY) == FindingRun.Mode.RECONCILE
    assert run_mode(actor=users["city"], on=YESTERDAY) == FindingRun.Mode.READ_ONLY
    assert run_mode(actor=users["city"], on=TODAY + dt.timedelta(days=1)) == FindingRun.Mode.READ_ONLY
    for name in ("county", "township", "officer"):
        assert run_mode(actor=users[name], on=TODAY) == FindingRun.Mode.READ_ONLY
    assert run_mode(actor="命令行", on=TODAY) == FindingRun.Mode.READ_ONLY
    # the run the system starts by itself after an import keeps the work list current
    assert run_mode(actor=users["officer"], on=TODAY, automatic=True) == FindingRun.Mode.RECONCILE
    users["city"].is_active = False
    assert run_mode(actor=users["city"], on=TODAY) == FindingRun.Mode.READ_ONLY


@pytest.mark.parametrize(("who", "on"), [("county", TODAY), ("township", TODAY), ("city", YESTERDAY)])
def test_a_read_only_run_changes_nothing_in_the_work_list(
    world: dict[str, Any], who: str, on: dt.date
) -> None:
    near = world["near"]
    before = work_list()
    # what would close near's finding and open a new one for someone else
    make_list_record("medical", near, year=2025)
    newcomer = make_person(name="新来乙", region_code="140902001001")

    run = findings_run(on=on, actor=world["users"][who])

    assert run.mode == FindingRun.Mode.READ_ONLY and run.status == FindingRun.Status.DONE
    assert work_list() == before  # nothing opened, auto-closed or reopened
    assert Finding.objects.get(person=near, code="medical_not_enrolled").status == "待核实"
    assert not Finding.objects.filter(person=newcomer).exists()
    assert (run.new_count, run.reopened_count, run.resolved_count) == (0, 0, 0)
    own = set(RunFinding.objects.filter(run=run).values_list("person_id", "code"))
    assert (newcomer.pk, "medical_not_enrolled") in own
    assert (near.pk, "medical_not_enrolled") not in own
    assert run.total == len(own)


def test_a_read_only_run_does_not_count_as_the_previous_reconciliation(world: dict[str, Any]) -> None:
    near, city = world["near"], world["users"]["city"]
    record = make_list_record("medical", near, year=2025)
    closing = findings_run(on=TODAY, actor=city)
    finding = Finding.objects.get(person=near, code="medical_not_enrolled")
    assert (finding.status, finding.auto_resolved, closing.resolved_count) == ("已处理", True, 1)
    record.delete()
    findings_run(on=YESTERDAY, actor=city)  # read-only: sees the finding, reopens nothing
    finding.refresh_from_db()
    assert finding.status == "已处理"

    reopening = findings_run(on=TODAY, actor=city)

    finding.refresh_from_db()
    assert (finding.status, reopening.reopened_count) == ("待核实", 1)


def test_city_staff_run_for_today_reconciles(world: dict[str, Any]) -> None:
    near = world["near"]
    make_list_record("medical", near, year=2025)
    newcomer = make_person(name="新来乙", region_code="140902001001")

    run = findings_run(on=TODAY, actor=world["users"]["city"])

    assert run.mode == FindingRun.Mode.RECONCILE
    closed = Finding.objects.get(person=near, code="medical_not_enrolled")
    assert (closed.status, closed.auto_resolved) == ("已处理", True)
    assert Finding.objects.get(person=newcomer, code="medical_not_enrolled").status == "待核实"
    assert not RunFinding.objects.filter(run=run).exists()


def test_the_web_says_which_kind_of_run_and_lists_a_read_only_runs_findings(
    client: Any, world: dict[str, Any]
) -> None:
    county = world["users"]["county"]
    before = work_list()
    client.force_login(county)
    start = client.get(reverse("matching:run_start")).content.decode()
    assert "只读查看" in start

    response = client.post(reverse("matching:run_start"), {"on": TODAY.isoformat()})
    run = FindingRun.objects.order_by("-id").first()
    assert run is not None and run.mode == FindingRun.Mode.READ_ONLY
    assert work_list() == before
    page = client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    assert response.status_code == 302
    assert "只读查看" in page and "工作清单中的发现没有新增、办结或重新打开" in page
    assert world["near"].name in page and "医保未参保" in page
    export = downloaded(client, client.get(reverse("matching:run_export", args=[run.pk])))
    assert export.status_code == 200 and "只读查看" in unquote(export["Content-Disposition"])
    rows = pl.read_excel(io.BytesIO(export.content))
    assert (world["near"].name, "医保未参保") in set(zip(rows["姓名"], rows["发现类型"], strict=True))
    assert AuditEntry.objects.get(action="export.findings").detail["run"] == run.pk
    assert set(rows["比对日期"]) == {TODAY.isoformat()}

    client.force_login(world["users"]["city"])
    first = client.get(reverse("matching:run_detail", args=[world["first"].pk])).content.decode()
    assert "核对工作清单" in first
    assert client.get(reverse("matching:run_export", args=[world["first"].pk])).status_code == 404


def test_a_county_user_may_not_see_another_countys_read_only_findings(
    client: Any, world: dict[str, Any]
) -> None:
    far = make_person(name="远处丙", region_code="140921001001")
    run = findings_run(on=YESTERDAY, actor=world["users"]["city"])
    client.force_login(world["users"]["county"])
    page = client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    assert world["near"].name in page and far.name not in page


def api(client: Any, user: User, method: str, path: str, body: Any = None) -> Any:
    from huican.api import api_token_create

    token = api_token_create(user=user, name="测试")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "post":
        return client.post(
            "/api/v1" + path, json.dumps(body or {}), content_type="application/json", **headers
        )
    return client.get("/api/v1" + path, **headers)


def test_the_api_follows_the_same_rule(client: Any, world: dict[str, Any]) -> None:
    users = world["users"]
    before = work_list()
    make_list_record("medical", world["near"], year=2025)

    answer = api(client, users["county"], "post", "/findings/runs", {"on": TODAY.isoformat()})

    assert answer.status_code == 202
    body = answer.json()
    assert (body["mode"], body["mode_name"]) == ("read_only", "只读查看")
    assert body["run"]["mode"] == "read_only" and body["run"]["missing_lists"] == []
    assert work_list() == before
    assert (
        api(client, users["county"], "get", f"/findings/runs/{body['run']['id']}").json()["mode"]
        == "read_only"
    )
    listed = api(client, users["county"], "get", f"/findings/runs/{body['run']['id']}/findings").json()
    assert ("medical_not_enrolled", world["near"].pk) not in {(r["code"], r["person_id"]) for r in listed}

    back_dated = api(client, users["city"], "post", "/findings/runs", {"on": YESTERDAY.isoformat()}).json()
    assert back_dated["mode"] == "read_only" and work_list() == before

    today = api(client, users["city"], "post", "/findings/runs", {"on": TODAY.isoformat()}).json()
    assert today["mode"] == "reconcile" and today["run"]["resolved"] == 1
    assert Finding.objects.get(person=world["near"], code="medical_not_enrolled").status == "已处理"
    conflict = api(client, users["city"], "get", f"/findings/runs/{today['run']['id']}/findings")
    assert conflict.status_code == 409

    assert api(client, users["officer"], "post", "/findings/runs", {}).status_code == 403


def test_the_cli_prints_findings_and_never_reconciles(world: dict[str, Any], capsys: Any) -> None:
    before = work_list()
    runs_before = FindingRun.objects.count()
    make_list_record("medical", world["near"], year=2025)
    newcomer = make_person(name="新来乙", region_code="140902001001")

    assert main(["findings", "--on", TODAY.isoformat()]) == 0

    rows = json.loads(capsys.readouterr().out)
    assert {"id_number": id_number_of(newcomer), "code": "medical_not_enrolled"}.items() <= next(
        row
        for row in rows
        if row["id_number"] == id_number_of(newcomer) and row["code"] == "medical_not_enrolled"
    ).items()
    assert work_list() == before and FindingRun.objects.count() == runs_before


def test_the_automatic_run_after_an_import_reconciles(world: dict[str, Any]) -> None:
    make_list_record("medical", world["near"], year=2025)
    job = start_findings_run(actor=world["users"]["officer"], automatic=True)  # as huican.exchange calls it
    run = FindingRun.objects.get(pk=job.result["run_id"])
    assert (run.mode, run.on_date, run.resolved_count) == (FindingRun.Mode.RECONCILE, TODAY, 1)


def test_waiting_runs_are_coalesced_per_date_and_mode(world: dict[str, Any], monkeypatch: Any) -> None:
    from huican.core.models import Job
    from huican.matching import runs as runs_module

    submitted: list[dict[str, Any]] = []

    def fake_submit(*, kind: str, actor: Any, func: Any, **kwargs: Any) -> Job:
        submitted.append(kwargs)
        return Job.objects.create(kind=kind, status=Job.Status.PENDING)

    monkeypatch.setattr(runs_module, "submit", fake_submit)
    monkeypatch.setattr(runs_module, "_waiting", {})
    city = start_findings_run(actor=world["users"]["city"], on=TODAY)
    county = start_findings_run(actor=world["users"]["county"], on=TODAY)
    assert city != county and len(submitted) == 2
    assert start_findings_run(actor=world["users"]["township"], on=TODAY) == county
