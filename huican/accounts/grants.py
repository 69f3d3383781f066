"""Rights that need a second person (三员分立): requesting, approving and rejecting grants.

A change that widens what an account may see — full-ID rights, a city-wide region, an
administrator role — and any change of role or region is not made by the system administrator
alone: it becomes a pending ``Grant`` that a security administrator approves or rejects. Nobody
decides a grant they asked for or one about their own account. Both steps are audited.

The operator's CLI (``huican users create``) creates the first administrator of each role at
once (bootstrap, audited); once one exists, the CLI asks like everybody else (docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from huican.accounts.models import Grant, Role, User
from huican.core.audit import audit_record
from huican.regions.divisions import CITY_CODE
from huican.regions.models import Region

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

REASON_LABELS = {
    "admin_role": "管理员角色",
    "city_region": "全市范围",
    "full_id": "查看完整身份证号",
    "role_or_region_change": "变更角色或区划",
    "enable": "启用含上述权限的账户",
    "password_reset": "重设含上述权限账户的密码",
}


class GrantError(Exception):
    """A grant cannot be decided as asked (the message is shown to the administrator)."""


def escalations(*, role: str, region_code: str | None, may_view_full: bool) -> list[str]:
    """Which of the rights needing a second person an account with these attributes holds."""
    reasons = []
    if role in ADMIN_ROLES:
        reasons.append("admin_role")
    if region_code == CITY_CODE:
        reasons.append("city_region")
    if may_view_full:
        reasons.append("full_id")
    return reasons


def holds_escalated_rights(user: User) -> bool:
    return bool(escalations(role=user.role, region_code=user.region_id, may_view_full=user.may_view_full))


def reason_labels(grant: Grant) -> str:
    return "、".join(REASON_LABELS.get(r, r) for r in grant.reasons)


def _actor_fields(actor: Any) -> tuple[User | None, str]:
    if isinstance(actor, User):
        return actor, actor.username
    return None, str(actor)[:150]


def _state(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "region": user.region_id,
        "may_view_full": user.may_view_full,
        "is_active": user.is_active,
    }


def grant_request(
    *,
    actor: Any,
    user: User,
    role: str,
    region: Region | None,
    may_view_full: bool,
    activate: bool,
    reasons: list[str],
    password_hash: str = "",
    ip_address: str = "",
) -> Grant:
    """Ask for `user` to hold these rights; an earlier pending grant of the account is superseded."""
    requester, requester_name = _actor_fields(actor)
    with transaction.atomic():
        superseded = list(
            Grant.objects.select_for_update()
            .filter(user=user, status=Grant.Status.PENDING)
            .values_list("pk", flat=True)
        )
        Grant.objects.filter(pk__in=superseded).update(status=Grant.Status.SUPERSEDED, password="")
        grant = Grant.objects.create(
            user=user,
            role=role,
            region=region,
            may_view_full=may_view_full,
            activate=activate,
            reasons=reasons,
            password=password_hash,
            before=_state(user),
            requested_by=requester,
            requested_by_name=requester_name,
        )
        audit_record(
            actor=actor,
            action="accounts.grant_request",
            object_type="accounts.Grant",
            object_id=grant.pk,
            region_code=region.code if region else "",
            detail={
                "username": user.username,
                "reasons": reasons,
                "before": grant.before,
                "after": {
                    "role": role,
                    "region": region.code if region else None,
                    "may_view_full": may_view_full,
                    "activate": activate,
                    "password_reset": bool(password_hash),
                },
                "superseded": superseded,
            },
            ip_address=ip_address,
        )
    return grant


def pending_grants() -> Any:
    return Grant.objects.filter(status=Grant.Status.PENDING).select_related("user", "region", "requested_by")


def _check_decider(grant: Grant, decider: User) -> None:
    if not (decider.is_active and decider.role == Role.SECURITY_ADMIN):
        raise GrantError("只有安全管理员可以批准或驳回授权申请")
    if grant.status != Grant.Status.PENDING:
        raise GrantError("该申请已处理，不能再次批准或驳回")
    if grant.requested_by_id == decider.pk:
        raise GrantError("不能批准或驳回自己提出的申请")
    if grant.user_id == decider.pk:
        raise GrantError("不能批准或驳回关于自己账户的申请")


def grant_approve(*, grant_id: int, decider: User, note: str = "", ip_address: str = "") -> Grant:
    """Apply a pending grant (security administrator, not the requester nor the account holder)."""
    with transaction.atomic():
        grant = Grant.objects.select_for_update().select_related("user").get(pk=grant_id)
        _check_decider(grant, decider)
        user = User.objects.select_for_update().get(pk=grant.user_id)
        before = _state(user)
        user.role = grant.role
        user.region = grant.region
        user.may_view_full = grant.may_view_full
        fields = ["role", "region", "may_view_full", "is_active"]
        if grant.activate:
            user.is_active = True
        if grant.password:
            user.password = grant.password
            user.must_change_password = True
            user.failed_logins = 0
            user.locked_until = None
            fields += ["password", "must_change_password", "failed_logins", "locked_until"]
        user.save(update_fields=fields)
        grant.status = Grant.Status.APPROVED
        grant.decided_by = decider
        grant.decided_at = timezone.now()
        grant.decision_note = note.strip()[:500]
        grant.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=decider,
            action="accounts.grant_approve",
            object_type="accounts.Grant",
            object_id=grant.pk,
            region_code=user.region_id or "",
            reason=grant.decision_note,
            detail={
                "username": user.username,
                "requested_by": grant.requested_by_name,
                "reasons": grant.reasons,
                "before": before,
                "after": _state(user),
            },
            ip_address=ip_address,
        )
    return grant


def grant_reject(*, grant_id: int, decider: User, note: str = "", ip_address: str = "") -> Grant:
    with transaction.atomic():
        grant = Grant.objects.select_for_update().select_related("user").get(pk=grant_id)
        _check_decider(grant, decider)
        grant.status = Grant.Status.REJECTED
        grant.decided_by = decider
        grant.decided_at = timezone.now()
        grant.decision_note = note.strip()[:500]
        grant.password = ""  # a refused password is not kept
        grant.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "password"])
        audit_record(
            actor=decider,
            action="accounts.grant_reject",
            object_type="accounts.Grant",
            object_id=grant.pk,
            reason=grant.decision_note,
            detail={
                "username": grant.user.username,
                "requested_by": grant.requested_by_name,
                "reasons": grant.reasons,
            },
            ip_address=ip_address,
        )
    return grant


def may_bootstrap(actor: Any, role: str) -> bool:
    """The CLI creates an administrator at once only while no active one of that role exists."""
    return (
        actor == "cli" and role in ADMIN_ROLES and not User.objects.filter(role=role, is_active=True).exists()
    )
