"""The follow-up lists of two needs findings: 返贫致贫风险名单 and 重度残疾人独居名单.

Each is the work list narrowed to one code, scoped like the work list (region; department officers
and evaluators do not get it), with the fields a caseworker needs before a visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from huican.accounts.models import Role, User
from huican.core.models import AuditEntry
from huican.matching.models import Finding, FindingRun
from huican.registry.models import Person
from tests.factories import make_list_record, make_person, make_standard, make_survey
from tests.matching_web.world import make_staff, make_township

D = dt.date(2025, 6, 30)
POVERTY = reverse("matching:needs_list", args=["poverty_risk"])
ALONE = reverse("matching:needs_list", args=["severe_living_alone"])


@dataclass
class ListsWorld:
    fell: Person
    far: Person
    alone: Person
    users: dict[str, User]


def found(run: FindingRun, person: Person, code: str, detail: str, status: str = "待核实") -> Finding:
    return Finding.objects.create(
        person=person,
        code=code,
        county_code=person.county_code,
        township_code=person.township_code,
        detail=detail,
        first_seen_run=run,
        last_seen_run=run,
        status=status,
    )


def build_lists_world() -> ListsWorld:
    """Two persons at risk of poverty (忻府区 and 定襄县), one living alone, one closed case; users."""
    make_standard()
    make_township("140902001")
    fell = make_person(name="收入降", region_code="140902001001", grade=4, household_number="H-FELL")
    make_survey(fell, year=2024, income="20000.00", household_size=3)
    make_survey(fell, year=2025, income="10000.00", household_size=3)
    far = make_person(name="远县人", region_code="140921001001", grade=4)
    make_survey(far, year=2025, income="3000.00", household_size=2)
    alone = make_person(name="独居者", region_code="140902001001", grade=1, birth=dt.date(1950, 7, 1))
    Person.objects.filter(pk=alone.pk).update(phone_masked="138****0001")
    make_survey(alone, year=2025, income="20000.00", household_size=1)
    make_list_record("services", alone, category="走访探视", start=dt.date(2025, 3, 2))
    make_list_record("services", alone, category="走访探视", start=dt.date(2024, 12, 1))
    closed = make_person(name="已办结", region_code="140902001001", grade=4)

    run = FindingRun.objects.create(on_date=D, status=FindingRun.Status.DONE)
    found(
        run, fell, "poverty_risk", "判定日不在低保、特困名单；2025 年户人均年收入 10000.00 元，比 2024 年下降"
    )
    found(run, fell, "medical_not_enrolled", "持有效残疾人证，2025 年度医疗保险参保名单中无此人")
    found(run, far, "poverty_risk", "判定日不在低保、特困名单；低于低保线")
    found(run, alone, "severe_living_alone", "肢体一级残疾，2025 年调查家庭人口数为 1（独居）")
    found(run, closed, "poverty_risk", "判定日不在低保、特困名单；低于低保线", status="已处理")
    users = {
        "city": make_staff("n_city", Role.CITY_STAFF, "140900"),
        "county": make_staff("n_county", Role.COUNTY_STAFF, "140902"),
        "civil": make_staff("n_civil", Role.DEPARTMENT_OFFICER, "140900", department="民政"),
        "evaluator": make_staff("n_eval", Role.EVALUATOR, "140900"),
    }
    return ListsWorld(fell=fell, far=far, alone=alone, users=users)


@pytest.fixture
def world(db) -> ListsWorld:
    return build_lists_world()


def as_user(client: Client, world: ListsWorld, role: str) -> Client:
    client.force_login(world.users[role])
    return client


def test_the_poverty_risk_list_shows_the_income_of_both_years_and_the_household(client, world):
    page = as_user(client, world, "city").get(POVERTY)

    html = page.content.decode()
    assert page.status_code == 200
    assert "返贫致贫风险名单" in html
    assert world.fell.name in html and world.far.name in html
    assert world.alone.name not in html  # another code
    assert "已办结" not in html  # closed findings are left out unless asked for
    assert "10000.00" in html and "20000.00" in html and "H-FELL" in html
    assert world.fell.id_masked in html
    assert (
        reverse("matching:detail", args=[Finding.objects.get(person=world.fell, code="poverty_risk").pk])
        in html
    )
    entry = AuditEntry.objects.filter(action="finding.list", actor=world.users["city"]).latest("id")
    assert entry.detail["list"] == "poverty_risk" and entry.detail["results"] == 2


def test_the_lists_are_scoped_to_the_users_region(client, world):
    html = as_user(client, world, "county").get(POVERTY).content.decode()

    assert world.fell.name in html
    assert world.far.name not in html


def test_the_status_filter_can_show_closed_findings(client, world):
    c = as_user(client, world, "city")

    assert "已办结" in c.get(POVERTY, {"status": ""}).content.decode()
    assert "已办结" in c.get(POVERTY, {"status": "已处理"}).content.decode()
    assert c.get(POVERTY, {"status": "没有这种状态"}).status_code == 400


def test_the_living_alone_list_shows_age_phone_and_the_last_visit(client, world):
    page = as_user(client, world, "county").get(ALONE)

    html = page.content.decode()
    assert page.status_code == 200
    assert "重度残疾人独居名单" in html
    assert world.alone.name in html and world.fell.name not in html
    assert "138****0001" in html
    assert "2025-03-02" in html and "2024-12-01" not in html
    assert "<td>74</td>" in html  # born 1950-07-01: 74 on D


@pytest.mark.parametrize("role", ["civil", "evaluator"])
def test_department_officers_and_evaluators_do_not_get_the_lists(client, world, role):
    c = as_user(client, world, role)

    assert c.get(POVERTY).status_code == 403
    assert c.get(ALONE).status_code == 403


def test_only_the_two_lists_exist(client, world):
    c = as_user(client, world, "city")

    assert c.get(reverse("matching:needs_list", args=["medical_not_enrolled"])).status_code == 404
    assert c.get(reverse("matching:needs_list", args=["no_such_code"])).status_code == 404


def test_the_work_list_links_to_the_lists(client, world):
    html = as_user(client, world, "city").get(reverse("matching:index")).content.decode()

    assert POVERTY in html and ALONE in html
