"""Each kind of service recorded end to end through the web: the form, the record, its stages,
the audit entry, and the record as the rules read it (Facts.lists["services"])."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.utils import timezone

from huican.care.models import CarePlacement, DeviceFitting, ServiceRecord, Visit
from huican.core.models import AuditEntry
from huican.policy.facts import load_facts

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 10)


def services_of(person, on=None) -> pl.DataFrame:
    facts = load_facts(on=on or timezone.localdate())
    return facts.lists["services"].filter(pl.col("person_id") == person.pk)


@pytest.mark.parametrize(
    ("slug", "kind"),
    [("rehabilitation", "康复服务"), ("legal", "法律援助"), ("training", "职业技能培训")],
)
def test_a_plain_service_is_recorded_and_counted(staff_client, person, slug, kind):
    page = staff_client.get(f"/care/persons/{person.pk}/new/{slug}/")
    assert page.status_code == 200 and kind in page.content.decode()

    response = staff_client.post(
        f"/care/persons/{person.pk}/new/{slug}/",
        {
            "service_date": DAY.isoformat(),
            "organisation": "忻府区康复中心",
            "project": "测试项目",
            "result": "进行中",
            "amount": "120.50",
            "notes": "",
        },
    )

    assert response.status_code == 302 and response["Location"].endswith(
        f"/care/persons/{person.pk}/#message"
    )
    record = ServiceRecord.objects.get(person=person)
    assert (record.kind, record.service_date, record.result, str(record.amount)) == (
        kind,
        DAY,
        "进行中",
        "120.50",
    )
    assert record.recorded_by_name == "care_county"
    assert AuditEntry.objects.filter(action="care.service_create", object_id=str(record.pk)).exists()
    row = services_of(person).row(0, named=True)
    assert (row["category"], row["start_date"], row["status"], row["organisation"], row["amount"]) == (
        kind, DAY, "进行中", "忻府区康复中心", 120.5,
    )  # fmt: skip
    assert kind in staff_client.get(f"/care/persons/{person.pk}/").content.decode()

    staff_client.post(f"/care/services/{record.pk}/result/", {"result": "完成"})
    record.refresh_from_db()
    assert record.result == "完成"


def test_a_service_in_the_future_or_before_birth_is_refused(staff_client, person):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for day in (tomorrow, dt.date(1969, 1, 1)):
        response = staff_client.post(
            f"/care/persons/{person.pk}/new/rehabilitation/",
            {"service_date": day.isoformat(), "result": "完成"},
        )
        assert response.status_code == 400
    assert not ServiceRecord.objects.exists()


def test_device_fitting_goes_assessment_fitting_follow_up(staff_client, person):
    staff_client.post(
        f"/care/persons/{person.pk}/new/device/",
        {"service_date": "2025-03-01", "device": "轮椅", "organisation": "辅具中心"},
    )
    record = ServiceRecord.objects.get(person=person, kind="辅具适配")
    assert (record.stage, record.result) == ("assessment", "进行中")

    skipped = staff_client.post(
        f"/care/services/{record.pk}/stage/", {"stage": "follow_up", "on": "2025-03-05"}
    )
    assert skipped.status_code == 400
    too_early = staff_client.post(
        f"/care/services/{record.pk}/stage/", {"stage": "fitting", "on": "2025-02-01"}
    )
    assert too_early.status_code == 400
    assert (
        staff_client.post(
            f"/care/services/{record.pk}/stage/", {"stage": "fitting", "on": "2025-03-05"}
        ).status_code
        == 302
    )
    staff_client.post(
        f"/care/services/{record.pk}/stage/", {"stage": "follow_up", "on": "2025-04-05", "notes": "使用良好"}
    )

    record.refresh_from_db()
    fitting = DeviceFitting.objects.get(record=record)
    assert (record.stage, record.result) == ("follow_up", "完成")
    assert (fitting.assessed_on, fitting.fitted_on, fitting.followed_up_on) == (
        dt.date(2025, 3, 1), dt.date(2025, 3, 5), dt.date(2025, 4, 5),
    )  # fmt: skip
    assert fitting.follow_up_notes == "使用良好"
    assert AuditEntry.objects.filter(action="care.device_stage").count() == 2
    page = staff_client.get(f"/care/services/{record.pk}/").content.decode()
    assert "轮椅" in page and "2025-04-05" in page


def test_care_placement_has_its_organisation_and_period(staff_client, person):
    response = staff_client.post(
        f"/care/persons/{person.pk}/new/care/",
        {"organisation": "忻州托养中心", "care_mode": "day", "service_date": "2025-01-02"},
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get(person=person, kind="托养服务")
    placement = CarePlacement.objects.get(record=record)
    assert (record.organisation, placement.mode, placement.period_start, placement.period_end) == (
        "忻州托养中心", "day", dt.date(2025, 1, 2), None,
    )  # fmt: skip
    assert record.result == "进行中"

    assert (
        staff_client.post(f"/care/services/{record.pk}/end/", {"period_end": "2024-12-31"}).status_code == 400
    )
    staff_client.post(f"/care/services/{record.pk}/end/", {"period_end": "2025-06-30"})
    record.refresh_from_db()
    placement.refresh_from_db()
    assert (placement.period_end, record.result) == (dt.date(2025, 6, 30), "完成")


def test_a_placement_needs_an_organisation(staff_client, person):
    response = staff_client.post(
        f"/care/persons/{person.pk}/new/care/", {"care_mode": "day", "service_date": "2025-01-02"}
    )
    assert response.status_code == 400
    assert not ServiceRecord.objects.exists()


def test_a_visit_records_who_went_what_was_found_and_the_follow_up(staff_client, person):
    page = staff_client.get(f"/care/persons/{person.pk}/new/visit/").content.decode()
    assert 'src="/static/care/visit.js"' in page and "<script>" not in page
    assert 'value="care_county"' in page  # the visitor defaults to the user

    response = staff_client.post(
        f"/care/persons/{person.pk}/new/visit/",
        {
            "service_date": "2025-05-06",
            "visitor": "张专干",
            "found": "屋顶漏雨，需要帮助",
            "follow_up_needed": "on",
        },
    )

    assert response.status_code == 302
    visit = Visit.objects.select_related("record").get()
    assert (visit.visitor, visit.found, visit.follow_up_needed) == ("张专干", "屋顶漏雨，需要帮助", True)
    assert (visit.record.kind, visit.record.result, visit.record.service_date) == (
        "走访探视",
        "完成",
        dt.date(2025, 5, 6),
    )
    assert "需要跟进" in staff_client.get(f"/care/persons/{person.pk}/").content.decode()


def test_a_visit_without_what_was_found_is_refused(staff_client, person):
    response = staff_client.post(
        f"/care/persons/{person.pk}/new/visit/",
        {"service_date": "2025-05-06", "visitor": "张专干", "found": ""},
    )
    assert response.status_code == 400
    assert not ServiceRecord.objects.exists()


def test_the_list_of_the_region_filters_by_kind(staff_client, person):
    for slug, extra in (("rehabilitation", {"result": "完成"}), ("legal", {"result": "完成"})):
        staff_client.post(f"/care/persons/{person.pk}/new/{slug}/", {"service_date": "2025-02-02", **extra})
    everything = staff_client.get("/care/").content.decode()
    assert "康复服务" in everything and "法律援助" in everything
    legal = staff_client.get("/care/", {"kind": "法律援助"}).content.decode()
    assert "<td>法律援助</td>" in legal and "<td>康复服务</td>" not in legal


def test_the_person_page_links_to_the_services(staff_client, person):
    page = staff_client.get(f"/persons/{person.pk}/").content.decode()
    assert f'href="/care/persons/{person.pk}/"' in page
    assert 'href="/care/"' in page  # the navigation
