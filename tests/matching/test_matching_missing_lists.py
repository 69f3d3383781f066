"""A yearly list not sent yet produces no finding, and every way of running findings says so.

RULES.md: no `medical` or `pension` row with 参保年度 = year(D), or no `enrolment` row for the school
year in progress, means the department has not sent it: `medical_not_enrolled`, `pension_not_enrolled`
or `child_not_enrolled` is not produced, and the run says which list is missing. Indicators: see
tests/monitoring/test_monitoring_missing_lists.py.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from huican.accounts.models import Role, User
from huican.cli import main
from huican.matching.models import Finding, FindingRun
from huican.matching.services import findings_run
from tests.factories import id_number_of, make_list_record, make_person, make_standard
from tests.matching.yearly_lists import send_yearly_lists

D = dt.date(2026, 3, 15)  # school year in progress: 2025-2026
ENROLMENT_CODES = {"medical_not_enrolled", "pension_not_enrolled", "child_not_enrolled"}
MESSAGES = [
    "缺少数据：2026 年医疗保险参保名单（medical），未产生 medical_not_enrolled",
    "缺少数据：2026 年养老保险参保名单（pension），未产生 pension_not_enrolled",
    "缺少数据：2025-2026 学年学籍名单（enrolment），未产生 child_not_enrolled",
]


@pytest.fixture
def last_years_lists(db: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An uninsured adult and a child out of school; the departments have sent only last year's lists."""
    monkeypatch.setattr("huican.matching.services.today", lambda: D)
    make_standard()
    adult = make_person(name="成年甲", region_code="140902001001")
    child = make_person(
        name="儿童乙", birth=dt.date(2015, 3, 1), issue_date=dt.date(2022, 1, 1), region_code="140921001001"
    )
    make_person(name="过期丙", issue_date=dt.date(2015, 1, 1))  # certificate_expired: stdout has rows
    make_list_record("medical", adult, year=2025)
    make_list_record("pension", adult, year=2025)
    make_list_record("enrolment", child, school_year="2024-2025")
    return {"adult": adult, "child": child}


def cli_findings(capsys: Any, *args: str) -> tuple[str, list[str]]:
    assert main(["findings", "--on", D.isoformat(), *args]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err.splitlines()


def test_the_cli_names_the_missing_lists_on_stderr_and_keeps_stdout_clean(
    last_years_lists: dict[str, Any], capsys: Any
) -> None:
    out, err = cli_findings(capsys)

    rows = json.loads(out)  # stdout is exactly the JSON contract
    assert rows and not {row["code"] for row in rows} & ENROLMENT_CODES
    assert err == MESSAGES

    csv_out, csv_err = cli_findings(capsys, "--format", "csv")
    assert csv_out.splitlines()[0] == "id_number,code,county,detail"
    assert csv_err == MESSAGES


def test_one_row_of_anybody_for_the_period_means_the_list_was_sent(
    last_years_lists: dict[str, Any], capsys: Any
) -> None:
    send_yearly_lists(year=2026, school_year="2025-2026")  # rows of people outside the registry only

    out, err = cli_findings(capsys)

    found = {(row["code"], row["id_number"]) for row in json.loads(out)}
    adult, child = last_years_lists["adult"], last_years_lists["child"]
    assert ("medical_not_enrolled", id_number_of(adult)) in found
    assert ("pension_not_enrolled", id_number_of(adult)) in found
    assert ("child_not_enrolled", id_number_of(child)) in found
    assert err == []


def test_a_regions_findings_look_at_the_whole_list(last_years_lists: dict[str, Any], capsys: Any) -> None:
    # the only 2026 medical row is of 忻府区's adult; 定襄县 (140921) has none, yet the list was sent
    make_list_record("medical", last_years_lists["adult"], year=2026)

    out, err = cli_findings(capsys, "--region", "140921")

    found = {(row["code"], row["id_number"]) for row in json.loads(out)}
    assert ("medical_not_enrolled", id_number_of(last_years_lists["child"])) in found
    assert err == MESSAGES[1:]


def test_the_run_records_and_shows_the_missing_lists(last_years_lists: dict[str, Any], client: Any) -> None:
    city = User.objects.create_user(username="city", password="x", role=Role.CITY_STAFF, region_id="140900")

    run = findings_run(on=D, actor=city)

    assert run.mode == FindingRun.Mode.RECONCILE
    assert [gap["kind"] for gap in run.missing_lists] == ["medical", "pension", "enrolment"]
    assert [gap["message"] for gap in run.missing_lists] == MESSAGES
    assert not Finding.objects.filter(code__in=ENROLMENT_CODES).exists()
    client.force_login(city)
    page = client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    assert "缺少的数据" in page
    for message in MESSAGES:
        assert message in page

    from huican.api import api_token_create

    token = api_token_create(user=city, name="测试")[1]
    answer = client.get(f"/api/v1/findings/runs/{run.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [gap["message"] for gap in answer["missing_lists"]] == MESSAGES
    assert answer["missing_lists"][0] | {"message": ""} == {
        "kind": "medical",
        "period": "2026",
        "list": "2026 年医疗保险参保名单",
        "finding_code": "medical_not_enrolled",
        "indicator_code": "medical_enrolment",
        "message": "",
    }
