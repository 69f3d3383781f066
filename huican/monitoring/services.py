"""Writes of the monitoring app: the inputs staff enter for the indicators."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from huican.accounts.access import can
from huican.core.audit import audit_record
from huican.monitoring.models import GdpGrowth


class MonitoringError(ValueError):
    """An input the monitoring data does not accept."""


def gdp_growth_set(*, year: int, rate_percent: Decimal | str, actor: Any, source: str = "") -> GdpGrowth:
    """Enter (or correct) the city's GDP growth for `year`, the target of indicator 1; audited.

    Only city staff (who manage the standards) may enter it.
    """
    if getattr(actor, "is_authenticated", False) and not can(actor, "manage_standards"):
        raise PermissionDenied("无权录入地区生产总值增速")
    try:
        rate = Decimal(str(rate_percent)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise MonitoringError(f"增速应为数字（%）：{rate_percent!r}") from None
    if not 2000 <= int(year) <= 2100:
        raise MonitoringError(f"年度不正确：{year}")
    if not Decimal("-50") <= rate <= Decimal("50"):
        raise MonitoringError(f"增速超出合理范围：{rate}%")
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        before = GdpGrowth.objects.filter(year=year).values_list("rate_percent", flat=True).first()
        entry, _ = GdpGrowth.objects.update_or_create(
            year=year, defaults={"rate_percent": rate, "source": source.strip(), "entered_by": user}
        )
        audit_record(
            actor=actor,
            action="monitoring.gdp_growth",
            object_type="GdpGrowth",
            object_id=year,
            detail={"year": year, "before": before, "after": rate, "source": entry.source},
        )
    return entry
