"""Writes about users: login outcomes and lockout, creating users, unlocking, demo accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from huican.accounts.access import IMPORT_KINDS
from huican.accounts.models import Role, User
from huican.core.audit import audit_record
from huican.regions.divisions import CITY_CODE
from huican.regions.models import Region

# Roles whose region defaults to the whole city when none is given.
CITY_DEFAULT_ROLES = frozenset({Role.CITY_STAFF, Role.DEPARTMENT_OFFICER, Role.EVALUATOR})
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
REGION_LEVEL_FOR_ROLE = {
    Role.CITY_STAFF: Region.Level.CITY,
    Role.COUNTY_STAFF: Region.Level.COUNTY,
    Role.TOWNSHIP_STAFF: Region.Level.TOWNSHIP,
}


class AccountError(Exception):
    """A user cannot be created or changed as asked (the message is shown to the operator)."""


def is_locked(user: User, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return user.locked_until is not None and user.locked_until > now


def login_failed(*, username: str, ip_address: str = "") -> bool:
    """Record a failed login; lock the account after HUICAN_LOCKOUT_FAILURES. True when locked now."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        audit_record(
            actor=username[:150],
            action="login.failure",
            object_type="accounts.User",
            object_id=user.pk if user else "",
            detail={"username": username[:150], "known_user": user is not None},
            ip_address=ip_address,
        )
        if user is None:
            return False
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins < settings.HUICAN_LOCKOUT_FAILURES:
            return False
        user.locked_until = timezone.now() + dt.timedelta(minutes=settings.HUICAN_LOCKOUT_MINUTES)
        user.save(update_fields=["locked_until"])
        audit_record(
            actor=username[:150],
            action="login.lockout",
            object_type="accounts.User",
            object_id=user.pk,
            detail={"failed_logins": user.failed_logins, "locked_until": user.locked_until.isoformat()},
            ip_address=ip_address,
        )
        return True


def login_refused_locked(*, user: User, ip_address: str = "") -> None:
    """Record an attempt on a locked account (the password is not even checked)."""
    audit_record(
        actor=user.username,
        action="login.locked",
        object_type="accounts.User",
        object_id=user.pk,
        ip_address=ip_address,
    )


def login_succeeded(*, user: User, ip_address: str = "") -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        audit_record(
            actor=user,
            action="login.success",
            object_type="accounts.User",
            object_id=user.pk,
            region_code=user.region_id or "",
            ip_address=ip_address,
        )


def user_unlock(*, actor: Any, user: User, ip_address: str = "") -> None:
    with transaction.atomic():
        before = {"failed_logins": user.failed_logins, "locked_until": str(user.locked_until or "")}
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        audit_record(
            actor=actor,
            action="accounts.unlock",
            object_type="accounts.User",
            object_id=user.pk,
            detail={"username": user.username, "before": before},
            ip_address=ip_address,
        )


def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    region_code: str | None = None,
    import_kinds: list[str] | None = None,
    department: str = "",
    may_view_full: bool = False,
    display_name: str = "",
    ip_address: str = "",
) -> User:
    """Create a user after checking role, region and the password policy (AccountError if not)."""
    if role not in Role.values:
        raise AccountError(f"未知角色：{role}（可选：{'、'.join(Role.values)}）")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"用户名已存在：{username}")
    region = _region_for(role, region_code)
    kinds = list(import_kinds or [])
    unknown = [k for k in kinds if k not in IMPORT_KINDS]
    if unknown:
        raise AccountError(f"未知的导入类型：{'、'.join(unknown)}")
    user = User(
        username=username,
        role=role,
        region=region,
        import_kinds=kinds,
        department=department,
        may_view_full=may_view_full and role in REGION_LEVEL_FOR_ROLE,
        first_name=display_name,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError("密码不符合要求：" + " ".join(password_problems(exc))) from exc
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor,
            action="accounts.user_create",
            object_type="accounts.User",
            object_id=user.pk,
            region_code=user.region_id or "",
            detail={
                "username": username,
                "role": role,
                "region": user.region_id,
                "import_kinds": kinds,
                "may_view_full": user.may_view_full,
            },
            ip_address=ip_address,
        )
    return user


# Django's own messages for these are not (all) translated: say them in Chinese here.
PASSWORD_MESSAGES = {
    "password_too_short": "密码太短，至少需要 {min_length} 个字符。",
    "password_too_common": "密码过于常见。",
    "password_entirely_numeric": "密码不能全是数字。",
    "password_too_similar": "密码与用户名或姓名过于相近。",
}


def password_problems(exc: ValidationError) -> list[str]:
    """The password policy's objections, in Chinese."""
    problems = []
    for error in exc.error_list:
        template = PASSWORD_MESSAGES.get(error.code or "")
        problems.append(template.format(**(error.params or {})) if template else " ".join(error.messages))
    return problems


def _region_for(role: str, region_code: str | None) -> Region | None:
    if role in ADMIN_ROLES:
        if region_code:
            raise AccountError("管理员角色不对应区划，请勿指定 --region")
        return None
    code = region_code or (CITY_CODE if role in CITY_DEFAULT_ROLES else "")
    if not code:
        raise AccountError("该角色需要指定所属区划（--region）")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise AccountError(f"区划代码不存在：{code}")
    expected = REGION_LEVEL_FOR_ROLE.get(Role(role))
    if expected is not None and region.level != expected:
        raise AccountError(
            f"{Role(role).label}的区划应为{Region.Level(expected).label}级，而 {code} 是{region.get_level_display()}级"
        )
    return region


DEMO_KINDS_MINZHENG = ["dibao", "tekun", "orphan", "elderly_care", "subsidy_recipients", "deaths"]
# username, password, role, region code (None: admin; "township": first township of 忻府区)
DEMO_ACCOUNTS: list[tuple[str, str, str, str | None, str]] = [
    ("shi", "Xinzhou#City2025", Role.CITY_STAFF, CITY_CODE, "市残联（演示）"),
    ("xinfu", "Xinzhou#Xinfu2025", Role.COUNTY_STAFF, "140902", "忻府区残联（演示）"),
    ("xiangzhen", "Xinzhou#Town2025", Role.TOWNSHIP_STAFF, "township", "乡镇专干（演示）"),
    ("minzheng", "Xinzhou#Civil2025", Role.DEPARTMENT_OFFICER, CITY_CODE, "民政局数据专员（演示）"),
    ("pinggu", "Xinzhou#Eval2025", Role.EVALUATOR, CITY_CODE, "评估人员（演示）"),
    ("xitong", "Xinzhou#Sys2025!", Role.SYSTEM_ADMIN, None, "系统管理员（演示）"),
    ("anquan", "Xinzhou#Sec2025!", Role.SECURITY_ADMIN, None, "安全管理员（演示）"),
    ("shenji", "Xinzhou#Audit2025", Role.AUDIT_ADMIN, None, "审计管理员（演示）"),
]


def demo_township() -> Region | None:
    return (
        Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith="140902").order_by("code").first()
    )


def ensure_demo_accounts() -> list[tuple[str, str, str, str]]:
    """Create (or reset) one demo user per role; return (username, password, role label, region).

    Idempotent: a second run resets the passwords and lockouts so the printed accounts work.
    The township account is made only when a township of 忻府区 exists.
    """
    township = demo_township()
    printed: list[tuple[str, str, str, str]] = []
    for username, password, role, code, display_name in DEMO_ACCOUNTS:
        if code == "township":
            if township is None:
                continue
            code = township.code
        region = Region.objects.filter(code=code).first() if code else None
        if code and region is None:
            continue
        user, created = User.objects.get_or_create(username=username, defaults={"role": role})
        user.role = role
        user.region = region
        user.first_name = display_name
        user.is_active = True
        user.failed_logins = 0
        user.locked_until = None
        user.may_view_full = role in (Role.CITY_STAFF, Role.COUNTY_STAFF)
        user.department = "民政" if role == Role.DEPARTMENT_OFFICER else ""
        user.import_kinds = list(DEMO_KINDS_MINZHENG) if role == Role.DEPARTMENT_OFFICER else []
        user.set_password(password)
        user.save()
        if created:
            audit_record(
                actor="demo",
                action="accounts.user_create",
                object_type="accounts.User",
                object_id=user.pk,
                region_code=user.region_id or "",
                detail={"username": username, "role": role, "region": user.region_id, "demo": True},
            )
        region_label = f"{region.name}（{region.code}）" if region else "—"
        printed.append((username, password, Role(role).label, region_label))
    return printed
