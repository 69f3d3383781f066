"""The needs findings of RULES.md "Needs findings" (主动服务), each with its boundaries and near misses."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from huican.accounts.models import Role, User
from huican.matching.models import Finding, FindingCode
from huican.matching.needs import NEEDS_CODES, window_start
from huican.matching.selectors import finding_codes_for
from huican.matching.services import findings_run
from tests.factories import make_list_record, make_person, make_standard, make_survey
from tests.matching.test_matching_findings import codes, detail, findings

D = dt.date(2025, 6, 30)
FIRST_DAY = dt.date(2024, 7, 1)  # D − 364: inside the last 365 days
DAY_BEFORE = dt.date(2024, 6, 30)  # D − 365: outside


@pytest.fixture
def standards(db):
    # rural dibao 500/month → dibao line 6,000/year; near-poor below 9,000
    return make_standard()


def test_the_window_is_d_minus_364_to_d():
    assert window_start(D) == FIRST_DAY
    assert FIRST_DAY - dt.timedelta(days=1) == DAY_BEFORE


NEED_CASES = [
    ("rehab_need_unserved", "rehab_need", "康复服务"),
    ("device_need_unserved", "device_need", "辅具适配"),
    ("care_need_unserved", "care_service_need", "托养服务"),
]


@pytest.mark.parametrize(("code", "need", "service"), NEED_CASES)
def test_a_recorded_need_without_a_service_in_the_last_365_days(standards, code, need, service):
    never = make_person()
    make_survey(never, year=2025, income="20000.00", **{need: True})
    served_first_day = make_person()
    make_survey(served_first_day, year=2025, income="20000.00", **{need: True})
    make_list_record("services", served_first_day, category=service, start=FIRST_DAY, status="进行中")
    served_day_before = make_person()
    make_survey(served_day_before, year=2025, income="20000.00", **{need: True})
    make_list_record("services", served_day_before, category=service, start=DAY_BEFORE)
    served_after = make_person()  # a service dated after D does not serve the need on D
    make_survey(served_after, year=2025, income="20000.00", **{need: True})
    make_list_record("services", served_after, category=service, start=D + dt.timedelta(days=1))
    other_service = make_person()
    make_survey(other_service, year=2025, income="20000.00", **{need: True})
    make_list_record("services", other_service, category="走访探视", start=D)
    no_need = make_person()
    make_survey(no_need, year=2025, income="20000.00", **{need: False})
    unknown = make_person()  # blank field in the latest survey: unknown, even with an older "yes"
    make_survey(unknown, year=2024, income="20000.00", **{need: True})
    make_survey(unknown, year=2025, income="20000.00")
    older_yes = make_person()  # the latest survey (2024 ≤ year(D)) is the one that counts
    make_survey(older_yes, year=2024, income="20000.00", **{need: True})
    make_survey(older_yes, year=2026, income="20000.00", **{need: False})
    not_surveyed = make_person()

    found = findings()

    assert code in codes(found, never)
    assert "此前无" in detail(found, never, code)
    assert code not in codes(found, served_first_day)
    assert code in codes(found, served_day_before)
    assert "最近一次 2024-06-30" in detail(found, served_day_before, code)
    assert code in codes(found, served_after)
    assert code in codes(found, other_service)
    assert code not in codes(found, no_need)
    assert code not in codes(found, unknown)
    assert code in codes(found, older_yes)
    assert not set(NEEDS_CODES) & codes(found, not_surveyed)


def test_needs_findings_are_for_the_certified_population_only(standards):
    expired = make_person(issue_date=dt.date(2015, 6, 30))  # expiry 2025-06-30 ≤ D
    dead = make_person(status="死亡", status_date=dt.date(2025, 1, 1))
    moved = make_person(status="迁出", status_date=D)
    valid = make_person(issue_date=dt.date(2015, 7, 1))
    for person in (expired, dead, moved, valid):
        make_survey(
            person,
            year=2025,
            income="3000.00",
            household_size=1,
            rehab_need=True,
            device_need=True,
            care_service_need=True,
            renovation_need=True,
            employment="未就业",
        )

    found = findings()

    assert codes(found, valid) >= set(NEEDS_CODES)
    for person in (expired, dead, moved):
        assert not set(NEEDS_CODES) & codes(found, person)


def test_renovation_pending_until_the_household_has_a_completed_renovation(standards):
    pending = make_person(grade=2)
    make_survey(pending, year=2025, income="8000.00", renovation_need=True)  # near-poor
    done = make_person(grade=1, household_number="H-DONE")
    make_survey(done, year=2025, income="3000.00", renovation_need=True)
    member = make_person(grade=4, household_number="H-DONE")
    make_list_record("services", member, category="无障碍改造", start=dt.date(2023, 5, 1))
    mild = make_person(grade=3)
    make_survey(mild, year=2025, income="3000.00", renovation_need=True)
    unknown_need = make_person(grade=1)
    make_survey(unknown_need, year=2025, income="3000.00")

    found = findings()

    assert "renovation_pending" in codes(found, pending)
    assert "无障碍改造" in detail(found, pending, "renovation_pending")
    assert "renovation_pending" not in codes(found, done)
    assert "renovation_pending" not in codes(found, mild)
    assert "renovation_pending" not in codes(found, unknown_need)


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (dt.date(2009, 7, 1), False),  # 15 on D
        (dt.date(2009, 6, 30), True),  # 16 on D
        (dt.date(1965, 7, 1), True),  # 59 on D
        (dt.date(1965, 6, 30), False),  # 60 on D
    ],
)
def test_employment_aid_ages_16_to_59(standards, birth, expected):
    person = make_person(birth=birth)
    make_survey(person, year=2025, income="20000.00", employment="未就业")

    assert ("employment_aid" in codes(findings(), person)) is expected


def test_employment_aid_unless_trained_with_a_completed_course(standards):
    def unemployed():
        person = make_person()
        make_survey(person, year=2025, income="20000.00", employment="未就业")
        return person

    untrained = unemployed()
    completed = unemployed()
    make_list_record("services", completed, category="职业技能培训", start=FIRST_DAY, status="完成")
    blank_result = unemployed()
    make_list_record("services", blank_result, category="职业技能培训", start=D, status="")
    in_progress = unemployed()
    make_list_record("services", in_progress, category="职业技能培训", start=D, status="进行中")
    too_early = unemployed()
    make_list_record("services", too_early, category="职业技能培训", start=DAY_BEFORE, status="完成")
    employed = make_person()
    make_survey(employed, year=2025, income="20000.00", employment="就业")
    unknown = make_person()
    make_survey(unknown, year=2025, income="20000.00", employment="")

    found = findings()

    assert "employment_aid" in codes(found, untrained)
    assert "未就业" in detail(found, untrained, "employment_aid")
    assert "employment_aid" not in codes(found, completed)
    assert "employment_aid" not in codes(found, blank_result)
    assert "employment_aid" in codes(found, in_progress)
    assert "employment_aid" in codes(found, too_early)
    assert "employment_aid" not in codes(found, employed)
    assert "employment_aid" not in codes(found, unknown)


def test_poverty_risk_low_income_or_near_poor_outside_dibao_and_tekun(standards):
    low = make_person(grade=4)
    make_survey(low, year=2025, income="5999.99")
    near = make_person(grade=4)
    make_survey(near, year=2025, income="8999.99")
    above = make_person(grade=4)
    make_survey(above, year=2025, income="9000.00")
    in_dibao = make_person(grade=4)
    make_survey(in_dibao, year=2025, income="3000.00")
    make_list_record("dibao", in_dibao, start=dt.date(2024, 1, 1))
    in_tekun = make_person(grade=4)
    make_survey(in_tekun, year=2025, income="3000.00")
    make_list_record("tekun", in_tekun, start=dt.date(2024, 1, 1), end=D)
    unknown = make_person(grade=4)
    make_survey(unknown, year=2025, income=None)

    found = findings()

    assert "poverty_risk" in codes(found, low)
    assert "低于低保线 6000.00 元" in detail(found, low, "poverty_risk")
    assert "poverty_risk" in codes(found, near)
    assert "低保边缘" in detail(found, near, "poverty_risk")
    assert "poverty_risk" not in codes(found, above)
    assert "poverty_risk" not in codes(found, in_dibao)
    assert "poverty_risk" not in codes(found, in_tekun)
    assert "poverty_risk" not in codes(found, unknown)


def test_poverty_risk_when_income_falls_below_70_percent_of_the_year_before(standards):
    def surveyed(*incomes: tuple[int, str | None]):
        person = make_person(grade=4)
        for year, income in incomes:
            make_survey(person, year=year, income=income)
        return person

    fell = surveyed((2024, "20000.00"), (2025, "13999.99"))
    at_70 = surveyed((2024, "20000.00"), (2025, "14000.00"))
    gap = surveyed((2023, "20000.00"), (2025, "10000.00"))  # no 2024 survey: no comparison
    blank_before = surveyed((2024, None), (2025, "10000.00"))
    latest_is_2024 = surveyed((2023, "30000.00"), (2024, "20000.00"), (2026, "30000.00"))

    found = findings()

    assert "poverty_risk" in codes(found, fell)
    assert "不足上年的 70%" in detail(found, fell, "poverty_risk")
    assert "poverty_risk" not in codes(found, at_70)
    assert "poverty_risk" not in codes(found, gap)
    assert "poverty_risk" not in codes(found, blank_before)
    assert "poverty_risk" in codes(found, latest_is_2024)  # 20,000 < 70% of 30,000


def test_severe_living_alone(standards):
    alone = make_person(grade=2)
    make_survey(alone, year=2025, income="20000.00", household_size=1)
    make_list_record("services", alone, category="走访探视", start=dt.date(2025, 3, 2))
    family = make_person(grade=1)
    make_survey(family, year=2025, income="20000.00", household_size=2)
    mild = make_person(grade=3)
    make_survey(mild, year=2025, income="20000.00", household_size=1)
    unknown = make_person(grade=1)
    make_survey(unknown, year=2024, income="20000.00", household_size=1)
    make_survey(unknown, year=2025, income="20000.00")

    found = findings()

    assert "severe_living_alone" in codes(found, alone)
    assert "最近一次走访探视 2025-03-02" in detail(found, alone, "severe_living_alone")
    assert "severe_living_alone" not in codes(found, family)
    assert "severe_living_alone" not in codes(found, mild)
    assert "severe_living_alone" not in codes(found, unknown)


def test_each_code_once_per_person(standards):
    person = make_person(grade=1)
    make_survey(person, year=2025, income="3000.00", household_size=1, rehab_need=True)
    found = findings()
    assert found.filter(pl.col("person_id") == person.pk).get_column("code").is_duplicated().sum() == 0


def test_a_service_recorded_closes_the_finding_at_the_next_run(standards, monkeypatch):
    monkeypatch.setattr("huican.matching.services.today", lambda: D)  # city staff's runs of today reconcile
    staff = User.objects.create_user(username="city", password="x", role=Role.CITY_STAFF, region_id="140900")
    person = make_person(region_code="140921001001")
    make_survey(person, year=2025, income="20000.00", rehab_need=True)

    findings_run(on=D, actor=staff)
    first = Finding.objects.get(person=person, code="rehab_need_unserved")
    assert (first.status, first.county_code) == ("待核实", "140921")

    make_list_record("services", person, category="康复服务", start=dt.date(2025, 6, 1))
    findings_run(on=D, actor=staff)
    first.refresh_from_db()
    assert (first.status, first.auto_resolved) == ("已处理", True)


def test_needs_findings_are_the_federations_own_work(db):
    staff = User.objects.create_user(username="city", password="x", role=Role.CITY_STAFF, region_id="140900")
    civil = User.objects.create_user(
        username="civil", password="x", role=Role.DEPARTMENT_OFFICER, region_id="140900", department="民政"
    )
    assert set(NEEDS_CODES) <= set(finding_codes_for(staff))
    assert not set(NEEDS_CODES) & set(finding_codes_for(civil))
    assert set(NEEDS_CODES) <= set(FindingCode.values)
