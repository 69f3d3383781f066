"""Idle session timeout: a session unused for HUICAN_IDLE_TIMEOUT_SECONDS is logged out."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

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
