"""Recorded services count like imported `services` rows in the rules, the needs findings and the
indicators — and a service both imported and recorded (same person, 服务类型, 服务日期) counts once."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from huican.accounts.models import Role
from huican.care import renovation, services
from huican.care.models import ServiceRecord
from huican.matching.models import Finding
from huican.matching.services import findings_run
from huican.monitoring.indicators import compute_indicators
from huican.policy.facts import load_facts
from huican.policy.rules import explain_person
from tests.factories import make_list_record, make_person, make_standard, make_survey, make_user
from tests.matching.test_matching_findings import codes, findings

pytestmark = pytest.mark.django_db

D = dt.date(2025, 6, 30)


@pytest.fixture
def standards(db):
    return make_standard()  # rural dibao 500/month → line 6,000/year


@pytest.fixture
def staff(db):
    return make_user(Role.COUNTY_STAFF, "140902", username="counting_staff")


def pick(rows: list[dict], code: str, region: str = "140900") -> dict:
    [row] = [r for r in rows if r["code"] == code and r["region"] == region]
    return row


def rows_of(facts, person) -> pl.DataFrame:
    return facts.lists["services"].filter(pl.col("person_id") == person.pk)


def test_a_service_imported_and_recorded_counts_once(standards, staff):
    person = make_person(region_code="140902001001")
    make_survey(person, year=2025, income="20000.00", rehab_need=True, device_need=True)
    make_list_record("services", person, category="康复服务", start=dt.date(2025, 3, 1), status="完成")
    services.service_record_create(
        actor=staff, person=person, kind="康复服务", service_date=dt.date(2025, 3, 1), organisation="中心"
    )
    services.service_record_create(  # the same service entered twice in the system
        actor=staff, person=person, kind="康复服务", service_date=dt.date(2025, 3, 1)
    )
    services.service_record_create(  # another day: another service
        actor=staff, person=person, kind="康复服务", service_date=dt.date(2025, 4, 1)
    )

    for facts in (
        load_facts(on=D),
        load_facts(on=D, region="140902"),
        load_facts(on=D, person_ids=[person.pk]),
    ):
        served = rows_of(facts, person)
        assert sorted(served.get_column("start_date").to_list()) == [dt.date(2025, 3, 1), dt.date(2025, 4, 1)]
        # the imported row is the one kept (it has its batch)
        assert (
            served.filter(pl.col("start_date") == dt.date(2025, 3, 1))
            .get_column("batch_id")
            .is_not_null()
            .all()
        )

    found = findings(D)
    assert "rehab_need_unserved" not in codes(found, person)
    assert "device_need_unserved" in codes(found, person)
    rows = compute_indicators(year=2025)
    assert (pick(rows, "rehab_coverage")["numerator"], pick(rows, "rehab_coverage")["denominator"]) == (1, 1)


def test_recorded_services_alone_serve_needs_and_indicators(standards, staff):
    trained = make_person(region_code="140902001001", birth=dt.date(1990, 1, 1))
    make_survey(trained, year=2025, income="20000.00", employment="未就业", device_need=True)
    fitting = services.service_record_create(
        actor=staff, person=trained, kind="辅具适配", service_date=dt.date(2025, 5, 1), device="助听器"
    )
    services.service_record_create(
        actor=staff, person=trained, kind="职业技能培训", service_date=dt.date(2025, 2, 1), result="完成"
    )
    ongoing = make_person(region_code="140902001001", birth=dt.date(1990, 1, 1))
    make_survey(ongoing, year=2025, income="20000.00", employment="未就业")
    services.service_record_create(
        actor=staff, person=ongoing, kind="职业技能培训", service_date=dt.date(2025, 2, 1), result="进行中"
    )

    found = findings(D)
    assert fitting.result == "进行中"  # any 结果 serves the device need
    assert "device_need_unserved" not in codes(found, trained)
    assert "employment_aid" not in codes(found, trained)
    assert "employment_aid" in codes(found, ongoing)  # training still in progress does not count
    rows = compute_indicators(year=2025)
    assert pick(rows, "training_persons")["value"] == 1
    assert (pick(rows, "device_fitting")["numerator"], pick(rows, "device_fitting")["denominator"]) == (1, 1)


def test_a_recorded_service_closes_the_needs_finding_at_the_next_run(standards, monkeypatch):
    monkeypatch.setattr("huican.matching.services.today", lambda: D)  # city staff's runs of today reconcile
    city = make_user(Role.CITY_STAFF, "140900", username="counting_city")
    person = make_person(region_code="140902001001")
    make_survey(person, year=2025, income="20000.00", rehab_need=True)

    findings_run(on=D, actor=city)
    finding = Finding.objects.get(person=person, code="rehab_need_unserved")
    assert finding.status == "待核实"

    services.service_record_create(
        actor=city, person=person, kind="康复服务", service_date=dt.date(2025, 6, 1)
    )
    findings_run(on=D, actor=city)
    finding.refresh_from_db()
    assert (finding.status, finding.auto_resolved) == ("已处理", True)


def test_a_renovation_accepted_in_the_system_counts_and_ends_the_eligibility(standards, staff):
    head = make_person(region_code="140902001001", grade=1, household_number="H-R1")
    member = make_person(region_code="140902001001", grade=2, household_number="H-R1")
    for who in (head, member):
        make_survey(who, year=2025, income="3000.00", renovation_need=True)
    # the same household's renovation also arrived in an import, on the acceptance day
    make_list_record("services", member, category="无障碍改造", start=dt.date(2025, 4, 20), status="完成")
    project = renovation.renovation_create(actor=staff, person=head, applied_on=dt.date(2025, 1, 10))

    before = findings(dt.date(2025, 4, 19))
    assert "renovation_pending" in codes(before, head)  # in progress: not yet a completed renovation

    for stage, day, extra in (
        ("assessment", dt.date(2025, 2, 1), {}),
        ("construction", dt.date(2025, 3, 1), {"contractor": "施工队"}),
        ("acceptance", dt.date(2025, 4, 20), {"cost": 8000}),
    ):
        renovation.renovation_advance(actor=staff, project=project, stage=stage, on=day, **extra)

    assert "renovation_pending" not in codes(findings(D), head)
    assert "renovation_pending" not in codes(findings(D), member)
    before_acceptance = {d["benefit"]: d["decision"] for d in explain_person(head.pk, dt.date(2025, 4, 19))}
    assert before_acceptance["home_renovation"] == "eligible"
    decisions = {d["benefit"]: d["decision"] for d in explain_person(head.pk, D)}  # one person, by query
    assert decisions["home_renovation"] == "ineligible"
    rows = compute_indicators(year=2025)
    assert pick(rows, "home_renovations")["value"] == 1
    facts = load_facts(on=D, person_ids=[head.pk])
    assert facts.renovations.filter(pl.col("household_number") == "H-R1").height >= 1
    assert ServiceRecord.objects.get(kind="无障碍改造").result == "完成"


def test_a_renovation_only_recorded_excludes_the_household_for_one_person_too(standards, staff):
    head = make_person(region_code="140902001001", grade=1, household_number="H-R2")
    member = make_person(region_code="140902001001", grade=1, household_number="H-R2")
    make_survey(member, year=2025, income="3000.00", renovation_need=True)
    project = renovation.renovation_create(actor=staff, person=head, applied_on=dt.date(2025, 1, 10))
    assert {d["benefit"]: d["decision"] for d in explain_person(member.pk, D)}[
        "home_renovation"
    ] == "eligible"
    for stage, day, extra in (
        ("assessment", dt.date(2025, 2, 1), {}),
        ("construction", dt.date(2025, 3, 1), {"contractor": "施工队"}),
        ("acceptance", dt.date(2025, 4, 20), {"cost": 8000}),
    ):
        renovation.renovation_advance(actor=staff, project=project, stage=stage, on=day, **extra)
    # the member's own facts, loaded by query, see the head's recorded renovation
    assert {d["benefit"]: d["decision"] for d in explain_person(member.pk, D)}[
        "home_renovation"
    ] == "ineligible"
    assert "renovation_pending" not in codes(findings(D), member)


def test_a_recorded_visit_is_the_last_visit_on_the_living_alone_list(client):
    from huican.care.models import Visit
    from tests.matching_web.test_matching_web_needs_lists import ALONE, build_lists_world

    world = build_lists_world()  # imported visits on 2025-03-02 and 2024-12-01; the run is on 2025-06-30
    county = world.users["county"]
    for day in ("2025-05-20", "2025-07-01"):  # the second is after the run's date
        record = ServiceRecord.objects.create(
            person=world.alone, kind="走访探视", service_date=dt.date.fromisoformat(day), recorded_by_name="t"
        )
        Visit.objects.create(record=record, visitor="王专干", found="一切正常")
    client.force_login(county)
    html = client.get(ALONE).content.decode()
    assert "2025-05-20" in html and "2025-03-02" not in html and "2025-07-01" not in html
