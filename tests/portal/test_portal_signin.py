"""Citizen sign-in on the portal: the real-name pair, the SMS code, limits and lockout, the idle
time limit, agents recorded by staff, and the wall between citizen and staff sessions."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huican.core.models import AuditEntry
from huican.portal import agents, session, signin, sms
from huican.portal.models import Authorisation, OneTimeCode, SignInGuard
from huican.portal.sms import ConsoleSender
from tests.factories import World, id_number_of, make_id_number, make_person, make_user

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
AGENT_PHONE = "13698765432"
SIGNIN = reverse("portal:signin")
CODE = reverse("portal:signin_code")
ME = reverse("portal:me")


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    ConsoleSender.outbox.clear()


@pytest.fixture
def person() -> Any:
    return make_person(name="张三明", phone=PHONE, region_code="140902001001")


def cert_of(person: Any) -> str:
    return f"{id_number_of(person)}{person.category}{person.grade}"


def step1(client: Client, id_number: str, certificate: str, url: str = SIGNIN, **extra: Any) -> Any:
    return client.post(url, {"id_number": id_number, "certificate_number": certificate}, **extra)


def enter(client: Client, code: str, **extra: Any) -> Any:
    return client.post(CODE, {"code": code}, **extra)


def last_code(phone: str = PHONE) -> str:
    message = ConsoleSender.last_to(phone)
    assert message is not None, "no SMS was sent"
    return message.code


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def sign_in(client: Client, person: Any) -> Any:
    step1(client, id_number_of(person), cert_of(person))
    return enter(client, last_code())


def page(response: Any) -> str:
    return response.content.decode()


def test_right_pair_then_code_signs_in_and_shows_mine(client: Client, person: Any, capsys: Any) -> None:
    response = step1(client, id_number_of(person), cert_of(person))
    assert response.status_code == 302 and response["Location"] == CODE
    printed = capsys.readouterr().out
    code = last_code()
    assert re.fullmatch(r"\d{6}", code)
    assert f"【惠残演示】向 139****5678 发送验证码 {code}（演示环境：验证码只打印在此控制台）" in printed
    assert PHONE not in printed
    stored = OneTimeCode.objects.get(person=person)
    assert code not in stored.code_hash and stored.phone_masked == "139****5678"

    response = enter(client, code)
    assert response.status_code == 302 and response["Location"] == ME
    mine = client.get(ME)
    assert mine.status_code == 200 and "张三明" in page(mine) and "我的残疾人证" in page(mine)
    assert client.session[session.KEY]["person_id"] == person.pk
    assert "_auth_user_id" not in client.session  # never a Django login


def test_lower_case_x_and_full_width_digits_are_accepted(client: Client) -> None:
    number = "44011320141005001X"
    person = make_person(id_number=number, phone=PHONE, category=2, grade=3)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number.lower())
    step1(client, full_width, f" {number.lower()}23 ")
    assert enter(client, last_code())["Location"] == ME
    assert client.session[session.KEY]["person_id"] == person.pk


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_wrong_pair_reads_the_same_and_sends_nothing(client: Client, person: Any) -> None:
    right = step1(client, id_number_of(person), cert_of(person))
    right_page = _without_token(page(client.get(CODE)))
    assert len(ConsoleSender.outbox) == 1

    other = Client()
    # the same ID number with another grade: a certificate nobody holds
    wrong_pair = step1(other, id_number_of(person), f"{id_number_of(person)}{person.category}4")
    assert wrong_pair.status_code == right.status_code == 302 and wrong_pair["Location"] == CODE
    assert _without_token(page(other.get(CODE))) == right_page
    assert len(ConsoleSender.outbox) == 1  # nothing sent
    assert "139" not in right_page and "5678" not in right_page  # no phone digits, ever
    assert "如果您填写的信息正确，验证码已发送到您登记的手机" in right_page
    # and no code can sign the wrong pair in
    assert enter(other, last_code()).status_code == 400
    assert session.KEY not in other.session


def test_unregistered_person_and_person_without_phone_send_nothing(client: Client) -> None:
    nobody = make_id_number()
    assert step1(client, nobody, nobody + "41")["Location"] == CODE
    no_phone = make_person()
    assert step1(Client(), id_number_of(no_phone), cert_of(no_phone))["Location"] == CODE
    assert len(ConsoleSender.outbox) == 0


def test_malformed_numbers_are_explained_in_plain_words(client: Client, person: Any) -> None:
    response = step1(client, "12345", "abc")
    assert response.status_code == 400
    html = page(response)
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert "残疾人证号应为 20 位" in html
    other = make_id_number()
    mismatch = step1(client, id_number_of(person), other + "41")
    assert "残疾人证号的前 18 位应与身份证号相同" in page(mismatch)
    assert len(ConsoleSender.outbox) == 0


def test_wrong_codes_count_down_then_lock_with_the_time_and_the_hotline(client: Client, person: Any) -> None:
    step1(client, id_number_of(person), cert_of(person), REMOTE_ADDR="10.0.0.1")
    code = last_code()
    for left in (4, 3, 2, 1):
        response = enter(client, wrong(code), REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 400 and f"还可以再试 {left} 次" in page(response)
    locked = enter(client, wrong(code), REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    until = SignInGuard.objects.get(kind="id").locked_until
    assert until is not None and dt.timedelta(minutes=14) < until - timezone.now() <= dt.timedelta(minutes=15)
    html = page(locked)
    assert f"请在 {timezone.localtime(until):%H:%M} 以后再试" in html and "12385" in html
    # locked: even the right pair and the right code get nowhere, from another address too
    again = step1(Client(), id_number_of(person), cert_of(person), REMOTE_ADDR="10.0.0.2")
    assert again.status_code == 429
    assert AuditEntry.objects.filter(action="portal.lockout").count() == 1


def test_a_code_allows_five_tries_then_must_be_fetched_again(person: Any) -> None:
    started = signin.start(
        mode=signin.SELF, id_text=id_number_of(person), certificate_text=cert_of(person), ip=""
    )
    assert started.pending is not None
    code = last_code()
    record = OneTimeCode.objects.get()
    record.attempts = signin.CODE_TRIES
    record.save()
    result = signin.verify(pending=started.pending, code_text=code, ip="")
    assert result.person is None and result.restart


def test_code_expires_after_five_minutes(client: Client, person: Any) -> None:
    step1(client, id_number_of(person), cert_of(person))
    code = last_code()
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    pending = client.session[session.PENDING]
    s = client.session
    s[session.PENDING] = {**pending, "expires": time.time() - 1}
    s.save()
    response = enter(client, code)
    assert response.status_code == 400 and "验证码已过期" in page(response)
    assert session.KEY not in client.session


def test_code_works_once(client: Client, person: Any) -> None:
    started = signin.start(
        mode=signin.SELF, id_text=id_number_of(person), certificate_text=cert_of(person), ip=""
    )
    assert started.pending is not None
    code = last_code()
    first = signin.verify(pending=dict(started.pending), code_text=code, ip="")
    second = signin.verify(pending=dict(started.pending), code_text=code, ip="")
    assert first.person == person and second.person is None


def test_one_address_is_locked_after_five_failures_on_any_numbers(client: Client, person: Any) -> None:
    for _ in range(5):
        other = make_id_number()
        step1(client, other, other + "41", REMOTE_ADDR="10.9.9.9")
        enter(client, "000000", REMOTE_ADDR="10.9.9.9")
    response = step1(Client(), id_number_of(person), cert_of(person), REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert len(ConsoleSender.outbox) == 0
    # another address is not affected
    assert step1(Client(), id_number_of(person), cert_of(person), REMOTE_ADDR="10.9.9.10").status_code == 302


def test_a_citizen_session_opens_no_staff_page(client: Client, person: Any) -> None:
    world = World()
    sign_in(client, person)
    for path in (
        "/",
        "/monitoring/",
        "/benefits/",
        "/findings/",
        "/care/",
        f"/persons/{person.pk}/",
        f"/persons/{world.alice.pk}/",
        "/search/?q=张三明",
        "/audit/",
        reverse("portal:staff_agents", args=[person.pk]),
        "/api/v1/persons",
    ):
        response = client.get(path)
        assert response.status_code in (302, 401, 403, 404), path
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), path
        assert "张三明" not in page(response) and "测试甲" not in page(response), path


def test_a_staff_login_never_counts_as_a_citizen(client: Client, person: Any) -> None:
    world = World()
    client.force_login(world.users["county"])
    response = client.get(ME)
    assert response.status_code == 302 and response["Location"] == SIGNIN
    refused = client.get(SIGNIN)
    assert "请先退出工作人员账号" in page(refused) and 'name="id_number"' not in page(refused)
    assert client.post(SIGNIN, {"id_number": "x", "certificate_number": "y"}).status_code == 200
    assert session.PENDING not in client.session
    # nor does a citizen key left in a session that a staff member then logs into
    citizen = Client()
    sign_in(citizen, person)
    citizen.force_login(world.users["county"])
    assert citizen.get(ME).status_code == 302


def test_session_key_rotates_at_sign_in(client: Client, person: Any) -> None:
    step1(client, id_number_of(person), cert_of(person))
    before = client.session.session_key
    enter(client, last_code())
    assert client.session.session_key != before


def test_idle_timeout_ends_the_session_and_extending_keeps_it(client: Client, person: Any) -> None:
    sign_in(client, person)
    html = page(client.get(ME))
    assert "15 分钟没有操作会自动退出" in html and "继续使用" in html
    s = client.session
    s[session.KEY] = {**s[session.KEY], "last_seen": time.time() - 14 * 60}
    s.save()
    extended = client.post(reverse("portal:extend"), {"next": ME})
    assert extended.status_code == 302 and extended["Location"] == ME
    assert time.time() - client.session[session.KEY]["last_seen"] < 5
    assert client.get(ME).status_code == 200

    s = client.session
    s[session.KEY] = {**s[session.KEY], "last_seen": time.time() - 16 * 60}
    s.save()
    response = client.get(ME)
    assert response.status_code == 302 and response["Location"] == SIGNIN
    assert "已自动退出登录" in page(client.get(SIGNIN))
    assert AuditEntry.objects.filter(action="portal.signout_idle").exists()


def test_extend_goes_back_only_to_portal_pages(client: Client, person: Any) -> None:
    sign_in(client, person)
    for target in ("https://evil.example/", "//evil.example/", "/monitoring/"):
        assert client.post(reverse("portal:extend"), {"next": target})["Location"] == ME


def test_sign_out(client: Client, person: Any) -> None:
    sign_in(client, person)
    response = client.post(reverse("portal:signout"))
    assert response.status_code == 200 and "您已退出登录" in page(response)
    assert client.get(ME)["Location"] == SIGNIN
    assert AuditEntry.objects.filter(action="portal.signout").exists()


def _record_agent(world: World, person: Any, **changes: Any) -> Authorisation:
    values: dict[str, Any] = {
        "agent_name": "李四华",
        "agent_id_number": make_id_number("140902", dt.date(1975, 3, 3)),
        "agent_phone": AGENT_PHONE,
        "relation": Authorisation.Relation.GUARDIAN,
        "valid_from": timezone.localdate(),
        "note": "监护关系证明已核验",
    }
    values.update(changes)
    return agents.authorisation_record(actor=world.users["township"], person=person, **values)


def test_agent_signs_in_after_staff_record_and_is_refused_after_revocation(client: Client) -> None:
    world = World()
    person = world.alice
    agent_id = make_id_number("140902", dt.date(1975, 3, 3))
    # before anything is recorded: nothing is sent
    step1(client, agent_id, cert_of(person), reverse("portal:signin_agent"))
    assert len(ConsoleSender.outbox) == 0

    staff = Client()
    staff.force_login(world.users["township"])
    response = staff.post(
        reverse("portal:staff_agents", args=[person.pk]),
        {
            "agent_name": "李四华",
            "agent_id_number": agent_id,
            "agent_phone": AGENT_PHONE,
            "relation": "guardian",
            "valid_from": timezone.localdate().isoformat(),
            "note": "监护关系证明已核验",
        },
    )
    assert response.status_code == 302
    authorisation = Authorisation.objects.get(person=person)
    assert (
        authorisation.agent_phone_masked == "136****5432" and agent_id not in authorisation.agent_id_encrypted
    )

    agent = Client()
    step1(agent, agent_id, cert_of(person), reverse("portal:signin_agent"))
    assert enter(agent, last_code(AGENT_PHONE))["Location"] == ME
    mine = page(agent.get(ME))
    assert "李四华（监护人）正在代 测试甲 办理" in mine
    assert ConsoleSender.last_to("13812341234") is None  # the person's own phone got nothing

    revoke = staff.post(
        reverse("portal:staff_agent_revoke", args=[person.pk, authorisation.pk]), {"reason": "监护关系终止"}
    )
    assert revoke.status_code == 302
    assert agent.get(ME)["Location"] == SIGNIN  # the running session ends at once
    ConsoleSender.outbox.clear()
    step1(Client(), agent_id, cert_of(person), reverse("portal:signin_agent"))
    assert len(ConsoleSender.outbox) == 0
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"portal.authorisation_record", "portal.authorisation_revoke", "portal.agent_signin"} <= actions
    assert {"portal.agent_view", "portal.signout_revoked"} <= actions


def test_agent_authorisation_is_limited_to_its_dates(client: Client) -> None:
    world = World()
    today = timezone.localdate()
    agent_id = make_id_number("140902", dt.date(1976, 4, 4))
    _record_agent(
        world,
        world.alice,
        agent_id_number=agent_id,
        valid_from=today - dt.timedelta(days=30),
        valid_until=today - dt.timedelta(days=1),
    )
    step1(client, agent_id, cert_of(world.alice), reverse("portal:signin_agent"))
    assert len(ConsoleSender.outbox) == 0


def test_only_staff_who_may_edit_the_person_record_agents() -> None:
    world = World()
    with pytest.raises(agents.AuthorisationError):
        _record_agent(world, world.dave)  # 原平市: outside the township officer's region
    staff = Client()
    staff.force_login(world.users["township"])
    assert staff.get(reverse("portal:staff_agents", args=[world.dave.pk])).status_code == 404
    evaluator = Client()
    evaluator.force_login(world.users["evaluator"])
    assert evaluator.get(reverse("portal:staff_agents", args=[world.alice.pk])).status_code in (403, 404)
    anonymous = Client().get(reverse("portal:staff_agents", args=[world.alice.pk]))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_audit_entries_never_hold_a_full_id_number(client: Client, person: Any) -> None:
    step1(client, id_number_of(person), cert_of(person), REMOTE_ADDR="10.1.1.1")
    code = last_code()
    enter(client, wrong(code), REMOTE_ADDR="10.1.1.1")
    enter(client, code, REMOTE_ADDR="10.1.1.1")
    nobody = make_id_number()
    step1(Client(), nobody, nobody + "41")
    entries = list(AuditEntry.objects.filter(action__startswith="portal."))
    actions = {e.action for e in entries}
    assert {
        "portal.signin_code",
        "portal.signin_failed",
        "portal.signin",
        "portal.signin_no_match",
    } <= actions
    signed = next(e for e in entries if e.action == "portal.signin")
    assert signed.actor_name == "群众:张*明" and signed.object_id == str(person.pk)
    for entry in entries:
        text = f"{entry.actor_name} {entry.reason} {entry.detail}"
        for number in (id_number_of(person), nobody, PHONE):
            assert number not in text, entry.action


def test_console_sender_is_refused_in_production(settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        sms.check_setting(sms.CONSOLE_SENDER, production=True)
    settings.PRODUCTION = True
    settings.HUICAN_SMS_SENDER = sms.CONSOLE_SENDER
    with pytest.raises(sms.SmsNotAvailable):
        sms.sender()


@pytest.mark.parametrize("sender", [sms.CONSOLE_SENDER, ""])
def test_production_refuses_to_start_with_the_console_sender(tmp_path: Any, sender: str) -> None:
    secrets = {}
    for name in ("SECRET_KEY", "DATA_KEY", "HMAC_KEY", "AUDIT_KEY", "CERT_SIGNING_KEY"):
        (tmp_path / name).write_text(f"{name}-value-from-a-file-0123456789\n")
        secrets[f"HUICAN_{name}_FILE"] = str(tmp_path / name)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUICAN_")}
    env = {**clean, **secrets, "HUICAN_ENV": "production", "HUICAN_ALLOWED_HOSTS": "huican.example.cn"}
    if sender:
        env["HUICAN_SMS_SENDER"] = sender
    result = subprocess.run(
        [sys.executable, "-c", "import huican.settings as s; print(repr(s.HUICAN_SMS_SENDER))"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if sender:
        assert result.returncode != 0 and "HUICAN_SMS_SENDER" in result.stderr
    else:  # nothing configured: production starts, with citizen sign-in switched off
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "''"


def test_without_a_sender_sign_in_says_it_is_unavailable(client: Client, person: Any, settings: Any) -> None:
    settings.HUICAN_SMS_SENDER = ""
    response = step1(client, id_number_of(person), cert_of(person))
    assert response.status_code == 503 and "12385" in page(response)


def test_staff_user_factory_is_not_a_citizen(client: Client) -> None:
    user = make_user()
    client.force_login(user)
    assert session.KEY not in client.session


def test_first_steps_from_one_address_are_limited_matched_or_not(
    client: Client, person: Any, settings: Any
) -> None:
    settings.HUICAN_PORTAL_STARTS_PER_ADDRESS = 3
    for _ in range(3):
        other = make_id_number()
        assert step1(Client(), other, other + "41", REMOTE_ADDR="10.7.7.7").status_code == 302
    refused = step1(client, id_number_of(person), cert_of(person), REMOTE_ADDR="10.7.7.7")
    assert refused.status_code == 429 and "以后再试" in page(refused)
    assert len(ConsoleSender.outbox) == 0
