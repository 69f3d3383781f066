"""The entitlement pages (list per region, one person's with 停发 and 择高 forms), the working-day
calendar and the counties' step limits: what each role may see and do, and what is written."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.accounts.models import Role
from huican.benefits.models import BenefitChoice, CalendarDay, Entitlement, StepLimit
from huican.benefits.workdays import add_working_days, calendar_overrides
from huican.core.audit import AuditEntry
from tests.factories import PASSWORD, make_list_record, make_person, make_standard, make_survey, make_user

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def setup(db):
    make_standard()
    here = make_person(name="测试本县", region_code="140902001001")
    there = make_person(name="测试外县", region_code="140981001001")
    nursing = make_person(name="测试择高", region_code="140902001001", grade=1)
    make_survey(nursing, year=2026, long_term_care=True)
    make_list_record("elderly_care", nursing, start=dt.date(2024, 1, 1))
    for p in (here, there, nursing):
        Entitlement.objects.create(
            person=p,
            benefit="nursing_subsidy" if p is nursing else "living_subsidy",
            start_month=dt.date(2025, 6, 1),
            effective_from=dt.date(2025, 6, 20),
        )
    users = {
        "county": make_user(Role.COUNTY_STAFF, "140902", username="cl"),
        "township": make_user(Role.TOWNSHIP_STAFF, "140902001", username="xz"),
        "officer": make_user(Role.CIVIL_AFFAIRS_OFFICER, "140902", username="mz"),
        "city": make_user(Role.CITY_STAFF, "140900", username="sz"),
        "other": make_user(Role.COUNTY_STAFF, "140981", username="yp"),
    }
    return {"here": here, "there": there, "nursing": nursing, "users": users}


def test_the_list_is_scoped_to_the_region(client, setup):
    login(client, setup["users"]["county"])
    page = client.get("/benefits/entitlements/").content.decode()
    assert "测试本县" in page and "测试择高" in page and "测试外县" not in page
    assert "本系统审批" in page and "2025-06" in page and "2025-06-20" in page
    only = client.get("/benefits/entitlements/?benefit=nursing_subsidy").content.decode()
    assert "测试择高" in only and "测试本县" not in only
    login(client, setup["users"]["city"])
    page = client.get("/benefits/entitlements/?region=140981").content.decode()
    assert "测试外县" in page and "测试本县" not in page
    login(client, setup["users"]["other"])
    assert client.get(f"/benefits/entitlements/person/{setup['here'].pk}/").status_code == 404


def test_stopping_an_entitlement(client, setup):
    entitlement = Entitlement.objects.get(person=setup["here"])
    url = f"/benefits/entitlements/{entitlement.pk}/stop/"
    login(client, setup["users"]["township"])
    page = client.get(f"/benefits/entitlements/person/{setup['here'].pk}/").content.decode()
    assert url not in page  # a township clerk gets no stop form
    client.post(url, {"end_month": "2026-01", "reason": "moved"})
    entitlement.refresh_from_db()
    assert entitlement.end_month is None
    login(client, setup["users"]["other"])
    assert client.post(url, {"end_month": "2026-01", "reason": "moved"}).status_code == 404
    login(client, setup["users"]["county"])
    assert url in client.get(f"/benefits/entitlements/person/{setup['here'].pk}/").content.decode()
    bad = client.post(url, {"end_month": "2026-13", "reason": "moved"}, follow=True).content.decode()
    assert "未停发" in bad
    done = client.post(
        url, {"end_month": "2026-01", "reason": "death", "note": "2026-01-20 死亡"}, follow=True
    )
    entitlement.refresh_from_db()
    assert (entitlement.end_month, entitlement.stop_reason) == (dt.date(2026, 1, 1), "death")
    assert "已停发" in done.content.decode() and "死亡" in done.content.decode()
    assert AuditEntry.objects.filter(
        action="benefits.entitlement_stop", object_id=str(entitlement.pk)
    ).exists()


def test_recording_the_choose_higher_choice(client, setup, settings):
    login(client, setup["users"]["township"])
    nursing = setup["nursing"]
    page = client.get(f"/benefits/entitlements/person/{nursing.pk}/").content.decode()
    assert "择高享受待确认" in page and "记录择高选择" in page
    assert (
        "择高享受待确认"
        not in client.get(f"/benefits/entitlements/person/{setup['here'].pk}/").content.decode()
    )
    response = client.post(
        f"/benefits/entitlements/person/{nursing.pk}/choice/",
        {"chosen": "nursing_subsidy", "note": "本人签字"},
    )
    assert response.status_code == 302
    choice = BenefitChoice.objects.get(person=nursing)
    assert (choice.chosen, choice.note, choice.recorded_by) == (
        "nursing_subsidy",
        "本人签字",
        setup["users"]["township"],
    )
    assert (
        client.post(
            f"/benefits/entitlements/person/{setup['there'].pk}/choice/", {"chosen": "elderly_care"}
        ).status_code
        == 404
    )


def test_the_calendar_is_kept_by_city_staff(client, setup):
    login(client, setup["users"]["county"])
    assert client.get("/benefits/calendar/").status_code == 200
    assert client.post("/benefits/calendar/", {"date": "2031-10-08", "is_workday": "0"}).status_code == 403
    login(client, setup["users"]["city"])
    bad = client.post("/benefits/calendar/", {"date": "2031-10-xx", "is_workday": "0"})
    assert bad.status_code == 400
    client.post("/benefits/calendar/", {"date": "2031-10-08", "is_workday": "0", "note": "国庆调整"})
    day = CalendarDay.objects.get()
    assert (day.date, day.is_workday, day.note) == (dt.date(2031, 10, 8), False, "国庆调整")
    assert "2031-10-08" in client.get("/benefits/calendar/").content.decode()
    # deadlines read it: 2031-10-07 (Tue) + 1 working day skips the 8th
    assert add_working_days(dt.date(2031, 10, 7), 1, calendar_overrides()) == dt.date(2031, 10, 9)
    assert AuditEntry.objects.filter(action="benefits.calendar_day").exists()


def test_step_limits_per_county(client, setup):
    url = "/benefits/calendar/limits/140902/"
    values = {"township": "8", "federation": "12", "civil_affairs": "10", "notice": "7"}
    for key in ("township", "other", "officer"):
        login(client, setup["users"][key])
        assert client.get(url).status_code == 403
    login(client, setup["users"]["county"])
    assert client.get("/benefits/calendar/limits/140981/").status_code == 403
    assert client.post(url, {**values, "notice": "0"}).status_code == 400
    client.post(url, values)
    assert dict(StepLimit.objects.filter(county_code="140902").values_list("step", "working_days")) == {
        "township": 8,
        "federation": 12,
        "civil_affairs": 10,
        "notice": 7,
    }
    login(client, setup["users"]["city"])
    client.post("/benefits/calendar/limits/140981/", {**values, "township": "15"})
    assert StepLimit.objects.get(county_code="140981", step="township").working_days == 15
    assert AuditEntry.objects.filter(action="benefits.step_limits").count() == 2
