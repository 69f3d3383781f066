"""Reads of the benefits app, scoped to the user in the query (``accounts.access``).

Staff (city, county, township) and the county civil-affairs officer see the applications,
entitlements and rolls of the persons of their region; a record outside it is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from huican.accounts.access import can, region_prefix_for
from huican.benefits.models import Application, Entitlement, Roll
from huican.benefits.services import ROLE_OF_STEP, STEP_OF_STATUS
from huican.benefits.workdays import DEFAULT_LIMITS, add_working_days, all_step_limits, calendar_overrides


def _prefix(user: Any) -> str | None:
    if not can(user, "view_benefits"):
        return None
    return region_prefix_for(user)


def _region_q(prefix: str, field: str = "person__region__code") -> Q:
    return Q(**{f"{field}__startswith": prefix})


def applications_for(user: Any) -> QuerySet[Application]:
    prefix = _prefix(user)
    if prefix is None:
        return Application.objects.none()
    return Application.objects.filter(_region_q(prefix)).select_related("person")


def access_application_by_id(user: Any, application_id: int) -> Application:
    try:
        return applications_for(user).get(pk=application_id)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该申请") from None


def entitlements_for(user: Any) -> QuerySet[Entitlement]:
    prefix = _prefix(user)
    if prefix is None:
        return Entitlement.objects.none()
    return Entitlement.objects.filter(_region_q(prefix)).select_related("person", "application")


def access_entitlement_by_id(user: Any, entitlement_id: int) -> Entitlement:
    try:
        return entitlements_for(user).get(pk=entitlement_id)
    except (Entitlement.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该待遇记录") from None


def rolls_for(user: Any) -> QuerySet[Roll]:
    """Approved rolls whose region lies inside the user's (a county sees its county's rolls)."""
    prefix = _prefix(user)
    if prefix is None:
        return Roll.objects.none()
    if len(prefix) == 4:  # the whole city
        return Roll.objects.all()
    return Roll.objects.filter(region_code__startswith=prefix[:6])


def access_roll_by_id(user: Any, roll_id: int) -> Roll:
    try:
        return rolls_for(user).get(pk=roll_id)
    except (Roll.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该发放名册") from None


@dataclass(frozen=True)
class Deadline:
    step: str
    started: dt.date
    due: dt.date
    overdue: bool
    days_left: int  # calendar days until due (negative when overdue)


def deadline_of(
    application: Application,
    *,
    today: dt.date,
    limits: dict[tuple[str, str], int] | None = None,
    overrides: dict[dt.date, bool] | None = None,
) -> Deadline | None:
    """The deadline of the step the application waits at (working days from when it received it)."""
    step = STEP_OF_STATUS.get(application.status)
    if step is None or application.step_started_on is None:
        return None
    limits = all_step_limits() if limits is None else limits
    overrides = calendar_overrides() if overrides is None else overrides
    if step == "notice" and application.notice_until:
        due = application.notice_until
    else:
        days = limits.get((application.county_code, step), DEFAULT_LIMITS[step])  # type: ignore[index]
        due = add_working_days(application.step_started_on, days, overrides)
    return Deadline(
        step, application.step_started_on, due, today > due and step != "notice", (due - today).days
    )


def with_deadlines(
    applications: list[Application], *, today: dt.date
) -> list[tuple[Application, Deadline | None]]:
    """Applications with their deadlines, overdue first, then the nearest deadline."""
    limits, overrides = all_step_limits(), calendar_overrides()
    rows = [(a, deadline_of(a, today=today, limits=limits, overrides=overrides)) for a in applications]
    return sorted(
        rows, key=lambda r: (not (r[1] and r[1].overdue), r[1].due if r[1] else dt.date.max, r[0].pk)
    )


def waiting_for(user: Any) -> QuerySet[Application]:
    """Applications waiting at a step the user holds (their role, their region)."""
    statuses = [
        status for status, step in STEP_OF_STATUS.items() if ROLE_OF_STEP[step] == getattr(user, "role", None)
    ]
    return applications_for(user).filter(status__in=statuses)


def open_applications_for(user: Any) -> QuerySet[Application]:
    return (
        applications_for(user).filter(status__in=Application.OPEN).exclude(source=Application.Source.IMPORT)
    )
