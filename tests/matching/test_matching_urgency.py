"""Findings are listed most urgent first everywhere: money paid wrongly, then coverage gaps,
enrolment gaps, certificates, names, then the needs findings — never by the English code."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import polars as pl
import pytest
from django.urls import reverse

from huican.accounts.models import Role, User
from huican.cli import main
from huican.matching.models import Finding, FindingCode, FindingRun
from huican.matching.urgency import URGENCY, by_urgency, urgency_rank
from tests.factories import (
    make_entitlement,
    make_list_record,
    make_person,
    make_standard,
)
from tests.matching.yearly_lists import send_yearly_lists
from tests.matching_web.exports import downloaded

# alphabetical order of the English codes, which is NOT the order a caseworker needs
SCRAMBLED = (
    "certificate_expired",
    "child_not_enrolled",
    "dibao_not_covered",
    "medical_not_enrolled",
    "name_mismatch",
    "paid_after_death",
    "rehab_need_unserved",
    "double_benefit",
)
EXPECTED = [
    "paid_after_death",
    "double_benefit",
    "dibao_not_covered",
    "medical_not_enrolled",
    "child_not_enrolled",
    "certificate_expired",
    "name_mismatch",
    "rehab_need_unserved",
]


def test_every_code_has_a_rank_and_money_comes_first() -> None:
    assert set(FindingCode.values) <= set(URGENCY)
    assert by_urgency(SCRAMBLED) == EXPECTED
    assert urgency_rank("paid_after_death") == 0
    assert urgency_rank("no_such_code") > urgency_rank("severe_living_alone")


@pytest.fixture
def work_list(db: Any) -> dict[str, Any]:
    run = FindingRun.objects.create(on_date=dt.date(2025, 6, 30), status=FindingRun.Status.DONE)
    people = [make_person(name=f"人员{i}", region_code="140902001001") for i in range(len(SCRAMBLED))]
    for person, code in zip(people, SCRAMBLED, strict=True):
        Finding.objects.create(
            person=person,
            code=code,
            county_code="140902",
            township_code="140902001",
            detail=code,
            first_seen_run=run,
            last_seen_run=run,
        )
    city = User.objects.create_user(
        username="city", password="x", role=Role.CITY_STAFF, region_id="140900", may_view_full=True
    )
    return {"city": city}


def test_the_work_list_page_and_its_summary_list_the_most_urgent_first(client: Any, work_list: Any) -> None:
    client.force_login(work_list["city"])

    response = client.get(reverse("matching:index"))

    assert [row["finding"].code for row in response.context["rows"]] == EXPECTED
    assert [row["code"] for row in response.context["summary"]] == EXPECTED
    assert [code for code, _label in response.context["form"].fields["code"].choices[1:]] == by_urgency(
        FindingCode.values
    )


def test_the_export_lists_the_most_urgent_first(client: Any, work_list: Any) -> None:
    client.force_login(work_list["city"])

    response = downloaded(client, client.get(reverse("matching:export")))

    names = [FindingCode(code).label for code in EXPECTED]
    assert pl.read_excel(io.BytesIO(response.content))["发现类型"].to_list() == names


def test_the_api_lists_the_most_urgent_first(client: Any, work_list: Any) -> None:
    from huican.api import api_token_create

    token = api_token_create(user=work_list["city"], name="测试")[1]
    rows = client.get("/api/v1/findings", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [row["code"] for row in rows] == EXPECTED
    page = client.get("/api/v1/findings", {"limit": 3}, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [row["code"] for row in page] == EXPECTED[:3]


def test_the_cli_lists_the_most_urgent_first(db: Any, capsys: Any) -> None:
    make_standard()
    send_yearly_lists()
    dead = make_person(name="王五", grade=1)
    make_person(name="钱七", issue_date=dt.date(2015, 1, 1))  # certificate_expired
    make_entitlement(dead, benefit="nursing_subsidy", start=dt.date(2024, 1, 1))
    make_list_record("deaths", dead, start=dt.date(2025, 1, 1), name="王六")  # and a name mismatch
    make_person(name="赵六")  # medical_not_enrolled, pension_not_enrolled

    assert main(["findings", "--on", "2025-06-30"]) == 0

    codes = [row["code"] for row in json.loads(capsys.readouterr().out)]
    assert {"paid_after_death", "certificate_expired", "name_mismatch", "medical_not_enrolled"} <= set(codes)
    assert [urgency_rank(code) for code in codes] == sorted(urgency_rank(code) for code in codes)
