"""Cross-matching findings (比对发现, 政策找人) and their follow-up work list."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class FindingCode(models.TextChoices):
    """RULES.md "Cross-matching findings" and "Needs findings"."""

    DIBAO_NOT_COVERED = "dibao_not_covered", "应保未保"
    LIVING_SUBSIDY_NOT_COVERED = "living_subsidy_not_covered", "生活补贴应补未补"
    NURSING_SUBSIDY_NOT_COVERED = "nursing_subsidy_not_covered", "护理补贴应补未补"
    PAID_AFTER_DEATH = "paid_after_death", "死亡未停发"
    PAID_WHILE_INELIGIBLE = "paid_while_ineligible", "不符合条件仍在发放"
    DOUBLE_BENEFIT = "double_benefit", "重复享受"
    CHOOSE_HIGHER = "choose_higher", "择高待确认"
    MEDICAL_NOT_ENROLLED = "medical_not_enrolled", "医保未参保"
    PENSION_NOT_ENROLLED = "pension_not_enrolled", "养老保险未参保"
    CHILD_NOT_ENROLLED = "child_not_enrolled", "适龄未入学"
    CERTIFICATE_EXPIRED = "certificate_expired", "证件过期"
    NAME_MISMATCH = "name_mismatch", "姓名不一致"
    # RULES.md "Needs findings" (主动服务): the federation's own work, seen by its staff only.
    REHAB_NEED_UNSERVED = "rehab_need_unserved", "康复需求未服务"
    DEVICE_NEED_UNSERVED = "device_need_unserved", "辅具需求未适配"
    CARE_NEED_UNSERVED = "care_need_unserved", "托养需求未服务"
    RENOVATION_PENDING = "renovation_pending", "无障碍改造待实施"
    EMPLOYMENT_AID = "employment_aid", "就业援助对象"
    POVERTY_RISK = "poverty_risk", "返贫致贫风险"
    SEVERE_LIVING_ALONE = "severe_living_alone", "重度残疾人独居"


class FindingRun(models.Model):
    """One computation of every finding on a date, over the lists in force at the time."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Mode(models.TextChoices):
        """A run either reconciles the city's work list or is a read-only view (services.run_mode)."""

        RECONCILE = "reconcile", "核对工作清单"
        READ_ONLY = "read_only", "只读查看"

    on_date = models.DateField(help_text="比对日期")
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.RECONCILE)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triggered_by_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    # kind -> the import batch ids in force when the run read the lists
    batch_ids = models.JSONField(default=dict, blank=True)
    # code -> county code -> number of findings
    counts = models.JSONField(default=dict, blank=True)
    # code -> township code -> number of findings (for township staff's view of the history)
    township_counts = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    reopened_count = models.PositiveIntegerField(default=0)
    resolved_count = models.PositiveIntegerField(default=0)
    # The yearly lists with no row for the period read (huican.matching.missing_lists.MissingList)
    missing_lists = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"比对 #{self.pk} @ {self.on_date}"

    @property
    def reconciles(self) -> bool:
        return self.mode == self.Mode.RECONCILE

    @property
    def missing(self) -> list[Any]:
        """The run's missing yearly lists (MissingList)."""
        from huican.matching.missing_lists import MissingList

        return [MissingList.from_dict(item) for item in self.missing_lists or []]


class RunFinding(models.Model):
    """One finding of a read-only run (只读查看): kept with its run, never put in the work list."""

    run = models.ForeignKey(FindingRun, on_delete=models.CASCADE, related_name="findings")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=32, choices=FindingCode.choices)
    county_code = models.CharField(max_length=6)
    township_code = models.CharField(max_length=9, blank=True)
    detail = models.TextField()

    class Meta:
        indexes = [
            models.Index(fields=["run", "code"], name="matching_ru_run_id_code_idx"),
            models.Index(fields=["run", "county_code"], name="matching_ru_run_id_county_idx"),
            models.Index(fields=["run", "township_code"], name="matching_ru_run_id_town_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.person_id} @ run {self.run_id}"


class Finding(models.Model):
    """One (code, person) finding and what staff did about it."""

    class Status(models.TextChoices):
        PENDING = "待核实", "待核实"
        CONFIRMED = "已核实-需处理", "已核实-需处理"
        HANDLED = "已处理", "已处理"
        FALSE_POSITIVE = "误报", "误报"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="findings")
    code = models.CharField(max_length=32, choices=FindingCode.choices)
    county_code = models.CharField(max_length=6, db_index=True)
    township_code = models.CharField(max_length=9, blank=True, db_index=True)
    detail = models.TextField()
    first_seen_run = models.ForeignKey(FindingRun, on_delete=models.PROTECT, related_name="+")
    last_seen_run = models.ForeignKey(FindingRun, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, help_text="处理结果说明")
    auto_resolved = models.BooleanField(default=False, help_text="再次比对时已不再出现，系统自动关闭")
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "county_code", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "code"], name="one_finding_per_person_code")]
        indexes = [
            models.Index(fields=["code", "county_code"]),
            models.Index(fields=["status", "code"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.person_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CONFIRMED)


class FindingDeadline(models.Model):
    """How many working days staff have to act on a finding of `code` (from the run that first
    found it); without a row the default of its urgency tier applies (``matching.inbox``)."""

    code = models.CharField(max_length=32, unique=True, choices=FindingCode.choices)
    working_days = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.code} {self.working_days}"
