"""The benefits overview per county (linked from the monitoring dashboard): applications by step and
overdue, median months from application to first payment, recipients, outlay and recoveries of the
latest approved roll; who sees which counties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huican.accounts.models import Role
from huican.benefits.models import Application, Entitlement
from huican.benefits.overview import county_overview
from huican.benefits.rolls import approve_roll
from huican.benefits.services import today
from tests.factories import PASSWORD, make_list_record, make_person, make_standard, make_user

pytestmark = pytest.mark.django_db


def application(person, status, *, applied, started=None, decided=None):
    return Application.objects.create(
        person=person,
        benefit="living_subsidy",
        applied_on=applied,
        status=status,
        county_code=person.county_code,
        step_started_on=started,
        decided_on=decided,
    )


@pytest.fixture
def city(db):
    make_standard()  # living subsidy 80
    paid = make_person(name="测试已发", region_code="140902001001")
    make_list_record("dibao", paid, start=dt.date(2023, 1, 1))
    approved = application(
        paid, Application.Status.APPROVED, applied=dt.date(2025, 11, 10), decided=dt.date(2025, 12, 1)
    )
    Entitlement.objects.create(
        person=paid,
        benefit="living_subsidy",
        start_month=dt.date(2025, 11, 1),
        effective_from=dt.date(2025, 12, 1),
        application=approved,
    )
    late = make_person(name="测试超期", region_code="140902001001")
    application(late, Application.Status.SUBMITTED, applied=dt.date(2026, 1, 1), started=dt.date(2026, 1, 1))
    fresh = make_person(name="测试新件", region_code="140902001001")
    application(fresh, Application.Status.TOWNSHIP_PASSED, applied=today(), started=today())
    elsewhere = make_person(name="测试原平", region_code="140981001001")
    application(elsewhere, Application.Status.SUBMITTED, applied=today(), started=today())
    officer = make_user(Role.CIVIL_AFFAIRS_OFFICER, "140902", username="mz")
    approve_roll(month=dt.date(2026, 1, 1), region="140902", actor=officer)
    return officer


def test_the_figures_per_county(city):
    rows = {r["code"]: r for r in county_overview(make_user(Role.CITY_STAFF, "140900"), today=today())}
    assert len(rows) == 15
    xinfu = rows["140902"]
    assert xinfu["steps"] == [1, 1, 0, 0] and (xinfu["open"], xinfu["overdue"]) == (2, 1)
    assert xinfu["median_months"] == 2  # applied 2025-11, first paid by the roll of 2026-01
    assert (xinfu["roll_month"], xinfu["recipients"], xinfu["outlay"]) == (
        dt.date(2026, 1, 1),
        1,
        Decimal("240.00"),
    )
    assert (xinfu["recoveries"], xinfu["recovery_amount"]) == (0, Decimal("0.00"))
    yuanping = rows["140981"]
    assert yuanping["steps"] == [1, 0, 0, 0] and yuanping["overdue"] == 0
    assert (yuanping["median_months"], yuanping["roll_month"], yuanping["recipients"]) == (None, None, None)


def test_who_sees_which_counties(client, city):
    client.login(username=city.username, password=PASSWORD)
    page = client.get("/benefits/overview/").content.decode()
    assert "忻府区" in page and "原平市" not in page and "240.00" in page
    evaluator = make_user(Role.EVALUATOR, "140900", username="pg")
    client.login(username=evaluator.username, password=PASSWORD)
    page = client.get("/benefits/overview/").content.decode()
    assert "忻府区" in page and "原平市" in page
    assert "/benefits/overview/" in client.get("/monitoring/").content.decode()  # linked from the dashboard
    admin = make_user(Role.SYSTEM_ADMIN, None, username="sa")
    client.login(username=admin.username, password=PASSWORD)
    assert client.get("/benefits/overview/").status_code == 403
