"""View decorators: log in first, then ask `access.can` (403 for a page the role may not use)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from huican.accounts.access import can

View = Callable[..., HttpResponse]


def require_can(action: str) -> Callable[[View], View]:
    """Only users for whom ``can(user, action)`` holds reach the view; others get 403.

    Anonymous users are sent to the login page first. Use only for pages that are not a
    person: a person outside the user's scope is a 404 (``registry.selectors.access_person_by_id``).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, action):
                raise PermissionDenied("您的角色无权使用此功能")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def client_ip(request: HttpRequest) -> str:
    """The client's address for the audit log (REMOTE_ADDR; the proxy sets it in production)."""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]
