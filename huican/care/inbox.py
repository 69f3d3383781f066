"""Visits and follow-ups due, in a caseworker's inbox (``core.inbox``).

- a 走访探视 that found something to follow up (需要跟进), with no later visit to that person: due 10
  working days after the visit;
- a device fitted (辅具适配 at the 适配 stage) whose follow-up visit (回访) is not done yet: due 20
  working days after the fitting.

Both for the services the user sees (their region; a service organisation: its own).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from huican.care.models import DEVICE, VISIT, ServiceRecord
from huican.care.selectors import services_for
from huican.core import inbox
from huican.core.workdays import add_working_days, calendar_overrides

KIND = "走访"
VISIT_FOLLOW_UP_DAYS = 10
DEVICE_FOLLOW_UP_DAYS = 20


def visits_in_inbox(user: Any, today: dt.date, filters: inbox.Filters, limit: int) -> inbox.SourceAnswer:
    if (
        not getattr(user, "is_authenticated", False)
        or filters.code
        or (filters.kind and filters.kind != KIND)
    ):
        return inbox.SourceAnswer(0, 0, [])
    scope = services_for(user)
    later_visit = ServiceRecord.objects.filter(
        person=OuterRef("person"), kind=VISIT, service_date__gt=OuterRef("service_date")
    )
    visits = (
        scope.filter(kind=VISIT, visit__follow_up_needed=True)
        .annotate(followed=Exists(later_visit))
        .filter(followed=False)
        .select_related("person")[:2000]
    )
    fittings = scope.filter(
        kind=DEVICE, device__fitted_on__isnull=False, device__followed_up_on__isnull=True
    ).select_related("person", "device")[:2000]
    overrides = calendar_overrides()
    url = reverse("care:record", args=[999999999]).replace("999999999", "{}")
    items = []
    for visit in visits:
        items.append(
            _item(
                visit,
                "走访发现需要跟进",
                add_working_days(visit.service_date, VISIT_FOLLOW_UP_DAYS, overrides),
                url,
            )
        )
    for record in fittings:
        fitted: dt.date = record.device.fitted_on  # type: ignore[assignment]
        items.append(
            _item(
                record,
                f"辅具回访：{record.device.device}",
                add_working_days(fitted, DEVICE_FOLLOW_UP_DAYS, overrides),
                url,
            )
        )
    return inbox.answer_from(items, today, filters, limit)


def _item(record: ServiceRecord, title: str, due: dt.date, url: str) -> inbox.InboxItem:
    region = record.person.region_id
    return inbox.InboxItem(
        kind=KIND,
        urgency=inbox.NEED,
        title=title,
        person_id=record.person_id,
        person_name=record.person.name,
        county_code=region[:6],
        township_code=region[:9] if len(region) >= 9 else "",
        village_code=region if len(region) == 12 else "",
        status="待跟进",
        due=due,
        url=url.format(record.pk),
    )
