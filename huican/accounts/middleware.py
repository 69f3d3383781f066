"""Idle session timeout, the forced password change, and the audit of denied accesses."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from huican.core.audit import audit_record


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen")
            if last is not None and now - int(last) > settings.HUICAN_IDLE_TIMEOUT_SECONDS:
                audit_record(
                    actor=request.user,
                    action="logout.idle",
                    object_type="accounts.User",
                    object_id=request.user.pk or "",
                    detail={"idle_seconds": now - int(last)},
                    ip_address=str(request.META.get("REMOTE_ADDR", ""))[:64],
                )
                logout(request)
                request.session["idle_logged_out"] = True
            elif last is None or now - int(last) >= max(1, settings.HUICAN_IDLE_TIMEOUT_SECONDS // 10):
                # Refreshed at a tenth of the timeout, not on every request: each refresh is a
                # session write, and a tenth is well inside the timeout's own precision.
                request.session["last_seen"] = now
        return self.get_response(request)


# Paths a user who must change their password may still use.
_PASSWORD_CHANGE_EXEMPT = ("/accounts/password/", "/accounts/logout/", "/accounts/login/", "/static/")


class PasswordChangeRequiredMiddleware:
    """After an administrator set the password, every page leads to changing it first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(_PASSWORD_CHANGE_EXEMPT)
            and not request.path.startswith("/api/v1/")
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)


# Pages and API paths that show personal data: a 403 or 404 there is a denied access.
PERSONAL_DATA_PREFIXES = (
    "/persons/",
    "/search/",
    "/findings/",
    "/imports/",
    "/benefits/",
    "/care/",
    "/monitoring/",
    "/api/v1/persons",
    "/api/v1/findings",
    "/api/v1/imports",
    "/api/v1/monitoring",
    "/portal/cert/persons/",  # the staff certificate page of a person
    "/portal/staff/",  # staff pages kept in the portal app (guardians and agents)
)


class DeniedAccessAuditMiddleware:
    """Audit every refusal to a signed-in user: any 403, and a 404 on a personal-data path.

    The audit administrator's security page lists them (``access.denied``). Anonymous requests
    are sent to the login page and are not counted here (failed logins are audited apart).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status not in (403, 404):
            return response
        user = getattr(request, "user", None)  # the API's token sets it during the view
        if user is None or not user.is_authenticated:
            return response
        if status == 404 and not request.path.startswith(PERSONAL_DATA_PREFIXES):
            return response
        audit_record(
            actor=user,
            action="access.denied",
            object_type="http",
            region_code=getattr(user, "region_id", None) or "",
            detail={"method": request.method, "path": request.path[:300], "status": status},
            ip_address=str(request.META.get("REMOTE_ADDR", ""))[:64],
        )
        return response
