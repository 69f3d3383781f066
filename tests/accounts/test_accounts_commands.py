"""`huican users create`, user creation rules, and the demo accounts."""

from __future__ import annotations

import argparse

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password

from huican.accounts.commands import run_users
from huican.accounts.models import Role, User
from huican.accounts.services import DEMO_ACCOUNTS, AccountError, ensure_demo_accounts, user_create
from huican.cli import UsageError
from huican.core.models import AuditEntry
from tests.factories import make_region

pytestmark = pytest.mark.django_db


def args(username: str, role: str, region: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(
        users_command="create", username=username, role=role, region=region, password_env="TEST_NEW_PASSWORD"
    )


def test_users_create_reads_the_password_from_the_environment(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TEST_NEW_PASSWORD", "Xinzhou#Staff2025")
    assert run_users(args("wang", "county_staff", "140981")) == 0
    user = User.objects.get(username="wang")
    assert user.role == Role.COUNTY_STAFF and user.region_id == "140981"
    assert user.check_password("Xinzhou#Staff2025")
    assert "已创建用户 wang" in capsys.readouterr().out
    entry = AuditEntry.objects.get(action="accounts.user_create")
    assert entry.actor_name == "cli" and "Xinzhou" not in str(entry.detail)


@pytest.mark.parametrize(
    ("role", "region", "password", "message"),
    [
        ("county_staff", "140902", None, "环境变量"),
        ("county_staff", "140902", "short", "密码太短，至少需要 12 个字符"),
        ("county_staff", "140902", "1234567890123", "不能全是数字"),
        ("county_staff", "140902", "Password123", "过于常见"),
        ("county_staff", "140902", "alllowercaseletters", "至少三类"),
        ("mayor", "140902", "Xinzhou#Staff2025", "未知角色"),
        ("county_staff", "999999", "Xinzhou#Staff2025", "区划代码不存在"),
        ("county_staff", "140900", "Xinzhou#Staff2025", "县（市、区）级"),
        ("county_staff", None, "Xinzhou#Staff2025", "需要指定所属区划"),
        ("audit_admin", "140902", "Xinzhou#Staff2025", "管理员角色不对应区划"),
    ],
)
def test_users_create_refuses_bad_input(monkeypatch, role, region, password, message) -> None:  # type: ignore[no-untyped-def]
    if password is None:
        monkeypatch.delenv("TEST_NEW_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("TEST_NEW_PASSWORD", password)
    with pytest.raises(UsageError, match=message):
        run_users(args("li", role, region))
    assert not User.objects.filter(username="li").exists()


def test_duplicate_username_is_refused() -> None:
    user_create(actor="cli", username="zhao", password="Xinzhou#Staff2025", role="evaluator")
    with pytest.raises(AccountError, match="已存在"):
        user_create(actor="cli", username="zhao", password="Xinzhou#Staff2025", role="evaluator")


def test_city_roles_default_to_the_city() -> None:
    user = user_create(actor="cli", username="pg", password="Xinzhou#Staff2025", role="evaluator")
    assert user.region_id == "140900"


def test_only_staff_may_view_full() -> None:
    user = user_create(
        actor="cli", username="ev", password="Xinzhou#Staff2025", role="evaluator", may_view_full=True
    )
    assert user.may_view_full is False


def test_demo_accounts_without_a_township(settings) -> None:  # type: ignore[no-untyped-def]
    accounts = ensure_demo_accounts()
    roles = [role for _, _, role, _ in accounts]
    assert len(accounts) == len(DEMO_ACCOUNTS) - 1 and Role.TOWNSHIP_STAFF.label not in roles


def test_demo_accounts_one_per_role_with_working_policy_passwords() -> None:
    make_region("140902001", "虚拟乡001")
    make_region("140902003")
    accounts = ensure_demo_accounts()
    assert {role for _, _, role, _ in accounts} == set(Role.labels)
    for username, password, _, _ in accounts:
        user = User.objects.get(username=username)
        validate_password(password, user)
        assert authenticate(username=username, password=password) == user
    township = User.objects.get(role=Role.TOWNSHIP_STAFF)
    assert township.region_id == "140902001"
    officer = User.objects.get(role=Role.DEPARTMENT_OFFICER)
    assert officer.department == "民政"
    assert set(officer.import_kinds) == {
        "dibao",
        "tekun",
        "orphan",
        "elderly_care",
        "subsidy_recipients",
        "deaths",
    }
    # A second run (demo restarted) keeps the same users and resets their passwords and lockouts.
    User.objects.filter(username=username).update(failed_logins=9)
    again = ensure_demo_accounts()
    assert again == accounts
    assert User.objects.count() == len(accounts)
    assert User.objects.get(username=username).failed_logins == 0
