"""Requests and complaints (12385 热线、信访、网上): recorded by a citizen or by staff taking a call,
routed to the township of the person's registration, due in working days (holidays skipped), replied
and rated, counted by category and county with the on-time rate; in the right officer's 我的待办.
Never seen by another citizen or another township's officer, and never a full phone or ID number
in the audit log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huican.accounts.models import Role
from huican.core import inbox
from huican.core.crypto import decrypt
from huican.core.models import AuditEntry
from huican.portal import agents
from huican.portal import requests as services
from huican.portal.models import Authorisation, CitizenRequest
from huican.portal.sms import ConsoleSender
from huican.regions.models import Region
from tests.factories import id_number_of, make_id_number, make_person, make_user

pytestmark = pytest.mark.django_db

R = CitizenRequest
NEW = reverse("portal:request_new")
ME = reverse("portal:me")
STAFF_LIST = reverse("portal:staff_requests")
CALL = reverse("portal:staff_request_call")
PHONE_ME = "13900005555"
PHONE_OTHER = "13900006666"


@pytest.fixture
def people() -> dict[str, Any]:
    return {
        "me": make_person(name="王小红", phone=PHONE_ME, region_code="140902001001"),
        "other": make_person(name="赵大山", phone=PHONE_OTHER, region_code="140902001001"),
        "far": make_person(name="钱远", phone="13900007777", region_code="140902002001"),
        "township": make_user(Role.TOWNSHIP_STAFF, "140902001", username="t_town1"),
        "township2": make_user(Role.TOWNSHIP_STAFF, "140902002", username="t_town2"),
        "county": make_user(Role.COUNTY_STAFF, "140902", username="t_county"),
        "county2": make_user(Role.COUNTY_STAFF, "140981", username="t_county2"),
        "city": make_user(Role.CITY_STAFF, "140900", username="t_city"),
    }


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


def citizen_post(client: Client, **fields: str) -> Any:
    data = {
        "kind": R.Kind.COMPLAINT,
        "category": R.Category.SUBSIDY,
        "description": "护理补贴三个月没有发了",
        "contact_preference": R.Contact.PHONE,
        "contact_phone": "",
    }
    data.update(fields)
    return client.post(NEW, data)


def staff_request(
    person: Any = None, *, actor: Any, kind: str = R.Kind.HELP, **fields: Any
) -> CitizenRequest:
    values: dict[str, Any] = {
        "channel": R.Channel.HOTLINE,
        "kind": kind,
        "category": R.Category.REHABILITATION,
        "description": "想申请康复训练",
        "contact_preference": R.Contact.PHONE,
        "contact_phone": "13700001234",
    }
    values.update(fields)
    return services.request_create(person=person, actor=actor, **values)


def audit_text() -> str:
    rows = AuditEntry.objects.filter(action__startswith="portal.request").values_list(
        "actor_name", "reason", "detail", "object_id"
    )
    return json.dumps(list(rows), ensure_ascii=False)


# --- citizen side ---------------------------------------------------------------------------------


def test_citizen_request_goes_to_the_township_of_registration_and_shows_in_mine(
    client: Client, people: dict[str, Any]
) -> None:
    me = people["me"]
    sign_in(client, me, PHONE_ME)
    response = citizen_post(client)
    assert response.status_code == 302 and response["Location"] == reverse("portal:request_done")
    request = CitizenRequest.objects.get()
    assert request.person == me
    assert request.channel == R.Channel.ONLINE
    assert request.region_id == "140902001" and request.county_code == "140902"
    assert request.status == R.Status.RECEIVED
    assert request.number == f"12385-{timezone.localdate().year}-000001"
    assert request.due_on == services.due_date(R.Kind.COMPLAINT, timezone.localdate())
    assert request.due_on > timezone.localdate()
    # no number typed: the registered phone, stored encrypted, shown masked
    assert decrypt(request.contact_phone_encrypted) == PHONE_ME
    assert request.contact_phone_masked == "139****5555"
    done = client.get(reverse("portal:request_done")).content.decode()
    assert request.number in done and request.office in done
    mine = client.get(ME).content.decode()
    assert "我的诉求" in mine and request.number in mine and "待受理" in mine
    assert PHONE_ME not in mine
    # a second request takes the next number
    citizen_post(client, kind=R.Kind.ENQUIRY, description="辅具怎么申请")
    assert CitizenRequest.objects.filter(number__endswith="-000002").exists()


def test_citizen_form_errors_are_listed_and_nothing_is_saved(client: Client, people: dict[str, Any]) -> None:
    sign_in(client, people["me"], PHONE_ME)
    response = citizen_post(client, kind="", category="nonsense", description="  ", contact_phone="12345")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "手机号应为 11 位数字" in html
    response = citizen_post(client, kind="", category="nonsense", description="  ")
    html = response.content.decode()
    for message in ("请选择是咨询、求助、投诉还是建议", "请选择是哪方面的事", "请写一下是什么事"):
        assert message in html
    assert 'aria-invalid="true"' in html
    assert not CitizenRequest.objects.exists()


def test_anonymous_only_enquiry_or_suggestion_with_a_phone_and_a_county(
    client: Client, people: dict[str, Any]
) -> None:
    html = client.get(NEW).content.decode()
    assert 'value="complaint"' not in html and 'value="enquiry"' in html and 'name="county"' in html
    # a complaint needs signing in
    response = citizen_post(client, contact_phone="13811112222", county="140902")
    assert response.status_code == 400 and "请先登录" in response.content.decode()
    # an enquiry without a phone or county
    response = citizen_post(client, kind=R.Kind.ENQUIRY)
    html = response.content.decode()
    assert response.status_code == 400 and "请填写 11 位手机号" in html and "哪个县" in html
    assert not CitizenRequest.objects.exists()
    # a tampered county (a township, or outside the city) is refused
    response = citizen_post(client, kind=R.Kind.ENQUIRY, contact_phone="13811112222", county="140902001")
    assert response.status_code == 400
    response = citizen_post(
        client, kind=R.Kind.SUGGESTION, contact_phone="138 1111 2222", county="140902", caller_name="李先生"
    )
    assert response.status_code == 302
    request = CitizenRequest.objects.get()
    assert request.person is None and request.region_id == "140902" and request.office.endswith("残联")
    assert request.caller_name == "李先生" and request.contact_phone_masked == "138****2222"
    # the anonymous visitor has nothing to read back but the number
    assert client.get(reverse("portal:request_mine", args=[request.pk]))["Location"] == reverse(
        "portal:signin"
    )


# --- staff side -----------------------------------------------------------------------------------


def test_staff_take_a_call_for_a_person_found_by_id_number(client: Client, people: dict[str, Any]) -> None:
    me, far = people["me"], people["far"]
    client.force_login(people["township"])
    form = {
        "channel": R.Channel.HOTLINE,
        "lookup": id_number_of(me),
        "kind": R.Kind.HELP,
        "category": R.Category.DEVICE,
        "description": "轮椅坏了",
        "contact_preference": R.Contact.SMS,
        "contact_phone": "",
        "region": "",
    }
    found = client.post(CALL, {"lookup": id_number_of(me), "action": "find"})  # only the number typed yet
    assert found.status_code == 200 and "errorlist" not in found.content.decode()
    assert "找到来电人：王小红" in found.content.decode() and not CitizenRequest.objects.exists()
    # another township's person is not found from here
    refused = client.post(CALL, {**form, "lookup": id_number_of(far), "action": "save"})
    assert refused.status_code == 400 and "没有找到" in refused.content.decode()
    saved = client.post(CALL, {**form, "action": "save"})
    request = CitizenRequest.objects.get()
    assert saved["Location"] == reverse("portal:staff_request", args=[request.pk])
    assert request.person == me and request.region_id == "140902001"
    assert request.channel == R.Channel.HOTLINE and request.received_by_name == "t_town1"
    assert decrypt(request.contact_phone_encrypted) == PHONE_ME  # the registry's number
    page = client.get(saved["Location"]).content.decode()
    assert "轮椅坏了" in page and "139****5555" in page and PHONE_ME not in page
    text = audit_text()
    assert "portal.request_create" in json.dumps(
        list(AuditEntry.objects.values_list("action", flat=True)), ensure_ascii=False
    )
    assert id_number_of(me) not in text and PHONE_ME not in text


def test_anonymous_call_needs_an_office_of_the_staff_region(client: Client, people: dict[str, Any]) -> None:
    client.force_login(people["county"])
    form = {
        "channel": R.Channel.PETITION,
        "lookup": "",
        "caller_name": "张女士",
        "kind": R.Kind.COMPLAINT,
        "category": R.Category.ACCESSIBILITY,
        "description": "县医院门口没有坡道",
        "contact_preference": R.Contact.PHONE,
        "contact_phone": "13722223333",
        "region": "",
        "action": "save",
    }
    assert client.post(CALL, form).status_code == 400
    assert client.post(CALL, {**form, "region": "140981001"}).status_code == 400  # another county
    assert client.post(CALL, {**form, "region": "140902002"}).status_code == 302
    request = CitizenRequest.objects.get()
    assert (
        request.person is None and request.region_id == "140902002" and request.channel == R.Channel.PETITION
    )


def test_due_date_counts_working_days_across_national_day(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Received on Wednesday 30 September 2026: 1–7 October are holidays, Saturday 10 October is a
    make-up working day (调休). Counting weekdays only would give 7 October and 21 October."""
    received = dt.datetime(2026, 9, 30, 10, 0, tzinfo=timezone.get_current_timezone())
    monkeypatch.setattr("huican.portal.requests.timezone.now", lambda: received)
    enquiry = staff_request(people["me"], actor=people["township"], kind=R.Kind.ENQUIRY)
    complaint = staff_request(people["me"], actor=people["township"], kind=R.Kind.COMPLAINT)
    assert enquiry.received_on == dt.date(2026, 9, 30)
    assert enquiry.due_on == dt.date(2026, 10, 13)  # 8, 9, 10 (Sat, 调休), 12, 13
    assert complaint.due_on == dt.date(2026, 10, 27)
    assert enquiry.number == "12385-2026-000001" and complaint.number == "12385-2026-000002"


def test_reply_is_seen_by_the_citizen_who_rates_it_once(client: Client, people: dict[str, Any]) -> None:
    me = people["me"]
    request = staff_request(me, actor=people["township"])
    staff = Client()
    staff.force_login(people["township"])
    action = lambda name: reverse("portal:staff_request_action", args=[request.pk, name])  # noqa: E731
    assert staff.post(action("close")).status_code == 400  # not replied yet
    assert staff.post(action("accept")).status_code == 302
    assert staff.post(action("reply"), {"reply": " "}).status_code == 400
    assert staff.post(action("reply"), {"reply": "已联系康复中心，下周一上门评估。"}).status_code == 302
    request.refresh_from_db()
    assert request.status == R.Status.REPLIED and request.replied_on == timezone.localdate()
    assert request.replied_by_name == "t_town1"
    sign_in(client, me, PHONE_ME)
    mine = client.get(ME).content.decode()
    assert "已联系康复中心，下周一上门评估。" in mine and "已答复" in mine
    page = reverse("portal:request_mine", args=[request.pk])
    assert "对答复满意吗" in client.get(page).content.decode()
    rate = reverse("portal:request_rate", args=[request.pk])
    assert client.post(rate, {"satisfaction": "great"}).status_code == 400
    assert client.post(rate, {"satisfaction": R.Satisfaction.FAIRLY})["Location"] == page + "?rated=1"
    request.refresh_from_db()
    assert request.satisfaction == R.Satisfaction.FAIRLY
    assert client.post(rate, {"satisfaction": R.Satisfaction.UNSATISFIED}).status_code == 400
    request.refresh_from_db()
    assert request.satisfaction == R.Satisfaction.FAIRLY
    assert staff.post(action("close")).status_code == 302
    request.refresh_from_db()
    assert request.status == R.Status.CLOSED and request.closed_at is not None
    actions = list(
        AuditEntry.objects.filter(object_type="portal.CitizenRequest").values_list("action", flat=True)
    )
    assert actions == [
        "portal.request_create",
        "portal.request_accept",
        "portal.request_reply",
        "portal.request_rate",
        "portal.request_close",
    ]
    assert list(request.events.values_list("action", flat=True)) == [
        "create",
        "accept",
        "reply",
        "rate",
        "close",
    ]


def test_rating_before_a_reply_is_refused(client: Client, people: dict[str, Any]) -> None:
    request = staff_request(people["me"], actor=people["township"])
    sign_in(client, people["me"], PHONE_ME)
    response = client.post(reverse("portal:request_rate", args=[request.pk]), {"satisfaction": "satisfied"})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.satisfaction == ""


def test_routing_moves_the_request_and_its_scope(client: Client, people: dict[str, Any]) -> None:
    request = staff_request(people["me"], actor=people["township"])
    detail = reverse("portal:staff_request", args=[request.pk])
    route = reverse("portal:staff_request_action", args=[request.pk, "route"])
    # a township officer may only send it back to the county
    town = Client()
    town.force_login(people["township"])
    assert town.post(route, {"region": "140902002", "note": "不归我们"}).status_code == 400
    county = Client()
    county.force_login(people["county"])
    assert county.post(route, {"region": "140902002", "note": ""}).status_code == 400
    assert county.post(route, {"region": "140981001", "note": "外县"}).status_code == 400
    assert county.post(route, {"region": "140902002", "note": "实际住在二乡"}).status_code == 302
    request.refresh_from_db()
    assert request.region_id == "140902002" and request.status == R.Status.RECEIVED
    assert town.get(detail).status_code == 404
    other = Client()
    other.force_login(people["township2"])
    assert "实际住在二乡" in other.get(detail).content.decode()
    entry = AuditEntry.objects.get(action="portal.request_route")
    assert entry.detail["from_region"] == "140902001" and entry.detail["to_region"] == "140902002"
    assert entry.reason == "实际住在二乡"
    # the township sends it back to its county; the county officer then sees it in their inbox
    assert other.post(route, {"region": "140902", "note": "需县残联协调"}).status_code == 302
    request.refresh_from_db()
    assert request.region_id == "140902" and request.office.endswith("残联")


def test_another_township_or_county_officer_gets_404(people: dict[str, Any]) -> None:
    request = staff_request(people["me"], actor=people["township"])
    for who in ("township2", "county2"):
        client = Client()
        client.force_login(people[who])
        assert client.get(reverse("portal:staff_request", args=[request.pk])).status_code == 404
        for name in ("accept", "reply", "route", "close", "phone"):
            url = reverse("portal:staff_request_action", args=[request.pk, name])
            assert client.post(url, {"reply": "x", "region": "140981001", "note": "x"}).status_code == 404
        assert request.number not in client.get(STAFF_LIST).content.decode()
    request.refresh_from_db()
    assert request.status == R.Status.RECEIVED and request.reply == ""
    for who in ("township", "county", "city"):
        client = Client()
        client.force_login(people[who])
        assert request.number in client.get(STAFF_LIST).content.decode()


def test_roles_without_casework_are_refused(client: Client, people: dict[str, Any]) -> None:
    request = staff_request(people["me"], actor=people["township"])
    client.force_login(make_user(Role.EVALUATOR, "140900"))
    assert client.get(STAFF_LIST).status_code == 403
    assert client.get(reverse("portal:staff_request", args=[request.pk])).status_code == 403
    assert client.get(reverse("portal:staff_request_stats")).status_code == 200  # counts only
    client.force_login(make_user(Role.SYSTEM_ADMIN, None))
    assert client.get(reverse("portal:staff_request_stats")).status_code == 403


def test_a_citizen_never_sees_another_persons_request_nor_staff_pages(
    client: Client, people: dict[str, Any]
) -> None:
    theirs = staff_request(people["other"], actor=people["township"], description="赵大山的私事")
    services.request_reply(actor=people["township"], request=theirs, reply="给赵大山的答复")
    sign_in(client, people["me"], PHONE_ME)
    for url in (
        reverse("portal:request_mine", args=[theirs.pk]),
        reverse("portal:request_mine", args=[theirs.pk + 1000]),
    ):
        assert client.get(url).status_code == 404
    rate = reverse("portal:request_rate", args=[theirs.pk])
    assert client.post(rate, {"satisfaction": "unsatisfied"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.satisfaction == ""
    for url in (f"{ME}?person_id={people['other'].pk}", f"{ME}?request={theirs.pk}"):
        html = client.get(url).content.decode()
        assert theirs.number not in html and "给赵大山的答复" not in html
    # a form field naming another person is ignored: the request is the session's person's
    citizen_post(client, person=str(people["other"].pk), person_id=str(people["other"].pk))
    assert CitizenRequest.objects.filter(person=people["me"]).count() == 1
    assert CitizenRequest.objects.filter(person=people["other"]).count() == 1
    # staff pages need a staff login: a citizen is sent to the staff sign-in, never let in
    for url in (
        STAFF_LIST,
        CALL,
        reverse("portal:staff_request_stats"),
        reverse("portal:staff_request", args=[theirs.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    response = client.post(reverse("portal:staff_request_action", args=[theirs.pk, "close"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_staff_see_the_full_phone_only_on_request_and_it_is_audited(
    client: Client, people: dict[str, Any]
) -> None:
    request = staff_request(None, actor=people["township"], region=Region.objects.get(code="140902001"))
    client.force_login(people["township"])
    assert (
        "13700001234" not in client.get(reverse("portal:staff_request", args=[request.pk])).content.decode()
    )
    shown = client.post(reverse("portal:staff_request_action", args=[request.pk, "phone"]))
    assert "13700001234" in shown.content.decode() and shown["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="portal.request_phone")
    assert entry.actor_name == "t_town1" and entry.detail["phone"] == "137****1234"
    assert "13700001234" not in audit_text()


def test_stats_count_by_category_and_county_with_the_on_time_rate(
    client: Client, people: dict[str, Any]
) -> None:
    year = timezone.localdate().year
    township, county2 = people["township"], people["county2"]
    on_time = staff_request(people["me"], actor=township, category=R.Category.SUBSIDY)
    late = staff_request(people["other"], actor=township, category=R.Category.SUBSIDY)
    open_late = staff_request(people["me"], actor=township, category=R.Category.EDUCATION)
    staff_request(None, actor=county2, region=Region.objects.get(code="140981"), category=R.Category.OTHER)
    past = timezone.localdate() - dt.timedelta(days=1)
    CitizenRequest.objects.filter(pk__in=[late.pk, open_late.pk]).update(due_on=past)
    late.refresh_from_db()
    services.request_reply(actor=township, request=on_time, reply="已办")
    services.request_reply(actor=township, request=late, reply="晚了")
    stats = services.requests_stats("1409", year)
    assert stats.total == 4
    by_category = dict(stats.by_category)
    assert by_category["补贴"] == 2 and by_category["教育"] == 1 and by_category["其他"] == 1
    assert by_category["康复"] == 0
    counties = {code: (n, replied, on) for code, _name, n, replied, on in stats.by_county}
    assert counties == {"140902": (3, 2, 1), "140981": (1, 0, 0)}
    assert stats.replied == 2 and stats.on_time == 1 and stats.on_time_rate == 0.5
    assert stats.open_overdue == 1
    assert services.requests_stats("140981", year).total == 1
    assert services.requests_stats("1409", year - 1).total == 0
    assert services.requests_stats("1409", year - 1).on_time_rate is None
    client.force_login(people["city"])
    html = client.get(reverse("portal:staff_request_stats")).content.decode()
    assert "50.0%" in html and "<caption" in html and '<th scope="row">补贴</th><td>2</td>' in html
    client.force_login(people["county2"])
    html = client.get(reverse("portal:staff_request_stats")).content.decode()
    assert '<th scope="row">补贴</th><td>0</td>' in html and "—（还没有答复）" in html


def test_staff_list_filters_by_status_category_and_overdue(client: Client, people: dict[str, Any]) -> None:
    township = people["township"]
    first = staff_request(people["me"], actor=township, category=R.Category.SUBSIDY)
    second = staff_request(people["me"], actor=township, category=R.Category.EDUCATION)
    CitizenRequest.objects.filter(pk=second.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    services.request_reply(actor=township, request=first, reply="好")
    client.force_login(township)

    def listed(**query: str) -> set[str]:
        html = client.get(STAFF_LIST, query).content.decode()
        return {r.number for r in (first, second) if r.number in html}

    assert listed() == {first.number, second.number}
    assert listed(status=R.Status.REPLIED) == {first.number}
    assert listed(category=R.Category.EDUCATION) == {second.number}
    assert listed(overdue="on") == {second.number}


def test_open_requests_are_in_the_inbox_of_the_office_they_are_with(people: dict[str, Any]) -> None:
    today = timezone.localdate()
    request = staff_request(people["me"], actor=people["township"])
    anonymous = staff_request(
        None, actor=people["county"], region=Region.objects.get(code="140902"), caller_name="刘先生"
    )

    def titles(user: Any, **filters: Any) -> list[str]:
        box = inbox.Inbox(user, today, inbox.Filters(**filters), prefetch=50)
        return [i.title for i in box[0:50] if i.kind == "诉求"]

    mine = titles(people["township"])
    assert len(mine) == 1 and request.number in mine[0] and "待处理诉求" in mine[0]
    assert titles(people["township"], kind="诉求") == mine
    assert titles(people["township"], kind="申请") == []
    assert titles(people["township2"]) == []
    county = titles(people["county"])
    assert len(county) == 1 and anonymous.number in county[0]
    box = inbox.Inbox(people["county"], today, prefetch=50)
    item = next(i for i in box[0:50] if i.kind == "诉求")
    assert item.person_name == "刘先生" and item.due == anonymous.due_on
    assert item.url == reverse("portal:staff_request", args=[anonymous.pk])
    services.request_reply(actor=people["township"], request=request, reply="已办")
    assert titles(people["township"]) == []


def test_an_sms_reply_is_sent_once_the_reply_is_saved(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any, capsys: Any
) -> None:
    texted = staff_request(people["me"], actor=people["township"], contact_preference=R.Contact.SMS)
    called = staff_request(people["me"], actor=people["township"], contact_phone="13700004321")
    ConsoleSender.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_reply(actor=people["township"], request=texted, reply="已为您预约康复评估。")
        services.request_reply(actor=people["township"], request=called, reply="电话告知")
    message = ConsoleSender.last_to("13700001234")
    assert message is not None and texted.number in message.text and "已为您预约康复评估。" in message.text
    assert ConsoleSender.last_to("13700004321") is None  # 回复方式：电话 — staff call instead
    printed = capsys.readouterr().out  # the demo console shows the message itself, not an empty code
    assert f"【惠残演示】向 137****1234 发送短信：{message.text}（演示环境：短信只打印在此控制台）" in printed
    assert "发送验证码" not in printed
    note = texted.events.get(action="notify").note
    assert "137****1234" in note and "13700001234" not in note
    assert not called.events.filter(action="notify").exists()
    assert "13700001234" not in audit_text()


def test_requests_without_signing_in_are_limited_per_address(client: Client, people: dict[str, Any]) -> None:
    def send(c: Client, **fields: str) -> Any:
        return citizen_post(c, kind=R.Kind.ENQUIRY, contact_phone="13811112222", county="140902", **fields)

    for _ in range(services.ANONYMOUS_PER_DAY):
        assert send(client).status_code == 302
    refused = send(client)
    assert refused.status_code == 400 and "明天再试" in refused.content.decode()
    assert CitizenRequest.objects.count() == services.ANONYMOUS_PER_DAY
    # another address, or a signed-in citizen at the same one, is not held back
    assert send(Client(REMOTE_ADDR="10.0.0.9")).status_code == 302
    sign_in(client, people["me"], PHONE_ME)
    assert citizen_post(client).status_code == 302


def test_an_agent_sends_a_request_for_the_person_with_their_own_phone(
    client: Client, people: dict[str, Any]
) -> None:
    me = people["me"]
    agent_id = make_id_number("140902", dt.date(1975, 3, 3))
    agents.authorisation_record(
        actor=people["township"],
        person=me,
        agent_name="李四华",
        agent_id_number=agent_id,
        agent_phone="13600009999",
        relation=Authorisation.Relation.GUARDIAN,
        valid_from=timezone.localdate(),
        note="监护关系证明已核验",
    )
    ConsoleSender.outbox.clear()
    client.post(
        reverse("portal:signin_agent"),
        {"id_number": agent_id, "certificate_number": f"{id_number_of(me)}{me.category}{me.grade}"},
    )
    message = ConsoleSender.last_to("13600009999")
    assert message is not None
    assert client.post(reverse("portal:signin_code"), {"code": message.code})["Location"] == ME
    assert "136****9999" in client.get(NEW).content.decode()
    assert citizen_post(client).status_code == 302
    request = CitizenRequest.objects.get()
    assert request.person == me and decrypt(request.contact_phone_encrypted) == "13600009999"
    entry = AuditEntry.objects.get(action="portal.request_create")
    assert entry.actor_name.startswith("监护人:") and "13600009999" not in audit_text()


def test_an_evaluator_reaches_the_request_counts_from_the_monitoring_pages(
    client: Client, people: Any
) -> None:
    staff_request(people["me"], actor=people["township"], category=R.Category.SUBSIDY)
    client.force_login(make_user(Role.EVALUATOR, "140900", username="t_eval"))
    stats = reverse("portal:staff_request_stats")
    assert f'href="{stats}"' in client.get(reverse("monitoring:index")).content.decode()
    html = client.get(stats).content.decode()
    assert '<th scope="row">补贴</th><td>1</td>' in html and "王小红" not in html  # counts, never persons
    assert client.get(reverse("portal:staff_requests")).status_code in (403, 404)
