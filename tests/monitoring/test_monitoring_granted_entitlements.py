"""Indicator 4 counts a living subsidy granted in the system: an application taken through the whole
approval chain (初审, 审核, 审定, 公示) makes its person *receiving* from its 审定日期 on."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.benefits.models import Application, Entitlement
from huican.benefits.services import application_create, application_pass, today
from huican.monitoring.indicators import compute_indicators
from tests.factories import make_list_record, make_person, make_standard

pytestmark = pytest.mark.django_db


def coverage(on: dt.date, region: str = "140902") -> tuple:
    [row] = [
        r
        for r in compute_indicators(year=on.year, as_of=on, region=region)
        if r["code"] == "living_subsidy_coverage" and r["region"] == region
    ]
    return row["numerator"], row["denominator"], row["value"]


def test_an_entitlement_from_an_approved_application_counts_in_living_subsidy_coverage():
    make_standard()
    applicant = make_person(name="测试申请", grade=3)
    other = make_person(name="测试未申请", grade=3)
    for person in (applicant, other):
        make_list_record("dibao", person, start=dt.date(2024, 1, 1))
    day = today()
    application = application_create(actor="system", person=applicant, benefit="living_subsidy")
    for _ in range(3):  # 初审, 审核, 审定 → 公示
        application = application_pass(actor="system", application=application)
    assert application.status == Application.Status.IN_NOTICE
    assert coverage(day) == (0, 2, 0)  # in notice: not receiving yet
    Application.objects.filter(pk=application.pk).update(notice_until=day - dt.timedelta(days=1))
    application.refresh_from_db()
    application = application_pass(actor="system", application=application)  # 公示期满，批准
    assert application.status == Application.Status.APPROVED
    entitlement = Entitlement.objects.get(application=application)
    assert (entitlement.source, entitlement.effective_from) == ("application", day)
    assert coverage(day) == (1, 2, 50)
    # the day before its 审定日期 it did not count yet
    assert coverage(day - dt.timedelta(days=1)) == (0, 2, 0)
