"""A findings run by county staff through the web, the API and `huican findings --region`: a
read-only view everywhere (the work list untouched) with the same findings (issue 11). The
follow-up's web/API parity is tests/matching_web/test_matching_web_api_same_rules.py."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from huican.accounts.models import Role, User
from huican.api import api_token_create
from huican.cli import main
from huican.matching.models import Finding, FindingRun, RunFinding
from huican.matching.services import findings_run
from huican.registry.models import Person
from tests.factories import id_number_of, make_person, make_standard
from tests.matching.yearly_lists import send_yearly_lists

TODAY = dt.date(2025, 6, 30)


def work_list() -> set[tuple[int, str, str, bool]]:
    return set(Finding.objects.values_list("person_id", "code", "status", "auto_resolved"))


def id_numbers(pairs: Any) -> set[tuple[str, str]]:
    persons = {p.pk: id_number_of(p) for p in Person.objects.all()}
    return {(persons[person_id], code) for person_id, code in pairs}


@pytest.mark.django_db
def test_a_county_run_is_read_only_with_the_same_findings_three_ways(
    client: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr("huican.matching.services.today", lambda: TODAY)
    make_standard()
    send_yearly_lists()
    near = make_person(name="近处甲", region_code="140902001001")
    make_person(name="近处乙", region_code="140902001001")
    far = make_person(name="远处丙", region_code="140921001001")
    city = User.objects.create_user(username="city", password="x", role=Role.CITY_STAFF, region_id="140900")
    county = User.objects.create_user(
        username="county", password="x", role=Role.COUNTY_STAFF, region_id="140902"
    )
    findings_run(on=TODAY, actor=city)
    before = work_list()

    client.force_login(county)
    assert client.post(reverse("matching:run_start"), {"on": TODAY.isoformat()}).status_code == 302
    web_run = FindingRun.objects.latest("id")
    assert web_run.mode == FindingRun.Mode.READ_ONLY and work_list() == before
    page = client.get(reverse("matching:run_detail", args=[web_run.pk]))
    web = id_numbers((row["finding"].person_id, row["finding"].code) for row in page.context["rows"])
    assert RunFinding.objects.filter(run=web_run).count() > len(
        web
    )  # the run is city-wide, the page the county's

    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=county, name='测试')[1]}"}
    answer = client.post(
        "/api/v1/findings/runs",
        json.dumps({"on": TODAY.isoformat()}),
        content_type="application/json",
        **headers,
    )
    assert answer.status_code == 202 and answer.json()["mode"] == "read_only" and work_list() == before
    listed = client.get(f"/api/v1/findings/runs/{answer.json()['run']['id']}/findings", **headers).json()
    api = id_numbers((row["person_id"], row["code"]) for row in listed)

    runs = FindingRun.objects.count()
    assert main(["findings", "--on", TODAY.isoformat(), "--region", "140902"]) == 0
    cli = {(row["id_number"], row["code"]) for row in json.loads(capsys.readouterr().out)}
    assert FindingRun.objects.count() == runs and work_list() == before

    assert web and (id_number_of(near), "medical_not_enrolled") in web
    assert id_number_of(far) not in {number for number, _ in web | api | cli}
    assert web == api == cli
