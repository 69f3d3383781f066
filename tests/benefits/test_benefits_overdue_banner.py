"""An overdue application stands out on every page of the staff member whose step it waits at."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.accounts.models import Role
from huican.benefits import services
from huican.benefits.models import Application
from tests.factories import PASSWORD, make_person, make_standard, make_user

pytestmark = pytest.mark.django_db


def test_banner_names_the_overdue_applications_of_my_step(client):
    make_standard()
    clerk = make_user(Role.TOWNSHIP_STAFF, "140902001")
    county = make_user(Role.COUNTY_STAFF, "140902")
    person = make_person(region_code="140902001001")
    application = services.application_create(actor=clerk, person=person, benefit="nursing_subsidy")
    client.login(username=clerk.username, password=PASSWORD)
    assert "已超过办理期限" not in client.get("/").content.decode()
    # received 30 days ago: past 10 working days whatever the holidays
    Application.objects.filter(pk=application.pk).update(
        step_started_on=services.today() - dt.timedelta(days=30)
    )
    page = client.get("/").content.decode()
    assert "有 1 件两项补贴申请已超过办理期限" in page
    assert "有 1 件" in client.get("/findings/").content.decode()
    client.logout()
    client.login(username=county.username, password=PASSWORD)  # not at the county's step
    assert "已超过办理期限" not in client.get("/").content.decode()


def test_applications_waiting_at_my_step_are_in_my_inbox(client):
    make_standard()
    clerk = make_user(Role.TOWNSHIP_STAFF, "140902001")
    person = make_person(region_code="140902001001", name="待办人")
    application = services.application_create(actor=clerk, person=person, benefit="nursing_subsidy")
    client.login(username=clerk.username, password=PASSWORD)
    page = client.get("/inbox/")
    items = [row[0] for row in page.context["rows"]]
    assert [(i.kind, i.person_name) for i in items] == [("申请", "待办人")]
    assert items[0].url == f"/benefits/applications/{application.pk}/"
