"""Idle session timeout: a session unused for HUICAN_IDLE_TIMEOUT_SECONDS is logged out."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen")
            if last is not None and now - int(last) > settings.HUICAN_IDLE_TIMEOUT_SECONDS:
                logout(request)
                request.session["idle_logged_out"] = True
            else:
                request.session["last_seen"] = now
        return self.get_response(request)
