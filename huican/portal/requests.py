"""Hotline calls and requests (12385 热线、信访、网上诉求): record, route, accept, reply, close, rate,
and the counts a dashboard shows. Every step is one short transaction with an event in the request's
history and an audit entry (never the phone number in it).

Routing: a request goes to the township (乡镇、街道) of the person's registration — the county
(县残联) when the registration has no township — or to the office chosen by staff (anonymous calls)
or by the citizen (a county, for an anonymous online question). County and city staff move it on.

Deadline: the reply is due ``REPLY_WORKING_DAYS[kind]`` working days after the day it was received
(that day does not count), on the working-day calendar of ``core.workdays`` (State Council
holidays and 调休, staff calendar rows). Reading: an enquiry (咨询) is answered within 5 working days;
a request for help, a complaint or a suggestion within 15 (the usual 12345/12385 hotline terms).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from huican.accounts.access import can, region_prefix_for
from huican.accounts.models import Role
from huican.core.audit import audit_record
from huican.core.crypto import blind_index, decrypt, encrypt, mask_phone
from huican.core.workdays import add_working_days, calendar_overrides
from huican.portal import sms
from huican.portal.models import CitizenRequest, CitizenRequestEvent, SignInGuard
from huican.portal.requests_stats import RequestStats, requests_stats  # noqa: F401 - the counts, read from here too
from huican.portal.signin import mobile_number
from huican.regions.models import Region
from huican.registry.models import Person

R = CitizenRequest
K = CitizenRequest.Kind
S = CitizenRequest.Status
E = CitizenRequestEvent.Action

# Working days from receipt to the reply, by kind: the one table of deadlines.
REPLY_WORKING_DAYS: dict[str, int] = {
    K.ENQUIRY: 5,
    K.HELP: 15,
    K.COMPLAINT: 15,
    K.SUGGESTION: 15,
}
# What an anonymous visitor of the portal may send (with a phone number to answer to).
ANONYMOUS_KINDS = (K.ENQUIRY, K.SUGGESTION)
# At most this many requests without signing in from one address in 24 hours.
ANONYMOUS_PER_DAY = 5
ANONYMOUS_WINDOW = dt.timedelta(hours=24)
NUMBER_PREFIX = "12385"
OPEN = (S.RECEIVED, S.HANDLING)
ANSWERED = (S.REPLIED, S.CLOSED)


class RequestError(Exception):
    """The request cannot be recorded or changed as asked; ``problems`` maps a field to a message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = problems


def actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_full_name() or actor.username)
    return str(actor)


def office_name(region: Region) -> str:
    """承办单位: a township's own name, a county's federation (县残联)."""
    if region.level == Region.Level.COUNTY:
        return f"{region.name}残联"
    if region.level == Region.Level.CITY:
        return f"{region.name}残联"
    return region.name


def office_for_person(person: Person) -> Region:
    """The office a request of this person goes to: their township, else their county."""
    code = person.township_code or person.county_code
    region = Region.objects.filter(code=code).first()
    if region is None:  # a registration below a township that has no region row: the county
        region = Region.objects.get(code=person.county_code)
    return region


def may_handle(user: Any) -> bool:
    """Staff of the three levels within a region: 乡镇、县、市."""
    return can(user, "browse_registry")


def requests_for(user: Any) -> QuerySet[CitizenRequest]:
    """The requests the user may see: those of offices inside their region."""
    prefix = region_prefix_for(user)
    if prefix is None or not may_handle(user):
        return CitizenRequest.objects.none()
    return CitizenRequest.objects.filter(region__code__startswith=prefix)


def access_request_by_id(user: Any, request_id: int) -> CitizenRequest:
    """The request if the user may see it; otherwise Http404 (whether or not it exists)."""
    try:
        return requests_for(user).select_related("person", "region").get(pk=request_id)
    except (CitizenRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该诉求") from None


def offices_for(user: Any) -> QuerySet[Region]:
    """Townships and counties a staff member may send a request to (their region's)."""
    prefix = region_prefix_for(user)
    if prefix is None:
        return Region.objects.none()
    levels = (Region.Level.COUNTY, Region.Level.TOWNSHIP)
    return Region.objects.filter(code__startswith=prefix, level__in=levels).order_by("code")


def route_targets(user: Any) -> QuerySet[Region]:
    """Where the user may move a request: city staff any office of the city, county staff any
    office of their county; a township officer only back to their county (不属于本乡镇)."""
    if not may_handle(user):
        return Region.objects.none()
    if user.role == Role.TOWNSHIP_STAFF:
        return Region.objects.filter(code=user.region.county_code)
    return offices_for(user)


def due_date(kind: str, received_on: dt.date) -> dt.date:
    return add_working_days(received_on, REPLY_WORKING_DAYS[kind], calendar_overrides())


def _audit(
    request: CitizenRequest, actor: Any, action: str, ip_address: str = "", reason: str = "", **detail: Any
) -> None:
    audit_record(
        actor=actor,
        action=f"portal.request_{action}",
        object_type="portal.CitizenRequest",
        object_id=request.pk,
        region_code=request.region_id,
        reason=reason,
        detail={"number": request.number, **detail},
        ip_address=ip_address,
    )


def _event(request: CitizenRequest, action: str, actor: Any, **fields: Any) -> None:
    CitizenRequestEvent.objects.create(
        request=request, at=timezone.now(), action=action, actor_name=actor_name(actor)[:150], **fields
    )


def _next_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = (
        CitizenRequest.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


def _count_anonymous(ip_address: str) -> None:
    """Requests sent without signing in are counted per address (its keyed hash only, kept with the
    sign-in counters, ``SignInGuard``): past ``ANONYMOUS_PER_DAY`` in 24 hours the address is
    refused until the day is over. No CAPTCHA: the limit is the defence against a flood."""
    if not ip_address:
        return
    now = timezone.now()
    with transaction.atomic():
        guard, _ = SignInGuard.objects.select_for_update().get_or_create(
            kind=SignInGuard.Kind.ADDRESS,
            key_hash=blind_index(f"portal-request|ip|{ip_address}"),
            defaults={"window_start": now},
        )
        if now - guard.window_start > ANONYMOUS_WINDOW:
            guard.failures, guard.window_start, guard.locked_until = 0, now, None
        if guard.failures >= ANONYMOUS_PER_DAY:
            raise RequestError(
                {"__all__": "这个网络今天不登录提交的次数已经很多了，请明天再试，或拨打 12385"}
            )
        guard.failures += 1
        if guard.failures >= ANONYMOUS_PER_DAY:  # kept until the window ends (the daily clean-up)
            guard.locked_until = guard.window_start + ANONYMOUS_WINDOW
        guard.save(update_fields=["failures", "window_start", "locked_until"])


def _check(
    *,
    channel: str,
    kind: str,
    category: str,
    description: str,
    contact_preference: str,
    phone: str,
    region: Region | None,
    person: Person | None,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if channel not in CitizenRequest.Channel.values:
        problems["channel"] = "请选择来源"
    if kind not in CitizenRequest.Kind.values:
        problems["kind"] = "请选择是咨询、求助、投诉还是建议"
    if category not in CitizenRequest.Category.values:
        problems["category"] = "请选择是哪方面的事"
    if not description.strip():
        problems["description"] = "请写一下是什么事"
    elif len(description) > 2000:
        problems["description"] = "请写在 2000 字以内"
    if contact_preference not in CitizenRequest.Contact.values:
        problems["contact_preference"] = "请选择怎么回复您"
    elif contact_preference != CitizenRequest.Contact.NONE and not phone:
        problems["contact_phone"] = "请填写 11 位手机号，办理结果会打电话或发短信告诉您"
    if person is None and region is None:
        problems["region"] = "请选择由哪里办理"
    return problems


def request_create(
    *,
    channel: str,
    kind: str,
    category: str,
    description: str,
    contact_preference: str,
    contact_phone: str = "",
    caller_name: str = "",
    person: Person | None = None,
    region: Region | None = None,
    actor: Any,
    ip_address: str = "",
) -> CitizenRequest:
    """Record a request. `actor` is a staff user taking a call (the person, if any, must be in
    their region, as must the chosen office) or a citizen's audit name (the person from the
    session, or None for an anonymous enquiry or suggestion from the portal).

    The office is the person's township (or county) unless staff chose one; the reply is due
    ``REPLY_WORKING_DAYS[kind]`` working days after today.
    """
    staff = getattr(actor, "is_authenticated", False)
    if staff:
        if not may_handle(actor):
            raise RequestError({"__all__": "您的角色不能登记诉求"})
        if person is not None and not person.region_id.startswith(region_prefix_for(actor) or "-"):
            raise RequestError({"person": "不在您的辖区内"})
        if region is not None and not offices_for(actor).filter(pk=region.pk).exists():
            raise RequestError({"region": "请选择您辖区内的乡镇（街道）或县（市、区）"})
    else:
        if person is None and kind not in ANONYMOUS_KINDS:
            raise RequestError({"kind": "不登录只能咨询或提建议；求助、投诉请先登录，或拨打 12385"})
        if region is not None and region.level not in (Region.Level.COUNTY, Region.Level.TOWNSHIP):
            raise RequestError({"region": "请选择县（市、区）"})
    phone = mobile_number(contact_phone)
    if contact_phone.strip() and not phone:
        raise RequestError({"contact_phone": "手机号应为 11 位数字，以 1 开头"})
    problems = _check(
        channel=channel,
        kind=kind,
        category=category,
        description=description,
        contact_preference=contact_preference,
        phone=phone,
        region=region,
        person=person,
    )
    if problems:
        raise RequestError(problems)
    if not staff and person is None:
        _count_anonymous(ip_address)
    office = region if region is not None else office_for_person(person)  # type: ignore[arg-type]
    now = timezone.now()
    today = timezone.localdate(now)
    for attempt in range(5):  # two requests at the same moment: the second takes the next number
        try:
            with transaction.atomic():
                request = CitizenRequest.objects.create(
                    number=_next_number(today.year),
                    channel=channel,
                    kind=kind,
                    category=category,
                    description=description.strip(),
                    caller_name=caller_name.strip()[:64],
                    contact_preference=contact_preference,
                    contact_phone_encrypted=encrypt(phone) if phone else "",
                    contact_phone_masked=mask_phone(phone),
                    person=person,
                    region=office,
                    county_code=office.county_code,
                    office=office_name(office),
                    received_at=now,
                    received_on=today,
                    received_by_name=actor_name(actor)[:150],
                    due_on=due_date(kind, today),
                )
                _event(request, E.CREATE, actor, to_office=request.office)
                _audit(
                    request,
                    actor,
                    "create",
                    ip_address,
                    channel=channel,
                    kind=kind,
                    category=category,
                    person=person.pk if person else None,
                    due=request.due_on.isoformat(),
                )
            return request
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _staff_request(actor: Any, request: CitizenRequest) -> CitizenRequest:
    """The request again, under a row lock, if the actor may act on it (else Http404)."""
    locked = requests_for(actor).select_for_update().filter(pk=request.pk).first()
    if locked is None:
        raise Http404("未找到该诉求")
    return locked


def request_accept(*, actor: Any, request: CitizenRequest) -> CitizenRequest:
    """受理: the office takes the request on (待受理 → 办理中)."""
    with transaction.atomic():
        request = _staff_request(actor, request)
        if request.status != S.RECEIVED:
            raise RequestError({"__all__": "这件诉求已经受理过了"})
        request.status = S.HANDLING
        request.save(update_fields=["status"])
        _event(request, E.ACCEPT, actor)
        _audit(request, actor, "accept")
    return request


def request_route(*, actor: Any, request: CitizenRequest, region: Region, note: str = "") -> CitizenRequest:
    """转办: move an open request to another office; it waits there to be accepted. The due date
    stays (the citizen's deadline does not restart)."""
    with transaction.atomic():
        request = _staff_request(actor, request)
        if not request.is_open:
            raise RequestError({"__all__": "已答复或已办结的诉求不能转办"})
        if not route_targets(actor).filter(pk=region.pk).exists():
            raise RequestError({"region": "不能转到这个单位"})
        if region.pk == request.region_id:
            raise RequestError({"region": "已经在这个单位办理"})
        if not note.strip():
            raise RequestError({"note": "请写明转办原因"})
        before, before_code = request.office, request.region_id
        request.region = region
        request.county_code = region.county_code
        request.office = office_name(region)
        request.status = S.RECEIVED
        request.save(update_fields=["region", "county_code", "office", "status"])
        _event(request, E.ROUTE, actor, from_office=before, to_office=request.office, note=note.strip())
        _audit(request, actor, "route", from_region=before_code, to_region=region.pk, reason=note.strip())
    return request


def request_reply(*, actor: Any, request: CitizenRequest, reply: str) -> CitizenRequest:
    """答复: the office's answer, which the citizen reads in 我的 (status 已答复)."""
    if not reply.strip():
        raise RequestError({"reply": "请填写答复内容"})
    with transaction.atomic():
        request = _staff_request(actor, request)
        if not request.is_open:
            raise RequestError({"__all__": "这件诉求已经答复过了"})
        request.reply = reply.strip()
        request.replied_on = timezone.localdate()
        request.replied_by_name = actor_name(actor)[:150]
        request.status = S.REPLIED
        request.save(update_fields=["reply", "replied_on", "replied_by_name", "status"])
        _event(request, E.REPLY, actor, note=request.reply)
        on_time = request.replied_on <= request.due_on
        texting = request.contact_preference == R.Contact.SMS and bool(request.contact_phone_encrypted)
        _audit(request, actor, "reply", on_time=on_time, sms=texting)
        if texting:
            transaction.on_commit(partial(_send_reply, request.pk))
    return request


def _send_reply(request_id: int) -> None:
    """The reply by SMS (回复方式：短信), after the reply is saved. Without a sender configured the
    reply waits in 我的 (and staff can call); the failure is noted in the request's history."""
    request = CitizenRequest.objects.get(pk=request_id)
    text = f"【忻州市残联】您的诉求（编号 {request.number}）已答复：{request.reply[:300]}"
    try:
        sms.sender().send(sms.SmsMessage(phone=decrypt(request.contact_phone_encrypted), code="", text=text))
    except sms.SmsNotAvailable:
        _event(request, E.NOTIFY, "系统", note="短信未发出（未配置短信发送），请电话告知")
    else:
        _event(request, E.NOTIFY, "系统", note=f"答复已用短信发到 {request.contact_phone_masked}")


def request_close(*, actor: Any, request: CitizenRequest, note: str = "") -> CitizenRequest:
    """办结: a replied request is closed (the citizen can still rate it)."""
    with transaction.atomic():
        request = _staff_request(actor, request)
        if request.status != S.REPLIED:
            raise RequestError({"__all__": "先答复，才能办结"})
        request.status = S.CLOSED
        request.closed_at = timezone.now()
        request.closed_by_name = actor_name(actor)[:150]
        request.save(update_fields=["status", "closed_at", "closed_by_name"])
        _event(request, E.CLOSE, actor, note=note.strip())
        _audit(request, actor, "close")
    return request


def request_rate(
    *, person: Person, request_id: int, satisfaction: str, actor: str, ip_address: str = ""
) -> CitizenRequest:
    """The citizen's 满意度 on an answered request of their own (once); anybody else's is a 404."""
    if satisfaction not in CitizenRequest.Satisfaction.values:
        raise RequestError({"satisfaction": "请选择满意、基本满意或不满意"})
    with transaction.atomic():
        request = CitizenRequest.objects.select_for_update().filter(pk=request_id, person=person).first()
        if request is None:
            raise Http404("未找到该诉求")
        if request.status not in ANSWERED:
            raise RequestError({"satisfaction": "答复以后才能评价"})
        if request.satisfaction:
            raise RequestError({"satisfaction": "已经评价过了"})
        request.satisfaction = satisfaction
        request.rated_at = timezone.now()
        request.save(update_fields=["satisfaction", "rated_at"])
        _event(request, E.RATE, actor, note=request.get_satisfaction_display())
        _audit(request, actor, "rate", ip_address, satisfaction=satisfaction)
    return request


def requests_of_person(person: Person) -> QuerySet[CitizenRequest]:
    """我的诉求: the person's own requests, newest first."""
    return CitizenRequest.objects.filter(person=person).order_by("-received_at", "-id")
