"""Login, logout and the two administrators' pages (users; security and lockouts)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from huican.accounts import services
from huican.accounts.decorators import client_ip, require_can
from huican.accounts.forms import LoginForm, PasswordChangeForm, UserCreateForm
from huican.accounts.models import Grant, User
from huican.core.audit import audit_record
from huican.core.redirects import redirect_to_message


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    if request.session.pop("idle_logged_out", False):
        messages.info(request, _("您已较长时间未操作，为保护个人信息已自动退出，请重新登录。"))
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            response = _attempt_login(request, form, next_url)
            if response is not None:
                return response
        else:
            status = 400  # malformed input; a wrong password is an ordinary 200 with a message
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


def _attempt_login(request: HttpRequest, form: LoginForm, next_url: str) -> HttpResponse | None:
    username = form.cleaned_data["username"]
    password = form.cleaned_data["password"]
    ip = client_ip(request)
    if services.ip_throttled(ip):
        services.login_refused_throttled(username=username, ip_address=ip)
        form.add_error(None, _throttle_message())
        return None
    existing = User.objects.filter(username=username).first()
    if existing is not None and services.is_locked(existing):
        User().set_password(password)  # the same work as checking a password: no timing difference
        services.login_refused_locked(user=existing, ip_address=ip)
        form.add_error(None, _failure_message())
        return None
    user = authenticate(request, username=username, password=password)
    if user is None:
        services.login_failed(username=username, ip_address=ip)
        # One message whether the account exists, is locked, or the password is wrong.
        form.add_error(None, _failure_message())
        return None
    assert isinstance(user, User)
    login(request, user)
    services.login_succeeded(user=user, ip_address=ip)
    return HttpResponseRedirect(next_url or reverse(settings.LOGIN_REDIRECT_URL))


def _failure_message() -> str:
    return _(
        "用户名或密码不正确，或账户已被锁定。连续失败 %(n)d 次后账户将被锁定 %(m)d 分钟；"
        "如已锁定，请 %(m)d 分钟后再试，或联系安全管理员解锁。"
    ) % {"n": settings.HUICAN_LOCKOUT_FAILURES, "m": settings.HUICAN_LOCKOUT_MINUTES}


def _throttle_message() -> str:
    return _("从您所在的网络地址登录失败的次数过多，请 %(m)d 分钟后再试。") % {
        "m": settings.HUICAN_LOGIN_IP_WINDOW_MINUTES
    }


@sensitive_post_parameters("old_password", "new_password", "new_password2")
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password (forced after an administrator set it)."""
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                ip_address=client_ip(request),
            )
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect_to_message(settings.LOGIN_REDIRECT_URL)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "forced": user.must_change_password}
    return render(request, "accounts/password_change.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(
            actor=request.user,
            action="logout",
            object_type="accounts.User",
            object_id=request.user.pk or "",
            ip_address=client_ip(request),
        )
    logout(request)
    messages.success(request, _("您已安全退出。"))
    return redirect_to_message(settings.LOGOUT_REDIRECT_URL)


@require_can("manage_users")
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("region").order_by("username")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    pending = set(
        Grant.objects.filter(status=Grant.Status.PENDING, user__in=list(page.object_list)).values_list(
            "user_id", flat=True
        )
    )
    return render(
        request, "accounts/user_list.html", {"page": page, "now": timezone.now(), "pending": pending}
    )


@sensitive_post_parameters("password")
@require_can("manage_users")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                role=data["role"],
                region_code=data["region_code"] or None,
                import_kinds=data["import_kinds"],
                department=data["department"],
                may_view_full=data["may_view_full"],
                display_name=data["display_name"],
                organisation=data["organisation"],
                ip_address=client_ip(request),
            )
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            if getattr(created, "pending_grant", None) is not None:
                messages.success(
                    request,
                    _("已创建用户 %(u)s。其权限需安全管理员批准，批准前该账户不能登录。")
                    % {"u": data["username"]},
                )
            else:
                messages.success(
                    request, _("已创建用户 %(u)s。首次登录时须修改密码。") % {"u": data["username"]}
                )
            return redirect_to_message("accounts:users")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/user_create.html", {"form": form}, status=status)


@require_can("manage_security")
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    users = (
        User.objects.filter(Q(failed_logins__gt=0) | Q(locked_until__gt=now))
        .select_related("region")
        .order_by("-locked_until", "username")
    )
    context = {
        "users": users,
        "now": now,
        "lockout_failures": settings.HUICAN_LOCKOUT_FAILURES,
        "lockout_minutes": settings.HUICAN_LOCKOUT_MINUTES,
        "idle_minutes": settings.HUICAN_IDLE_TIMEOUT_SECONDS // 60,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "ip_failures": settings.HUICAN_LOGIN_IP_FAILURES,
        "ip_window": settings.HUICAN_LOGIN_IP_WINDOW_MINUTES,
        "token_days": settings.HUICAN_API_TOKEN_DAYS,
    }
    return render(request, "accounts/security.html", context)


@require_can("manage_security")
@require_POST
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    services.user_unlock(actor=request.user, user=user, ip_address=client_ip(request))
    messages.success(request, _("已解锁用户 %(u)s。") % {"u": user.username})
    return redirect_to_message("accounts:security")
