"""Entitlements granted in the system (the approval chain writes them)."""

from __future__ import annotations

from django.db import models


class Entitlement(models.Model):
    """A subsidy granted to a person from a month (and possibly until a month)."""

    class Benefit(models.TextChoices):
        LIVING = "living_subsidy", "困难残疾人生活补贴"
        NURSING = "nursing_subsidy", "重度残疾人护理补贴"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="entitlements")
    benefit = models.CharField(max_length=32, choices=Benefit.choices)
    start_month = models.DateField(help_text="起始月份（当月 1 日）")
    end_month = models.DateField(null=True, blank=True, help_text="终止月份（当月 1 日）")
    monthly_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["benefit", "start_month"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.benefit} {self.start_month}"
