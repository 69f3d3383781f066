"""Citizen sign-in (群众登录) with a real-name check: ID number + certificate number, then a 6-digit
code sent to the phone on record. A guardian or agent whom staff recorded (``Authorisation``) signs
in with their own ID number + the represented person's certificate number, and the code goes to the
agent's phone.

The first step answers the same whether or not the pair matched (and never shows phone digits), so
the page cannot be used to find out who is registered. Wrong codes count against the typed ID
number and against the client address: at ``HUICAN_PORTAL_LOCK_FAILURES`` failures within
``HUICAN_PORTAL_LOCK_MINUTES`` the key is locked for that many minutes. First steps are counted
per address too (``HUICAN_PORTAL_STARTS_PER_ADDRESS`` in the same window), matched or not, so the
page cannot be used to try pairs, send codes or fill the audit log in bulk. A code is kept only as a
keyed hash, lives 5 minutes, allows 5 tries and works once. Everything is audited under a masked
name ("群众:张*明"), never with a full ID number.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huican.benefits.letters import mask_name
from huican.core.audit import audit_record
from huican.core.crypto import blind_index, decrypt, mask_id_number, phone_digits
from huican.core.idnumbers import check_id_number, parse_certificate_number
from huican.portal import sms
from huican.portal.models import Authorisation, OneTimeCode, PortalVisit, SignInGuard
from huican.registry.models import Person
from huican.registry.selectors import normalise_query

SELF = "self"
AGENT = "agent"
CODE_MINUTES = 5
CODE_TRIES = 5
RESEND_SECONDS = 60  # a new code at most once a minute per person…
CODES_PER_HOUR = 5  # …and five an hour: the sign-in page cannot be used to flood a phone


@dataclass
class Started:
    """The first step's answer: form problems, a lock, or the pending sign-in for the session."""

    problems: dict[str, str] = field(default_factory=dict)
    locked_until: dt.datetime | None = None
    pending: dict[str, Any] | None = None


@dataclass
class Verified:
    """The second step's answer: the signed-in person (and agent), or why not."""

    person: Person | None = None
    authorisation: Authorisation | None = None
    previous_visit: dt.datetime | None = None
    problem: str = ""
    locked_until: dt.datetime | None = None
    restart: bool = False  # the code is spent or expired: get a new one


def citizen_name(person: Person, authorisation: Authorisation | None = None) -> str:
    """The audit log's actor for a citizen: masked names, never an ID number."""
    if authorisation is not None:
        return f"{authorisation.get_relation_display()}:{mask_name(authorisation.agent_name)}（代 {mask_name(person.name)}）"
    return f"群众:{mask_name(person.name)}"


def _guard_keys(id_key: str, ip: str) -> list[tuple[str, str]]:
    keys = [(SignInGuard.Kind.ID_NUMBER.value, id_key)]
    if ip:
        keys.append((SignInGuard.Kind.ADDRESS.value, blind_index(f"portal-signin|ip|{ip}")))
    return keys


def id_key_of(id_number: str) -> str:
    """The keyed hash a guard counts an ID number's failures under (not the registry's id_hash)."""
    return blind_index(f"portal-signin|id|{id_number}")


def locked_until(keys: list[tuple[str, str]], now: dt.datetime) -> dt.datetime | None:
    query = Q()
    for kind, key in keys:
        query |= Q(kind=kind, key_hash=key)
    until = [
        t
        for t in SignInGuard.objects.filter(query, locked_until__gt=now).values_list(
            "locked_until", flat=True
        )
        if t is not None
    ]
    return max(until) if until else None


def _start_key(ip: str) -> list[tuple[str, str]]:
    """The counter of first steps from one address (matched or not: it says nothing about a pair)."""
    return [(SignInGuard.Kind.ADDRESS.value, blind_index(f"portal-start|ip|{ip}"))] if ip else []


def _count_failure(
    keys: list[tuple[str, str]], now: dt.datetime, limit: int | None = None
) -> dt.datetime | None:
    """One more failure for each key; the time a key is now locked until, if one reached the limit."""
    limit = limit or settings.HUICAN_PORTAL_LOCK_FAILURES
    window = dt.timedelta(minutes=settings.HUICAN_PORTAL_LOCK_MINUTES)
    locked: dt.datetime | None = None
    for kind, key in keys:
        guard, _ = SignInGuard.objects.select_for_update().get_or_create(
            kind=kind, key_hash=key, defaults={"window_start": now}
        )
        if now - guard.window_start > window:
            guard.failures, guard.window_start = 0, now
        guard.failures += 1
        if guard.failures >= limit:
            guard.failures, guard.window_start, guard.locked_until = 0, now, now + window
            locked = max(locked, guard.locked_until) if locked else guard.locked_until
        guard.save(update_fields=["failures", "window_start", "locked_until"])
    return locked


def mobile_number(value: str) -> str:
    digits = phone_digits(value)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) == 11 and digits.startswith("1") else ""


def _living(id_number: str, category: int, grade: int) -> Person | None:
    return (
        Person.objects.filter(id_hash=blind_index(id_number), category=category, grade=grade)
        .exclude(status=Person.Status.DEAD)
        .first()
    )


def active_authorisations(person: Person, on: dt.date) -> Any:
    return Authorisation.objects.filter(person=person, revoked_at__isnull=True, valid_from__lte=on).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )


def _match(
    mode: str, id_number: str, certificate: tuple[str, int, int], on: dt.date
) -> tuple[Person, Authorisation | None, str] | None:
    """(person, authorisation, phone) when the pair identifies somebody with a phone to send to."""
    person = _living(*certificate)
    if person is None:
        return None
    if mode == SELF:
        phone = mobile_number(decrypt(person.phone_encrypted))
        return (person, None, phone) if phone else None
    authorisation = (
        active_authorisations(person, on).filter(agent_id_hash=blind_index(id_number)).order_by("-id").first()
    )
    if authorisation is None:
        return None
    phone = mobile_number(decrypt(authorisation.agent_phone_encrypted))
    return (person, authorisation, phone) if phone else None


def check_pair(mode: str, id_text: str, certificate_text: str) -> tuple[dict[str, str], str, Any]:
    """Only the shape of what was typed (nothing about the registry): problems, ID, parsed certificate."""
    id_number, certificate = normalise_query(id_text), normalise_query(certificate_text)
    problems: dict[str, str] = {}
    problem = check_id_number(id_number) if id_number else "请填写身份证号"
    if problem:
        problems["id_number"] = problem
    parsed = parse_certificate_number(certificate) if certificate else None
    if not certificate:
        problems["certificate_number"] = "请填写残疾人证号"
    elif parsed is None:
        problems["certificate_number"] = (
            "残疾人证号应为 20 位：身份证号 18 位，后面是残疾类别和等级各 1 位数字"
        )
    elif check_id_number(parsed[0]):
        problems["certificate_number"] = "残疾人证号的前 18 位不是有效的身份证号，请核对"
    elif mode == SELF and not problem and parsed[0] != id_number:
        problems["certificate_number"] = "残疾人证号的前 18 位应与身份证号相同，请核对"
    return problems, id_number, parsed


def _send_new_code(
    person: Person, authorisation: Authorisation | None, phone: str, now: dt.datetime
) -> int | None:
    """A new code to `phone`, unless a still usable one went out in the last minute, or five went out
    in the last hour (then the newest usable one stands, if any). Returns the id of the code the
    session waits for."""
    recent = OneTimeCode.objects.filter(
        person=person, authorisation=authorisation, created_at__gt=now - dt.timedelta(hours=1)
    )
    waiting = recent.filter(used_at__isnull=True, expires_at__gt=now, attempts__lt=CODE_TRIES)
    newest = waiting.order_by("-created_at").first()
    if newest is not None and newest.created_at > now - dt.timedelta(seconds=RESEND_SECONDS):
        return newest.pk
    if recent.count() >= CODES_PER_HOUR:
        return newest.pk if newest is not None else None
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    record = OneTimeCode.objects.create(
        person=person,
        authorisation=authorisation,
        purpose=OneTimeCode.Purpose.AGENT if authorisation else OneTimeCode.Purpose.SIGNIN,
        salt=salt,
        code_hash=blind_index(f"portal-code|{salt}|{code}"),
        phone_masked=phone[:3] + "****" + phone[-4:],
        created_at=now,
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
    )
    sms.send_code(phone=phone, code=code)
    return record.pk


def start(
    *, mode: str, id_text: str, certificate_text: str, ip: str, now: dt.datetime | None = None
) -> Started:
    """Step 1: check the shape, the lock, then (silently) the pair; send a code when it matches."""
    now = now or timezone.now()
    problems, id_number, certificate = check_pair(mode, id_text, certificate_text)
    if problems:
        return Started(problems=problems)
    id_key = id_key_of(id_number)
    until = locked_until(_guard_keys(id_key, ip) + _start_key(ip), now)
    masked = mask_id_number(id_number)
    if until is not None:
        audit_record(
            actor="群众:（未登录）",
            action="portal.signin_locked",
            object_type="portal.SignIn",
            detail={"id": masked, "mode": mode, "until": until.isoformat()},
            ip_address=ip,
        )
        return Started(locked_until=until)
    sms.sender()  # no sender configured: say so before anything else (SmsNotAvailable)
    code_id: int | None = None
    with transaction.atomic():
        _count_failure(_start_key(ip), now, limit=settings.HUICAN_PORTAL_STARTS_PER_ADDRESS)
        found = _match(mode, id_number, certificate, timezone.localdate(now))
        if found is not None:
            person, authorisation, phone = found
            code_id = _send_new_code(person, authorisation, phone, now)
            audit_record(
                actor=citizen_name(person, authorisation),
                action="portal.signin_code",
                object_type="registry.Person",
                object_id=person.pk,
                region_code=person.region_id,
                detail={
                    "id": masked,
                    "mode": mode,
                    "authorisation": authorisation.pk if authorisation else None,
                },
                ip_address=ip,
            )
        else:
            audit_record(
                actor="群众:（未登录）",
                action="portal.signin_no_match",
                object_type="portal.SignIn",
                detail={"id": masked, "mode": mode},
                ip_address=ip,
            )
    pending = {
        "mode": mode,
        "id_key": id_key,
        "id_masked": masked,
        "code_id": code_id,
        "expires": (now + dt.timedelta(minutes=CODE_MINUTES)).timestamp(),
        "tries": 0,
    }
    return Started(pending=pending)


def _code_digits(text: str) -> str:
    return "".join(ch for ch in normalise_query(text) if ch.isdigit())


def verify(*, pending: dict[str, Any], code_text: str, ip: str, now: dt.datetime | None = None) -> Verified:
    """Step 2: the code. Whether or not step 1 matched, a wrong code is counted the same way."""
    now = now or timezone.now()
    keys = _guard_keys(str(pending.get("id_key", "")), ip)
    until = locked_until(keys, now)
    if until is not None:
        return Verified(locked_until=until)
    code = _code_digits(code_text)
    if len(code) != 6:
        return Verified(problem="请填写短信里的 6 位数字验证码")
    if now.timestamp() > float(pending.get("expires", 0)):
        return Verified(problem="验证码已过期（5 分钟内有效），请重新获取", restart=True)
    with transaction.atomic():
        record = None
        if pending.get("code_id"):
            record = OneTimeCode.objects.select_for_update().filter(pk=pending["code_id"]).first()
        tries = max(int(pending.get("tries", 0)), record.attempts if record else 0)
        if tries >= CODE_TRIES or (record is not None and record.used_at is not None):
            return Verified(problem="这个验证码已经失效，请重新获取", restart=True)
        if record is not None and now > record.expires_at:
            return Verified(problem="验证码已过期（5 分钟内有效），请重新获取", restart=True)
        right = record is not None and secrets.compare_digest(
            record.code_hash, blind_index(f"portal-code|{record.salt}|{code}")
        )
        if not right:
            pending["tries"] = tries + 1
            if record is not None:
                record.attempts = tries + 1
                record.save(update_fields=["attempts"])
            until = _count_failure(keys, now)
            audit_record(
                actor=citizen_name(record.person, record.authorisation) if record else "群众:（未登录）",
                action="portal.signin_failed",
                object_type="portal.SignIn",
                detail={
                    "id": pending.get("id_masked", ""),
                    "mode": pending.get("mode", ""),
                    "tries": tries + 1,
                },
                ip_address=ip,
            )
            if until is not None:
                audit_record(
                    actor="群众:（未登录）",
                    action="portal.lockout",
                    object_type="portal.SignIn",
                    detail={"id": pending.get("id_masked", ""), "until": until.isoformat()},
                    ip_address=ip,
                )
                return Verified(locked_until=until)
            left = CODE_TRIES - tries - 1
            if left <= 0:
                return Verified(problem="验证码输错了 5 次，已经失效，请重新获取", restart=True)
            return Verified(problem=f"验证码不正确，还可以再试 {left} 次")
        assert record is not None
        record.used_at = now
        record.save(update_fields=["used_at"])
        SignInGuard.objects.filter(
            kind=SignInGuard.Kind.ID_NUMBER, key_hash=pending.get("id_key", "")
        ).delete()
        person, authorisation = record.person, record.authorisation
        if authorisation is not None and not authorisation.active_on(timezone.localdate(now)):
            return Verified(problem="代办授权已失效，请联系乡镇（街道）残联", restart=True)
        visit = PortalVisit.objects.filter(person=person).first()
        previous = visit.signed_in_at if visit else None
        PortalVisit.objects.update_or_create(person=person, defaults={"signed_in_at": now})
        audit_record(
            actor=citizen_name(person, authorisation),
            action="portal.agent_signin" if authorisation else "portal.signin",
            object_type="registry.Person",
            object_id=person.pk,
            region_code=person.region_id,
            detail={
                "id": pending.get("id_masked", ""),
                "authorisation": authorisation.pk if authorisation else None,
            },
            ip_address=ip,
        )
    return Verified(person=person, authorisation=authorisation, previous_visit=previous)
