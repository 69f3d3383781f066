"""Writes about users: login outcomes and lockout, creating and changing users, passwords, demo accounts.

Rights that need a second person (full-ID, city-wide region, administrator role, any change of
role or region) are asked through ``huican.accounts.grants`` instead of being set here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from huican.accounts import grants
from huican.accounts.access import import_kinds as known_import_kinds
from huican.accounts.models import LoginFailure, Role, User
from huican.core.audit import audit_record
from huican.regions.divisions import CITY_CODE
from huican.regions.models import Region

# Roles whose region defaults to the whole city when none is given.
CITY_DEFAULT_ROLES = frozenset({Role.CITY_STAFF, Role.DEPARTMENT_OFFICER, Role.EVALUATOR})
ADMIN_ROLES = grants.ADMIN_ROLES
REGION_LEVEL_FOR_ROLE = {
    Role.CITY_STAFF: Region.Level.CITY,
    Role.COUNTY_STAFF: Region.Level.COUNTY,
    Role.TOWNSHIP_STAFF: Region.Level.TOWNSHIP,
    Role.CIVIL_AFFAIRS_OFFICER: Region.Level.COUNTY,
}


class AccountError(Exception):
    """A user cannot be created or changed as asked (the message is shown to the operator)."""


def is_locked(user: User, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return user.locked_until is not None and user.locked_until > now


def ip_throttled(ip_address: str, *, now: dt.datetime | None = None) -> bool:
    """Whether the address failed HUICAN_LOGIN_IP_FAILURES logins in the last window (any accounts)."""
    if not ip_address:
        return False
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.HUICAN_LOGIN_IP_WINDOW_MINUTES)
    recent = LoginFailure.objects.filter(ip_address=ip_address, at__gt=since)
    return recent.count() >= settings.HUICAN_LOGIN_IP_FAILURES


def login_refused_throttled(*, username: str, ip_address: str) -> None:
    audit_record(
        actor=username[:150],
        action="login.ip_throttled",
        object_type="accounts.User",
        detail={"username": username[:150]},
        ip_address=ip_address,
    )


def _count_ip_failure(ip_address: str) -> None:
    if not ip_address:
        return
    now = timezone.now()
    LoginFailure.objects.create(ip_address=ip_address, at=now)
    # Rows past the window count no more: keep the table small.
    old = now - dt.timedelta(minutes=max(settings.HUICAN_LOGIN_IP_WINDOW_MINUTES, 1) * 2)
    LoginFailure.objects.filter(ip_address=ip_address, at__lt=old).delete()


def login_failed(*, username: str, ip_address: str = "") -> bool:
    """Record a failed login; lock the account after HUICAN_LOCKOUT_FAILURES. True when locked now."""
    with transaction.atomic():
        _count_ip_failure(ip_address)
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
    organisation: str = "",
    ip_address: str = "",
) -> User:
    """Create a user after checking role, region and the password policy (AccountError if not).

    A service organisation's account (服务机构人员) names its organisation; other roles have none.

    An account with rights that need a second person is created switched off, with a pending
    grant that switches it on (``user.pending_grant``); the CLI creates the first administrator
    of each role at once. A password set by an administrator on the web must be changed at the
    first login.
    """
    if role not in Role.values:
        raise AccountError(f"未知角色：{role}（可选：{'、'.join(Role.values)}）")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"用户名已存在：{username}")
    region = _region_for(role, region_code)
    kinds = list(import_kinds or [])
    unknown = [k for k in kinds if k not in known_import_kinds()]
    if unknown:
        raise AccountError(f"未知的导入类型：{'、'.join(unknown)}")
    organisation = organisation.strip() if role == Role.SERVICE_ORG else ""
    if role == Role.SERVICE_ORG and not organisation:
        raise AccountError("服务机构人员须填写服务机构名称")
    user = User(
        username=username,
        role=role,
        region=region,
        import_kinds=kinds,
        department=department,
        organisation=organisation,
        may_view_full=may_view_full and role in REGION_LEVEL_FOR_ROLE,
        first_name=display_name,
    )
    _checked_password(password, user)
    user.set_password(password)
    user.must_change_password = isinstance(actor, User)
    reasons = grants.escalations(role=role, region_code=user.region_id, may_view_full=user.may_view_full)
    bootstrap = bool(reasons) and grants.may_bootstrap(actor, role) and reasons == ["admin_role"]
    held = bool(reasons) and not bootstrap
    user.is_active = not held
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor,
            action="accounts.bootstrap" if bootstrap else "accounts.user_create",
            object_type="accounts.User",
            object_id=user.pk,
            region_code=user.region_id or "",
            detail={
                "username": username,
                "role": role,
                "region": user.region_id,
                "import_kinds": kinds,
                "organisation": organisation,
                "may_view_full": user.may_view_full,
                "pending_approval": held,
            },
            ip_address=ip_address,
        )
        user.pending_grant = (  # type: ignore[attr-defined]
            grants.grant_request(
                actor=actor,
                user=user,
                role=role,
                region=region,
                may_view_full=user.may_view_full,
                activate=True,
                reasons=reasons,
                ip_address=ip_address,
            )
            if held
            else None
        )
    return user


def user_change(
    *,
    actor: Any,
    user: User,
    role: str,
    region_code: str | None,
    may_view_full: bool,
    ip_address: str = "",
) -> Any:
    """Change an account's role, region or full-ID right.

    Taking away the full-ID right alone takes effect at once; anything else (a role or region
    change, granting full-ID) becomes a pending grant. Returns the grant, or None.
    """
    if role not in Role.values:
        raise AccountError(f"未知角色：{role}")
    region = _region_for(role, region_code)
    may_view_full = may_view_full and role in REGION_LEVEL_FOR_ROLE
    region_id = region.code if region else None
    if role == user.role and region_id == user.region_id and may_view_full == user.may_view_full:
        raise AccountError("没有需要变更的内容")
    if role == user.role and region_id == user.region_id and not may_view_full:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(may_view_full=False)
            audit_record(
                actor=actor,
                action="accounts.full_id_revoke",
                object_type="accounts.User",
                object_id=user.pk,
                region_code=user.region_id or "",
                detail={"username": user.username},
                ip_address=ip_address,
            )
        return None
    reasons = grants.escalations(role=role, region_code=region_id, may_view_full=may_view_full)
    if role != user.role or region_id != user.region_id:
        reasons.append("role_or_region_change")
    return grants.grant_request(
        actor=actor,
        user=user,
        role=role,
        region=region,
        may_view_full=may_view_full,
        activate=False,
        reasons=reasons,
        ip_address=ip_address,
    )


def _request_keeping_rights(actor: Any, user: User, reason: str, ip_address: str, **change: Any) -> Any:
    """A pending grant for an account that keeps its present rights (they need a second person),
    asked for because of `reason` (switching it on, a new password)."""
    reasons = grants.escalations(role=user.role, region_code=user.region_id, may_view_full=user.may_view_full)
    return grants.grant_request(
        actor=actor,
        user=user,
        role=user.role,
        region=user.region,
        may_view_full=user.may_view_full,
        reasons=[*reasons, reason],
        ip_address=ip_address,
        **change,
    )


def user_set_active(*, actor: Any, user: User, active: bool, ip_address: str = "") -> Any:
    """Switch an account off (at once) or on (a pending grant if it holds rights needing approval)."""
    if isinstance(actor, User) and actor.pk == user.pk and not active:
        raise AccountError("不能停用自己的账户")
    if active and not user.is_active and grants.holds_escalated_rights(user):
        return _request_keeping_rights(actor, user, "enable", ip_address, activate=True)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        audit_record(
            actor=actor,
            action="accounts.enable" if active else "accounts.disable",
            object_type="accounts.User",
            object_id=user.pk,
            region_code=user.region_id or "",
            detail={"username": user.username},
            ip_address=ip_address,
        )
        if not active:
            from huican.core.models import ApiToken

            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return None


def _checked_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError("密码不符合要求：" + " ".join(password_problems(exc))) from exc


def password_set_by_admin(*, actor: Any, user: User, password: str, ip_address: str = "") -> Any:
    """An administrator sets a new password; the user must change it at the next login.

    For an account holding rights that need a second person the new password waits for a
    security administrator's approval (else setting a password would hand those rights over).
    Returns the pending grant, or None when the password is set at once.
    """
    _checked_password(password, user)
    if grants.holds_escalated_rights(user):
        probe = User(username=user.username)
        probe.set_password(password)
        return _request_keeping_rights(
            actor, user, "password_reset", ip_address, activate=False, password_hash=probe.password
        )
    user.set_password(password)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            password=user.password, must_change_password=True, failed_logins=0, locked_until=None
        )
        audit_record(
            actor=actor,
            action="accounts.password_set",
            object_type="accounts.User",
            object_id=user.pk,
            region_code=user.region_id or "",
            detail={"username": user.username},
            ip_address=ip_address,
        )
    return None


def password_change(*, user: User, old_password: str, new_password: str, ip_address: str = "") -> None:
    """The user changes their own password (AccountError for a wrong old one or a weak new one)."""
    if not user.check_password(old_password):
        raise AccountError("当前密码不正确")
    if old_password == new_password:
        raise AccountError("新密码不能与当前密码相同")
    _checked_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    with transaction.atomic():
        user.save(update_fields=["password", "must_change_password"])
        audit_record(
            actor=user,
            action="accounts.password_change",
            object_type="accounts.User",
            object_id=user.pk,
            region_code=user.region_id or "",
            ip_address=ip_address,
        )


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
DEMO_ORGANISATION = "忻府区残疾人康复中心（演示）"
DEMO_ACCOUNTS: list[tuple[str, str, str, str | None, str]] = [
    ("shi", "Xinzhou#City2025", Role.CITY_STAFF, CITY_CODE, "市残联（演示）"),
    ("xinfu", "Xinzhou#Xinfu2025", Role.COUNTY_STAFF, "140902", "忻府区残联（演示）"),
    ("xiangzhen", "Xinzhou#Town2025", Role.TOWNSHIP_STAFF, "township", "乡镇专干（演示）"),
    ("minzheng", "Xinzhou#Civil2025", Role.DEPARTMENT_OFFICER, CITY_CODE, "民政局数据专员（演示）"),
    ("shending", "Xinzhou#Audit2026", Role.CIVIL_AFFAIRS_OFFICER, "140902", "忻府区民政局审定人员（演示）"),
    ("pinggu", "Xinzhou#Eval2025", Role.EVALUATOR, CITY_CODE, "评估人员（演示）"),
    ("kangfu", "Xinzhou#Care2025", Role.SERVICE_ORG, "140902", "康复中心工作人员（演示）"),
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
        user.organisation = DEMO_ORGANISATION if role == Role.SERVICE_ORG else ""
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
