"""The life cycle of an account (issue 10, point 7): passwords, forced change, switching off,
per-address throttling, a lockout message that tells nothing, API token expiry and revocation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huican.accounts.models import Role, User
from huican.accounts.services import AccountError, password_change, password_set_by_admin, user_set_active
from huican.api import api_token_create
from huican.core.models import ApiToken, AuditEntry
from tests.factories import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------
# Password rules


@pytest.mark.parametrize("password", ["Xz#1short", "Abcdef#1234", "Xinzhou#2026"[:11]])
def test_short_or_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, User(username="wangwu"))


@pytest.mark.parametrize("password", ["qwertyuiop123", "1q2w3e4r5t6y", "password1234"])
def test_common_passwords_of_twelve_characters_are_refused(password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, User(username="wangwu"))
    assert "password_too_common" in {e.code for e in caught.value.error_list}


def test_the_users_name_is_refused() -> None:
    user = User(username="zhangsanfeng", first_name="Zhangsanfeng")
    with pytest.raises(ValidationError) as caught:
        validate_password("Zhangsanfeng1!", user)
    assert "password_too_similar" in {e.code for e in caught.value.error_list}


def test_twelve_characters_mixed_or_a_passphrase_pass() -> None:
    user = User(username="wangwu")
    validate_password("Xinzhou#2026a", user)
    validate_password("yellow river winter plum", user)  # a passphrase need not mix classes
    with pytest.raises(ValidationError):
        validate_password("yellowriverwinterplum", user)  # one word, one class


# --------------------------------------------------------------------------------------------
# Changing one's password; the forced change after an administrator set it


def test_change_own_password(world: World, client: Client) -> None:
    user = world.users["county"]
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password": "Fresh#Passw0rd26", "new_password2": "Fresh#Passw0rd26"},
    )
    assert response.status_code == 400 and "当前密码不正确" in response.content.decode()
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": "Fresh#Passw0rd26", "new_password2": "Fresh#Passw0rd26"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Fresh#Passw0rd26")
    assert client.get(reverse("registry:home")).status_code == 200  # still signed in
    assert AuditEntry.objects.filter(action="accounts.password_change", actor_name=user.username).exists()
    with pytest.raises(AccountError, match="密码不符合要求"):
        password_change(user=user, old_password="Fresh#Passw0rd26", new_password="short")


def test_a_password_set_by_the_administrator_must_be_changed_first(world: World, client: Client) -> None:
    township = world.users["township"]
    assert (
        password_set_by_admin(actor=world.users["system"], user=township, password="Temp#Passw0rd26") is None
    )
    client.post(reverse("accounts:login"), {"username": township.username, "password": "Temp#Passw0rd26"})
    for path in ("/", "/search/?q=测试", "/findings/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == reverse("accounts:password_change"), path
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "请先设置您自己的密码" in page
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Temp#Passw0rd26",
            "new_password": "Mine#Passw0rd26",
            "new_password2": "Mine#Passw0rd26",
        },
    )
    assert client.get("/").status_code == 200


def test_the_system_administrator_sets_a_password_on_the_web(world: World, client: Client) -> None:
    client.force_login(world.users["system"])
    township = world.users["township"]
    url = reverse("accounts:user_password", args=[township.pk])
    assert client.post(url, {"password": "short"}).status_code == 400
    assert client.post(url, {"password": "Temp#Passw0rd26"}).status_code == 302
    township.refresh_from_db()
    assert township.check_password("Temp#Passw0rd26") and township.must_change_password


# --------------------------------------------------------------------------------------------
# Switching an account off


def test_switching_off_ends_logins_and_tokens(world: World, client: Client) -> None:
    township = world.users["township"]
    _token, key = api_token_create(user=township, name="对接")
    client.force_login(world.users["system"])
    response = client.post(reverse("accounts:user_active", args=[township.pk]), {"active": "0"})
    assert response.status_code == 302
    township.refresh_from_db()
    assert not township.is_active
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": township.username, "password": PASSWORD})
        .status_code
        == 200
    )
    assert Client().get("/api/v1/findings", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    # An ordinary account comes back at once.
    client.post(reverse("accounts:user_active", args=[township.pk]), {"active": "1"})
    township.refresh_from_db()
    assert township.is_active
    with pytest.raises(AccountError, match="自己"):
        user_set_active(actor=world.users["system"], user=world.users["system"], active=False)


# --------------------------------------------------------------------------------------------
# Login throttling and the lockout message


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> str:
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )
    return response.content.decode()


def _errors(html: str) -> str:
    return (
        html.split('class="form-errors"', 1)[1].split("</div>", 1)[0] if 'class="form-errors"' in html else ""
    )


def test_the_lockout_message_does_not_tell_whether_the_account_exists(settings, client: Client) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_LOCKOUT_FAILURES = 3
    make_user(Role.COUNTY_STAFF, "140902", username="cunzai")
    seen_known, seen_unknown = [], []
    for _ in range(5):
        seen_known.append(_errors(_login(client, "cunzai", "Wrong#Passw0rd1")))
        seen_unknown.append(_errors(_login(client, "bucunzai", "Wrong#Passw0rd1")))
    assert User.objects.get(username="cunzai").locked_until is not None  # the account is locked…
    assert seen_known == seen_unknown  # …and the pages say the same as for a name that does not exist
    # Even the right password on a locked account gets the very same answer.
    assert _errors(_login(client, "cunzai", PASSWORD)) == seen_unknown[-1]


def test_one_address_is_throttled_across_accounts(settings, client: Client) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_LOGIN_IP_FAILURES = 4
    settings.HUICAN_LOCKOUT_FAILURES = 100
    make_user(Role.COUNTY_STAFF, "140902", username="mubiao")
    for number in range(4):
        _login(client, f"guess{number}", "Wrong#Passw0rd1", ip="10.9.9.9")
    html = _login(client, "mubiao", PASSWORD, ip="10.9.9.9")
    assert "登录失败的次数过多" in html
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login.ip_throttled", ip_address="10.9.9.9").exists()
    # Another address is not affected, and the account itself is not locked.
    other = Client()
    response = other.post(
        reverse("accounts:login"), {"username": "mubiao", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302


def test_the_throttle_forgets_old_failures(settings) -> None:  # type: ignore[no-untyped-def]
    from huican.accounts.models import LoginFailure
    from huican.accounts.services import ip_throttled

    settings.HUICAN_LOGIN_IP_FAILURES = 2
    old = timezone.now() - dt.timedelta(minutes=settings.HUICAN_LOGIN_IP_WINDOW_MINUTES + 1)
    LoginFailure.objects.bulk_create([LoginFailure(ip_address="10.2.2.2", at=old) for _ in range(5)])
    assert not ip_throttled("10.2.2.2")
    LoginFailure.objects.bulk_create(
        [LoginFailure(ip_address="10.2.2.2", at=timezone.now()) for _ in range(2)]
    )
    assert ip_throttled("10.2.2.2")


# --------------------------------------------------------------------------------------------
# API tokens: expiry and revocation


def test_an_expired_token_is_refused(settings, world: World, client: Client) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_API_TOKEN_DAYS = 30
    token, key = api_token_create(user=world.users["county"], name="对接")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/findings", **auth).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=30, minutes=1))
    assert client.get("/api/v1/findings", **auth).status_code == 401
    client.force_login(world.users["county"])
    page = client.get(reverse("api_tokens")).content.decode()
    assert "已过期" in page and "30 天" in page


def test_a_revoked_token_is_refused(world: World, client: Client) -> None:
    token, key = api_token_create(user=world.users["county"], name="对接")
    client.force_login(world.users["county"])
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    assert Client().get("/api/v1/findings", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
