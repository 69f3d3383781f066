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


class TaskProgress(models.Model):
    """A unit's report on one task of the plan (§三/§四) for one year (任务进展).

    ``task_code`` is the task's code in the plan file (e.g. ``3.3.3``) and ``plan_code`` the plan's,
    so a new plan's tasks never mix with the old ones. ``figures`` is a list of
    ``{"name", "value", "unit"}`` the unit reports beside its text. One report per unit, task and
    year: a correction replaces it (the audit log keeps the earlier text).
    """

    plan_code = models.CharField(max_length=64)
    task_code = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=100, help_text="报告单位")
    text = models.TextField(help_text="进展情况")
    figures = models.JSONField(default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_code", "year", "task_code", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_code", "task_code", "year", "unit"], name="monitoring_one_report_per_unit_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_code} {self.year} {self.unit}"


class IndicatorSnapshot(models.Model):
    """Computed indicator rows kept so the dashboard answers fast (a cache, never a source).

    Keyed by the year, the evaluation date D, the region run ('' = the city and every county-level
    unit) and the data version (``huican.monitoring.selectors.data_version``); rows of an older
    version are dropped when a newer one is stored.
    """

    year = models.PositiveSmallIntegerField()
    on = models.DateField()
    region = models.CharField(max_length=12, blank=True)
    version = models.CharField(max_length=64)
    rows = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "on", "region", "version"], name="monitoring_snapshot_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.on} {self.region or '全市'} {self.version[:8]}"


class PublishedReport(models.Model):
    """An annual report or final evaluation as published (发布) by city staff: frozen figures.

    ``figures`` holds everything the report prints that comes from data: the indicator rows of every
    (year, D) of its trend for every unit (``runs``: a list of {"year", "on", "rows"}), the findings
    counted per code and county, the task progress reports and the data sources. ``batches`` (list
    kind → batch ids in force on D) and ``copies`` (watched table → the stamp of its columnar copy)
    name the data version it was computed on; ``data_version`` is the dashboard's digest then. The
    report is produced again from ``figures`` alone (``huican.monitoring.publishing``). A later
    publication of the same year and kind supersedes it; every publication is kept.
    """

    plan_code = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    final = models.BooleanField(default=False)
    on = models.DateField(help_text="评估日期 D")
    today = models.DateField(help_text="发布时的当天日期（决定当年的评估日期）")
    figures = models.JSONField(default=dict)
    batches = models.JSONField(default=dict)
    copies = models.JSONField(default=dict)
    data_version = models.CharField(max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by_name = models.CharField(max_length=150, blank=True)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["year", "final", "-published_at"])]

    def __str__(self) -> str:
        return f"{self.year}{' 终期' if self.final else ''} {self.published_at:%Y-%m-%d}"
