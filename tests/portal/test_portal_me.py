"""我的: the signed-in person's certificate, benefits and payments from the approved rolls, applications
with their steps, notices, services and the changes since the last sign-in — and never anybody
else's, whatever ids or fields are tampered with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huican.benefits.models import Application, ApplicationEvent, Roll, RollLine
from huican.care.models import ServiceRecord
from huican.core.dates import add_years
from huican.core.models import AuditEntry
from huican.portal.models import PortalVisit
from huican.portal.sms import ConsoleSender
from tests.factories import id_number_of, make_entitlement, make_list_record, make_person
from tests.tagged_pdfs import read_tagged

pytestmark = pytest.mark.django_db

ME = reverse("portal:me")
S = Application.Status


def months_ago(n: int) -> dt.date:
    day = timezone.localdate().replace(day=1)
    for _ in range(n):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day


@pytest.fixture
def two() -> tuple[Any, Any]:
    me = make_person(name="王小红", phone="13900001111", region_code="140902001001", grade=1)
    other = make_person(name="赵大山", phone="13900002222", region_code="140902001001", grade=2)
    return me, other


def sign_in(client: Client, person: Any, phone: str) -> None:
    ConsoleSender.outbox.clear()
    number = id_number_of(person)
    client.post(
        reverse("portal:signin"),
        {"id_number": number, "certificate_number": f"{number}{person.category}{person.grade}"},
    )
    message = ConsoleSender.last_to(phone)
    assert message is not None
    assert client.post(reverse("portal:signin_code"), {"code": message.code})["Location"] == ME


def roll(month: dt.date) -> Roll:
    return Roll.objects.get_or_create(
        month=month, region_code="140902", defaults={"approved_by_name": "县残联", "lines_count": 1}
    )[0]


def line(person: Any, month: dt.date, amount: str, **fields: Any) -> RollLine:
    values: dict[str, Any] = {
        "benefit": "nursing_subsidy",
        "county_code": "140902",
        "status": "pay",
        "amount": Decimal(amount),
        "total": Decimal(amount),
        "arrears": [],
        "reasons": [],
    }
    values.update(fields)
    return RollLine.objects.create(roll=roll(month), person=person, **values)


def application(person: Any, status: str, **fields: Any) -> Application:
    values: dict[str, Any] = {
        "benefit": "nursing_subsidy",
        "applied_on": timezone.localdate() - dt.timedelta(days=20),
        "county_code": "140902",
        "township_code": "140902001",
        "step_started_on": timezone.localdate() - dt.timedelta(days=3),
    }
    values.update(fields)
    return Application.objects.create(person=person, status=status, **values)


def event(app: Application, before: str, after: str, at: dt.datetime | None = None, reason: str = "") -> None:
    made = ApplicationEvent.objects.create(
        application=app,
        action="pass",
        from_status=before,
        to_status=after,
        actor_name="某工作人员",
        reason=reason,
    )
    if at is not None:
        ApplicationEvent.objects.filter(pk=made.pk).update(at=at)


def test_payments_of_the_last_12_months_from_the_rolls_own_only(client: Client, two: Any) -> None:
    me, other = two
    line(
        me,
        months_ago(0),
        "100.00",
        arrears=[{"month": "2024-01", "amount": "100.00"}],
        total=Decimal("200.00"),
    )
    line(me, months_ago(11), "95.00")
    line(me, months_ago(12), "77.77")  # 13 months back: not shown
    held = line(
        me, months_ago(1), "0.00", status="hold", total=Decimal("0.00"), reasons=["待核实：残疾人证有效期"]
    )
    RollLine.objects.filter(pk=held.pk).update(amount=None)
    line(other, months_ago(0), "333.33")
    make_entitlement(me, benefit="nursing_subsidy", start=months_ago(5))
    sign_in(client, me, "13900001111")
    html = client.get(ME).content.decode()
    assert "100.00 元" in html and "2024-01：100.00 元" in html and "200.00 元" in html
    assert "95.00 元" in html
    assert "77.77" not in html and "333.33" not in html
    assert "暂缓发放" in html and "待核实：残疾人证有效期" in html
    assert "重度残疾人护理补贴：每月 80" in html


def test_applications_show_each_step_its_office_and_deadline(client: Client, two: Any) -> None:
    me, other = two
    app = application(me, S.TOWNSHIP_PASSED)
    event(app, "", S.SUBMITTED)
    event(app, S.SUBMITTED, S.TOWNSHIP_PASSED)
    application(other, S.APPROVED, benefit="living_subsidy")
    sign_in(client, me, "13900001111")
    html = client.get(ME).content.decode()
    assert "重度残疾人护理补贴申请" in html and "乡镇初审通过" in html
    assert "乡镇（街道）初审" in html and "已完成" in html
    assert "县残联审核</strong>（忻府区残疾人联合会）：" in html and "正在办理" in html
    assert "个工作日）" in html and "应在" in html
    assert "还没到这一步" in html
    assert "某工作人员" not in html  # the office, never a staff member
    assert "困难残疾人生活补贴申请" not in html  # the other person's


def test_changes_since_the_last_sign_in(client: Client, two: Any) -> None:
    me, _ = two
    app = application(me, S.TOWNSHIP_PASSED)
    long_ago = timezone.now() - dt.timedelta(days=10)
    event(app, "", S.SUBMITTED, at=long_ago - dt.timedelta(days=1))
    event(app, S.SUBMITTED, S.TOWNSHIP_PASSED)
    PortalVisit.objects.create(person=me, signed_in_at=long_ago)
    sign_in(client, me, "13900001111")
    html = client.get(ME).content.decode()
    changes = html[html.index("changes-title") : html.index("cert-title")]
    assert "您的重度残疾人护理补贴申请已转到忻府区残联审核" in changes
    assert "已受理" not in changes  # before the last visit
    # the next sign-in starts from this one
    client.post(reverse("portal:signout"))
    sign_in(client, me, "13900001111")
    html = client.get(ME).content.decode()
    assert "没有新的变化" in html


def test_notice_download_own_only(client: Client, two: Any) -> None:
    me, other = two
    mine = application(me, S.REJECTED, decided_on=timezone.localdate(), reject_reason="家庭收入超过标准")
    open_one = application(me, S.SUBMITTED, benefit="living_subsidy")
    theirs = application(other, S.REJECTED, decided_on=timezone.localdate(), reject_reason="其他原因")
    sign_in(client, me, "13900001111")
    html = client.get(ME).content.decode()
    assert reverse("portal:notice", args=[mine.pk]) in html and "家庭收入超过标准" in html
    response = client.get(reverse("portal:notice", args=[mine.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    letter = read_tagged(response.content)  # a screen reader can read it: tagged, zh-CN, titled
    assert letter.title == f"不予批准通知书（申请编号 {mine.pk}）" and letter.kinds["/H1"] == 1
    assert "家庭收入超过标准" in letter.text and me.id_masked in letter.text
    assert AuditEntry.objects.filter(action="portal.rejection_notice", object_id=str(me.pk)).exists()
    for guess in (theirs.pk, open_one.pk, 999999):
        assert client.get(reverse("portal:notice", args=[guess])).status_code == 404
    assert client.get(f"/portal/me/notices/{mine.pk}/?person={other.pk}").status_code == 200


def test_tampered_urls_and_fields_never_show_another_person(client: Client, two: Any) -> None:
    me, other = two
    ServiceRecord.objects.create(
        person=other,
        kind="康复服务",
        service_date=timezone.localdate(),
        project="别人的康复",
        recorded_by_name="x",
    )
    line(other, months_ago(0), "444.44")
    sign_in(client, me, "13900001111")
    for url in (
        f"{ME}?person_id={other.pk}",
        f"{ME}?person={other.pk}&id={other.pk}",
        f"{ME}?id_number={id_number_of(other)}",
    ):
        html = client.get(url).content.decode()
        assert "王小红" in html and "赵大山" not in html and "别人的康复" not in html and "444.44" not in html
    assert client.post(ME, {"person_id": other.pk}).status_code == 405
    # the session cannot be pointed elsewhere from the browser: its content lives on the server
    assert "portal_citizen" not in str(client.cookies)


def test_certificate_validity_and_renewal_warning(client: Client) -> None:
    today = timezone.localdate()
    # valid 10 years from issue: it ends 30 days from now
    me = make_person(
        name="钱多多", phone="13900003333", issue_date=add_years(today + dt.timedelta(days=30), -10)
    )
    sign_in(client, me, "13900003333")
    html = client.get(ME).content.decode()
    assert "证件将在 30 天后到期，请在到期前到县残联换领" in html
    end = me.expiry_date
    assert end == today + dt.timedelta(days=30)
    assert f"有效期至（换证日期）</dt><dd>{end.year}年{end.month}月{end.day}日" in html
    assert me.certificate_masked in html and id_number_of(me) not in html


def test_no_renewal_warning_more_than_90_days_ahead(client: Client) -> None:
    today = timezone.localdate()
    me = make_person(
        name="孙一一", phone="13900004444", issue_date=add_years(today + dt.timedelta(days=91), -10)
    )
    sign_in(client, me, "13900004444")
    assert "天后到期" not in client.get(ME).content.decode()


def test_service_records_recorded_and_imported(client: Client, two: Any) -> None:
    me, _ = two
    ServiceRecord.objects.create(
        person=me, kind="辅具适配", service_date=dt.date(2025, 3, 1), project="轮椅", recorded_by_name="x"
    )
    make_list_record(
        "services", me, start=dt.date(2024, 6, 1), category="康复服务", project="居家康复训练", status="完成"
    )
    sign_in(client, me, "13900001111")
    html = client.get(ME).content.decode()
    assert "轮椅" in html and "居家康复训练" in html
    assert html.index("轮椅") < html.index("居家康复训练")  # newest first


def test_electronic_certificate_of_the_signed_in_person(client: Client, two: Any) -> None:
    me, _ = two
    assert client.get(reverse("portal:my_certificate"))["Location"] == reverse("portal:signin")
    sign_in(client, me, "13900001111")
    assert reverse("portal:my_certificate") in client.get(ME).content.decode()
    response = client.get(reverse("portal:my_certificate"))
    html = response.content.decode()
    assert response.status_code == 200 and "王*红" in html and me.certificate_masked[:4] in html
    assert AuditEntry.objects.filter(action="portal.certificate_view", actor_name="群众:王*红").exists()


def test_a_rejected_application_says_where_it_ended(client: Client, two: Any) -> None:
    me, _ = two
    app = application(me, S.REJECTED, decided_on=timezone.localdate(), reject_reason="不符合条件")
    event(app, "", S.SUBMITTED)
    event(app, S.SUBMITTED, S.TOWNSHIP_PASSED)
    event(app, S.TOWNSHIP_PASSED, S.REJECTED, reason="不符合条件")
    sign_in(client, me, "13900001111")
    html = client.get(ME).content.decode()
    flat = " ".join(html.split())
    assert "县残联审核</strong>（忻府区残疾人联合会）： 在这一步决定不予批准" in flat
    assert html.count("不再办理") == 2  # 县民政局审定 and 公示
    assert "正在办理" not in html and "还没到这一步" not in html


def test_a_returned_application_shows_what_was_asked_and_both_ways_to_supply_it(
    client: Client, two: Any
) -> None:
    me, _ = two
    app = application(me, S.RETURNED, source=Application.Source.ONLINE)
    event(app, "", S.SUBMITTED, at=timezone.now() - dt.timedelta(days=2))
    event(app, S.SUBMITTED, S.RETURNED, reason="请补交户口簿照片")
    sign_in(client, me, "13900001111")
    html = client.get(ME).content.decode()
    assert "退回原因：请补交户口簿照片" in html
    assert "可以在网上补正，也可以到乡镇（街道）受理窗口重新提交" in html
    assert reverse("portal:apply_supply", args=[app.pk]) in html
    # an online application is "submitted", not "accepted" at a window
    assert "网上申请已提交，等待" in html and "申请已受理" not in html
