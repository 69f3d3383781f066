"""Reads of the audit log (only the audit administrator reaches them: see accounts.audit_views)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from huican.core.models import AuditEntry


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_entries(
    *,
    actor: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    object_id: str = "",
) -> QuerySet[AuditEntry]:
    """Entries matching every given filter, newest first. Dates are local calendar days."""
    entries = AuditEntry.objects.all()
    if actor:
        entries = entries.filter(actor_name=actor)
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if object_id:
        entries = entries.filter(Q(object_id=object_id) | Q(object_type=object_id))
    return entries.order_by("-sequence")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filters_from(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("actor", "action", "date_from", "date_to", "object_id")
    return {k: data.get(k) or (None if k.startswith("date") else "") for k in keys}
