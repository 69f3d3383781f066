"""Reads of the policy app, scoped to the user: the standards (city-wide data, seen by the roles that
may view standards, whatever their region — docs/decisions.md "导入与标准的权限")."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from huican.accounts.access import can
from huican.policy.models import Standard


def standards_for(user: Any) -> QuerySet[Standard]:
    """Every standards row, by region and effective date, for a user who may view standards; none
    otherwise."""
    if not can(user, "view_standards"):
        return Standard.objects.none()
    return Standard.objects.order_by("region_code", "effective_date")
