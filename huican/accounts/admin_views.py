"""The administrators' pages of the account life cycle (三员分立).

- system administrator: one account's page — change role, region or full-ID right (a pending
  grant), set a password, switch the account off or on;
- security administrator: the pending grants, approved or rejected by somebody other than the
  requester and the account holder;
- audit administrator: the security overview (denied accesses, full-ID reveals per user, pending
  grants, the checkpoint, the last ``audit verify``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts import grants, services
from huican.accounts.decorators import client_ip, require_can
from huican.accounts.forms import DecisionForm, PasswordSetForm, UserChangeForm
from huican.accounts.models import AuditVerification, Grant, User
from huican.accounts.oversight import FULL_ID_Q, record_verification
from huican.core.audit import audit_verify, checkpoint_verified, read_checkpoint
from huican.core.models import AuditEntry
from huican.core.redirects import redirect_to_message

# --------------------------------------------------------------------------------------------
# System administrator: one account


def _user_page(
    request: HttpRequest,
    user: User,
    *,
    change_form: UserChangeForm | None = None,
    password_form: PasswordSetForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "account": user,
        "change_form": change_form
        or UserChangeForm(
            initial={
                "role": user.role,
                "region_code": user.region_id or "",
                "may_view_full": user.may_view_full,
            }
        ),
        "password_form": password_form or PasswordSetForm(),
        "grants": Grant.objects.filter(user=user).select_related("region", "decided_by")[:20],
        "reason_labels": grants.REASON_LABELS,
    }
    return render(request, "accounts/user_detail.html", context, status=status)


def _pending_message(request: HttpRequest, grant: Any) -> None:
    messages.success(
        request, _("已提交申请（%(why)s），须由安全管理员批准后生效。") % {"why": grants.reason_labels(grant)}
    )


@require_can("manage_users")
@require_GET
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_page(request, get_object_or_404(User.objects.select_related("region"), pk=user_id))


@require_can("manage_users")
@require_POST
def user_change(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User.objects.select_related("region"), pk=user_id)
    form = UserChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.user_change(
                actor=request.user,
                user=user,
                role=data["role"],
                region_code=data["region_code"] or None,
                may_view_full=data["may_view_full"],
                ip_address=client_ip(request),
            )
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            if grant is None:
                messages.success(request, _("已取消该账户查看完整身份证号的权限。"))
            else:
                _pending_message(request, grant)
            return redirect_to_message("accounts:user_detail", user_id=user.pk)
    return _user_page(request, user, change_form=form, status=400)


@sensitive_post_parameters("password")
@require_can("manage_users")
@require_POST
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User.objects.select_related("region"), pk=user_id)
    form = PasswordSetForm(request.POST)
    if form.is_valid():
        try:
            grant = services.password_set_by_admin(
                actor=request.user,
                user=user,
                password=form.cleaned_data["password"],
                ip_address=client_ip(request),
            )
        except services.AccountError as exc:
            form.add_error("password", str(exc))
        else:
            if grant is None:
                messages.success(request, _("已设置新密码，该用户下次登录时须修改密码。"))
            else:
                _pending_message(request, grant)
            return redirect_to_message("accounts:user_detail", user_id=user.pk)
    return _user_page(request, user, password_form=form, status=400)


@require_can("manage_users")
@require_POST
def user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User.objects.select_related("region"), pk=user_id)
    active = request.POST.get("active") == "1"
    try:
        grant = services.user_set_active(
            actor=request.user, user=user, active=active, ip_address=client_ip(request)
        )
    except services.AccountError as exc:
        messages.error(request, str(exc))
    else:
        if grant is not None:
            _pending_message(request, grant)
        elif active:
            messages.success(request, _("已启用用户 %(u)s。") % {"u": user.username})
        else:
            messages.success(request, _("已停用用户 %(u)s，其 API 令牌已吊销。") % {"u": user.username})
    return redirect_to_message("accounts:user_detail", user_id=user.pk)


# --------------------------------------------------------------------------------------------
# Security administrator: pending grants


@require_can("manage_security")
@require_GET
def grant_list(request: HttpRequest) -> HttpResponse:
    decided = (
        Grant.objects.exclude(status=Grant.Status.PENDING)
        .select_related("user", "region", "decided_by")
        .order_by("-decided_at", "-id")[:30]
    )
    context = {
        "pending": grants.pending_grants(),
        "decided": decided,
        "reason_labels": grants.REASON_LABELS,
        "me": request.user,
    }
    return render(request, "accounts/grants.html", context)


@require_can("manage_security")
@require_POST
def grant_decide(request: HttpRequest, grant_id: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject"):
        raise Http404(_("没有这个操作"))
    get_object_or_404(Grant, pk=grant_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    user = request.user
    assert isinstance(user, User)
    decide = grants.grant_approve if decision == "approve" else grants.grant_reject
    try:
        grant = decide(grant_id=grant_id, decider=user, note=note, ip_address=client_ip(request))
    except grants.GrantError as exc:
        messages.error(request, str(exc))
    else:
        done = _("已批准") if grant.status == Grant.Status.APPROVED else _("已驳回")
        messages.success(request, _("%(done)s用户 %(u)s 的申请。") % {"done": done, "u": grant.user.username})
    return redirect_to_message("accounts:grants")


# --------------------------------------------------------------------------------------------
# Audit administrator: the security overview

DENIED_SHOWN = 50
REVEALS_DAYS = 30


@require_can("read_audit")
@require_GET
def oversight(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - dt.timedelta(days=REVEALS_DAYS)
    denied = AuditEntry.objects.filter(action="access.denied").order_by("-sequence")[:DENIED_SHOWN]
    reveals = (
        AuditEntry.objects.filter(FULL_ID_Q)
        .values("actor_name")
        .annotate(
            total=Count("id"),
            recent=Count("id", filter=Q(at__gte=since)),
            last=Max("at"),
        )
        .order_by("-recent", "-total", "actor_name")
    )
    head = AuditEntry.objects.order_by("-sequence").values("sequence", "at").first()
    context = {
        "denied": denied,
        "reveals": reveals,
        "reveals_days": REVEALS_DAYS,
        "pending": grants.pending_grants(),
        "reason_labels": grants.REASON_LABELS,
        "checkpoint": read_checkpoint(),
        "head": head,
        "last_verify": AuditVerification.objects.first(),
    }
    return render(request, "accounts/oversight.html", context)


@require_can("read_audit")
@require_http_methods(["POST"])
def oversight_verify(request: HttpRequest) -> HttpResponse:
    result = audit_verify()
    if result.intact:
        checkpoint_verified(result)
    record_verification(result, actor=request.user, ip_address=client_ip(request))
    if result.intact:
        messages.success(request, _("审计日志完整，共 %(n)d 条。") % {"n": result.checked})
    else:
        messages.error(request, _("审计日志校验未通过：%(problem)s") % {"problem": result.problem})
    return redirect_to_message("accounts:oversight")
