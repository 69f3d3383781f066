"""`overdue_applications` on every page: how many applications waiting at the user's step are past
their deadline (the banner in base.html; computed only when a page shows it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _count(request: HttpRequest) -> int:
    from huican.benefits.selectors import waiting_for, with_deadlines
    from huican.benefits.services import today

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    waiting = list(waiting_for(user).select_related(None)[:2000])
    return sum(1 for _, deadline in with_deadlines(waiting, today=today()) if deadline and deadline.overdue)


def overdue(request: HttpRequest) -> dict[str, Any]:
    return {"overdue_applications": SimpleLazyObject(lambda: _count(request))}
