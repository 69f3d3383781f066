"""`{% my_requests %}` on 我的: the signed-in person's own requests (我的诉求), from the session's
citizen — never from the URL."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from huican.portal.requests import requests_of_person

register = template.Library()


@register.inclusion_tag("portal/_my_requests.html", takes_context=True)
def my_requests(context: dict[str, Any]) -> dict[str, Any]:
    citizen = context.get("citizen")
    items = list(requests_of_person(citizen.person)[:50]) if citizen is not None else []
    return {"items": items, "today": timezone.localdate()}
