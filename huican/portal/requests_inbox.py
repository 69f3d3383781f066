"""Open requests (待处理诉求) in the inbox (``core.inbox``) of the office they are with: a township
officer sees those routed to their township, a county officer those with the county's federation
(县残联), due on the request's reply date (``portal.requests``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from huican.accounts.access import region_prefix_for
from huican.accounts.models import Role
from huican.core import inbox
from huican.portal.models import CitizenRequest
from huican.portal.requests import OPEN, may_handle

KIND = "诉求"


def requests_in_inbox(user: Any, today: dt.date, filters: inbox.Filters, limit: int) -> inbox.SourceAnswer:
    if (
        not getattr(user, "is_authenticated", False)
        or filters.code
        or (filters.kind and filters.kind != KIND)
        or not may_handle(user)
        or user.role not in (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF)
        or region_prefix_for(user) is None
    ):
        return inbox.SourceAnswer(0, 0, [])
    waiting = (
        CitizenRequest.objects.filter(region_id=user.region.code, status__in=OPEN)
        .select_related("person")
        .order_by("due_on", "id")[:2000]
    )
    url = reverse("portal:staff_request", args=[999999999]).replace("999999999", "{}")
    items = []
    for request in waiting:
        person = request.person
        region = person.region_id if person is not None else request.region_id
        items.append(
            inbox.InboxItem(
                kind=KIND,
                urgency=inbox.NEED,
                title=f"待处理诉求 {request.number}：{request.get_kind_display()}·{request.get_category_display()}",
                person_id=person.pk if person is not None else None,
                person_name=person.name if person is not None else (request.caller_name or "匿名"),
                county_code=request.county_code,
                township_code=region[:9] if len(region) >= 9 else "",
                village_code=region if len(region) == 12 else "",
                status=request.get_status_display(),
                due=request.due_on,
                url=url.format(request.pk),
            )
        )
    return inbox.answer_from(items, today, filters, limit)
