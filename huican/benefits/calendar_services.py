"""Writes of the working-day calendar and the counties' step limits (audited).

City staff add the days the holiday library does not know (or gets wrong); a county's limits are
set by its own county staff or by city staff. Deadlines read both (``workdays``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from huican.accounts.access import region_prefix_for
from huican.accounts.models import Role
from huican.benefits.models import CalendarDay, StepLimit
from huican.benefits.services import ApplicationError
from huican.core.audit import audit_record


def may_edit_calendar(user: Any) -> bool:
    return getattr(user, "role", None) == Role.CITY_STAFF and region_prefix_for(user) is not None


def may_set_limits(user: Any, county_code: str) -> bool:
    prefix = region_prefix_for(user)
    if prefix is None:
        return False
    if user.role == Role.CITY_STAFF:
        return True
    return user.role == Role.COUNTY_STAFF and prefix == county_code


def calendar_day_add(*, actor: Any, date: dt.date, is_workday: bool, note: str = "") -> CalendarDay:
    """Add (or correct) one day of the calendar."""
    if not may_edit_calendar(actor):
        raise ApplicationError("只有市级工作人员可以维护工作日历")
    with transaction.atomic():
        day, created = CalendarDay.objects.update_or_create(
            date=date, defaults={"is_workday": is_workday, "note": note.strip()[:100], "created_by": actor}
        )
        audit_record(
            actor=actor,
            action="benefits.calendar_day",
            object_type="benefits.CalendarDay",
            object_id=day.pk,
            detail={"date": date.isoformat(), "is_workday": is_workday, "note": day.note, "created": created},
        )
    return day


def step_limits_set(*, actor: Any, county_code: str, limits: dict[str, int]) -> None:
    """Set a county's time limits (working days) for the steps given."""
    if not may_set_limits(actor, county_code):
        raise ApplicationError("只有本县工作人员或市级工作人员可以设置办理时限")
    with transaction.atomic():
        for step, days in limits.items():
            if step not in StepLimit.Step.values or not 1 <= int(days) <= 60:
                raise ApplicationError("办理时限应为 1 到 60 个工作日", step)
            StepLimit.objects.update_or_create(
                county_code=county_code, step=step, defaults={"working_days": int(days)}
            )
        audit_record(
            actor=actor,
            action="benefits.step_limits",
            object_type="benefits.StepLimit",
            object_id=county_code,
            region_code=county_code,
            detail={"limits": {k: int(v) for k, v in limits.items()}},
        )
