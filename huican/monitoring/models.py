"""Monitoring inputs that staff enter (the plan itself is a file: huican/monitoring/plans/)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class GdpGrowth(models.Model):
    """The city's GDP growth for a year (全市地区生产总值增速), the target of indicator 1."""

    year = models.PositiveSmallIntegerField(unique=True)
    rate_percent = models.DecimalField(max_digits=6, decimal_places=2, help_text="增速（%）")
    source = models.CharField(max_length=200, blank=True, help_text="数据来源，如统计公报")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.rate_percent}%"
