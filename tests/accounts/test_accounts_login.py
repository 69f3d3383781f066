"""Login security: messages in Chinese, lockout, idle timeout, logout by POST, audit of each."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huican.accounts.models import User
from huican.core.models import AuditEntry
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db


def post_login(client: Client, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def test_login_page_is_chinese_with_csrf(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert "用户名" in html and "密码" in html and "csrfmiddlewaretoken" in html
    assert 'href="#main"' in html and 'id="main"' in html


def test_login_succeeds_and_is_audited(world: World, client: Client) -> None:
    response = post_login(client, "t_county", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("registry:home")
    entry = AuditEntry.objects.filter(action="login.success").latest("sequence")
    assert entry.actor_name == "t_county"
    home = client.get(reverse("registry:home")).content.decode()
    assert "t_county" in home and "县残联工作人员" in home and "忻府区" in home


def test_login_follows_only_local_next(world: World, client: Client) -> None:
    local = post_login(client, "t_county", PASSWORD, next="/search/")
    assert local["Location"] == "/search/"
    client.logout()
    evil = post_login(client, "t_county", PASSWORD, next="https://evil.example/")
    assert evil["Location"] == reverse("registry:home")


def test_wrong_password_is_a_chinese_message_and_audited(world: World, client: Client) -> None:
    response = post_login(client, "t_county", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    entry = AuditEntry.objects.filter(action="login.failure").latest("sequence")
    assert entry.detail == {"username": "t_county", "known_user": True}
    post_login(client, "nobody", "wrong")
    entry = AuditEntry.objects.filter(action="login.failure").latest("sequence")
    assert entry.detail == {"username": "nobody", "known_user": False}


def test_lockout_after_repeated_failures(world: World, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_LOCKOUT_FAILURES = 3
    settings.HUICAN_LOCKOUT_MINUTES = 15
    for _ in range(2):
        post_login(client, "t_county", "wrong")
    user = User.objects.get(username="t_county")
    assert user.failed_logins == 2 and user.locked_until is None
    third = post_login(client, "t_county", "wrong")
    assert "已被锁定" in third.content.decode()
    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > timezone.now() + dt.timedelta(minutes=14)
    assert AuditEntry.objects.filter(action="login.lockout", object_id=str(user.pk)).count() == 1
    # Even the right password is refused while locked.
    refused = post_login(client, "t_county", PASSWORD)
    assert refused.status_code == 200 and "已被锁定" in refused.content.decode()
    assert AuditEntry.objects.filter(action="login.locked").count() == 1
    # After the lock expires the right password works and resets the counter.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert post_login(client, "t_county", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.failed_logins == 0 and user.locked_until is None


def test_security_admin_unlocks(world: World, client: Client) -> None:
    user = world.users["county"]
    User.objects.filter(pk=user.pk).update(
        failed_logins=5, locked_until=timezone.now() + dt.timedelta(minutes=10)
    )
    client.force_login(world.users["security"])
    page = client.get(reverse("accounts:security")).content.decode()
    assert "t_county" in page
    response = client.post(reverse("accounts:unlock", args=[user.pk]))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.locked_until is None and user.failed_logins == 0
    assert AuditEntry.objects.filter(action="accounts.unlock", object_id=str(user.pk)).exists()


def test_idle_session_is_logged_out(world: World, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_IDLE_TIMEOUT_SECONDS = 60
    client.force_login(world.users["county"])
    assert client.get(reverse("registry:home")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 61
    session.save()
    response = client.get(reverse("registry:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert AuditEntry.objects.filter(action="logout.idle", actor_name="t_county").exists()
    login_page = client.get(response["Location"]).content.decode()
    assert "自动退出" in login_page


def test_active_session_stays(world: World, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_IDLE_TIMEOUT_SECONDS = 60
    client.force_login(world.users["county"])
    client.get(reverse("registry:home"))
    session = client.session
    session["last_seen"] = int(time.time()) - 30
    session.save()
    assert client.get(reverse("registry:home")).status_code == 200


def test_logout_needs_post(world: World, client: Client) -> None:
    client.force_login(world.users["county"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("registry:home")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("registry:home")).status_code == 302
    assert AuditEntry.objects.filter(action="logout", actor_name="t_county").exists()


def test_csrf_is_enforced_on_login(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "t_county", "password": PASSWORD})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()  # templates/403_csrf.html, in Chinese


def test_production_hasher_is_argon2() -> None:
    from huican import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
