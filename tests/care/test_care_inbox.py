"""Visits due in 我的待办: a visit that found something to follow up (until a later visit), and a
fitted device whose follow-up visit is not done."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.accounts.models import Role
from huican.care import services
from huican.core import inbox
from tests.factories import make_person, make_user

pytestmark = pytest.mark.django_db


def test_follow_ups_due_are_in_the_inbox_until_done():
    clerk = make_user(Role.TOWNSHIP_STAFF, "140902001")
    person = make_person(region_code="140902001001", name="回访人")
    services.service_record_create(
        actor=clerk,
        person=person,
        kind="走访探视",
        service_date=dt.date(2026, 11, 2),
        visitor="王干事",
        found="屋顶漏雨",
        follow_up_needed=True,
    )
    today = dt.date(2026, 12, 7)
    items = inbox.Inbox(clerk, today, prefetch=50)[0:50]
    visits = [i for i in items if i.kind == "走访"]
    assert [(i.title, i.person_name) for i in visits] == [("走访发现需要跟进", "回访人")]
    assert visits[0].overdue_on(today)  # 10 working days after 2026-11-02
    # a later visit closes it
    services.service_record_create(
        actor=clerk,
        person=person,
        kind="走访探视",
        service_date=dt.date(2026, 12, 1),
        visitor="王干事",
        found="已修好",
    )
    assert not [i for i in inbox.Inbox(clerk, today, prefetch=50)[0:50] if i.kind == "走访"]
    # another township's clerk does not see it
    other = make_user(Role.TOWNSHIP_STAFF, "140902002")
    assert inbox.Inbox(other, today).total == 0


def test_a_fitted_device_waits_for_its_follow_up_visit():
    clerk = make_user(Role.TOWNSHIP_STAFF, "140902001")
    person = make_person(region_code="140902001001", name="辅具人")
    record = services.service_record_create(
        actor=clerk, person=person, kind="辅具适配", service_date=dt.date(2026, 11, 2), device="轮椅"
    )
    today = dt.date(2026, 12, 7)
    assert inbox.Inbox(clerk, today).total == 0  # only assessed
    record = services.device_fitting_advance(
        actor=clerk, record=record, stage="fitting", on=dt.date(2026, 11, 20)
    )
    items = inbox.Inbox(clerk, today, prefetch=50)[0:50]
    assert [(i.title, i.overdue_on(today)) for i in items] == [("辅具回访：轮椅", False)]
    services.device_fitting_advance(actor=clerk, record=record, stage="follow_up", on=dt.date(2026, 12, 5))
    assert inbox.Inbox(clerk, today).total == 0
