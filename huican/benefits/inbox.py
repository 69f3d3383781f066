"""The benefits work in a caseworker's inbox (``core.inbox``): applications waiting at the user's
step (due by the step's working-day limit) and re-check items pending in the user's area (due 30
working days after the re-check run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from huican.accounts.access import region_prefix_for
from huican.accounts.models import Role
from huican.benefits.models import RecheckItem
from huican.benefits.selectors import waiting_for, with_deadlines
from huican.core import inbox
from huican.core.workdays import add_working_days, calendar_overrides

RECHECK_DAYS = 30


def benefits_in_inbox(user: Any, today: dt.date, filters: inbox.Filters, limit: int) -> inbox.SourceAnswer:
    if not getattr(user, "is_authenticated", False) or filters.code:
        return inbox.SourceAnswer(0, 0, [])
    items = []
    for application, deadline in with_deadlines(list(waiting_for(user)[:2000]), today=today):
        region = application.person.region_id
        items.append(
            inbox.InboxItem(
                kind="申请",
                urgency=inbox.COVERAGE_GAP,
                title=f"{application.get_benefit_display()}申请（{application.get_status_display()}）",
                person_id=application.person_id,
                person_name=application.person.name,
                county_code=application.county_code,
                township_code=application.township_code,
                village_code=region if len(region) == 12 else "",
                status=application.get_status_display(),
                due=deadline.due if deadline else None,
                url=reverse("benefits:application", args=[application.pk]),
            )
        )
    prefix = region_prefix_for(user)
    if prefix is not None and user.role in (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF):
        overrides = calendar_overrides()
        pending = (
            RecheckItem.objects.filter(
                status=RecheckItem.Status.PENDING, person__region__code__startswith=prefix
            )
            .select_related("person", "run")
            .order_by("id")[:2000]
        )
        for item in pending:
            region = item.person.region_id
            items.append(
                inbox.InboxItem(
                    kind="复核",
                    urgency=inbox.RECHECK,
                    title=f"年度复核：{item.get_benefit_display()}",
                    person_id=item.person_id,
                    person_name=item.person.name,
                    county_code=item.county_code,
                    township_code=item.township_code,
                    village_code=region if len(region) == 12 else "",
                    status=item.get_status_display(),
                    due=add_working_days(item.run.on_date, RECHECK_DAYS, overrides),
                    url=reverse("benefits:recheck_item", args=[item.pk]),
                )
            )
    return inbox.answer_from(items, today, filters, limit)
