"""Monitoring inputs: plans loaded as data, and what staff enter (GDP growth, task progress, county
targets, report narratives, project figures)."""

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


class PlanDocument(models.Model):
    """A development plan loaded as data (`huican plan load FILE`): the file's text as loaded.

    The text is the source of truth (parsed and checked again by ``huican.monitoring.plan`` when
    read); ``start_year``..``end_year`` pick the plan a year is monitored against. Loading a plan with
    the code of one already stored replaces it (asked for, audited); earlier texts stay in the audit.
    """

    code = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()
    base_year = models.PositiveSmallIntegerField()
    illustrative = models.BooleanField(default=False, help_text="示例草案（非正式印发的规划）")
    source = models.TextField(help_text="规划文件全文（YAML）")
    file_name = models.CharField(max_length=255, blank=True)
    checksum = models.CharField(max_length=64)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_by_name = models.CharField(max_length=150, blank=True)
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["start_year", "code"]

    def __str__(self) -> str:
        return f"{self.title}（{self.start_year}–{self.end_year}）"


class UnitTarget(models.Model):
    """A county-level unit's own target for one indicator of a plan (县级实施方案), entered by staff.

    For a count indicator it is the county's share of the city's target; for a rate the county's own
    target where its implementation plan sets one. Shown on that county's dashboard beside the city's.
    """

    plan_code = models.CharField(max_length=64)
    indicator = models.CharField(max_length=64)
    region = models.CharField(max_length=12, help_text="县级区划代码")
    target = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=200, blank=True, help_text="依据，如县级实施方案的文号")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_code", "indicator", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_code", "indicator", "region"], name="monitoring_one_unit_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_code} {self.indicator} {self.region}: {self.target}"


class ReportNarrative(models.Model):
    """One saved version of a narrative part of a report (staff-edited text), never overwritten.

    ``section`` names the part (e.g. ``problems``, ``next_steps``, ``addressee``, ``signatory``,
    ``date``, ``task:3.3.3``); each save adds a version (1, 2, …); the newest is the draft in force.
    Issuing (publishing) a report freezes the versions in force into its figures.
    """

    plan_code = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    final = models.BooleanField(default=False)
    section = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_by_name = models.CharField(max_length=150, blank=True)
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["plan_code", "year", "final", "section", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_code", "year", "final", "section", "version"],
                name="monitoring_narrative_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_code} {self.year} {self.section} v{self.version}"


class ProjectFigure(models.Model):
    """A staff-entered figure for a 专栏 project target the data cannot compute (e.g. trainees of a
    programme run outside the registry), for a plan and a year, with its source."""

    plan_code = models.CharField(max_length=64)
    target_code = models.CharField(max_length=64, help_text="规划文件中专栏项目目标的代码")
    year = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_code", "target_code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_code", "target_code", "year"], name="monitoring_one_project_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_code} {self.year}: {self.value}"
