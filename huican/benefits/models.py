"""The two subsidies' administration (BENEFITS.md): applications and their approval chain,
entitlements, monthly rolls and what they paid, and the working-day calendar the deadlines use."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Benefit(models.TextChoices):
    LIVING = "living_subsidy", "困难残疾人生活补贴"
    NURSING = "nursing_subsidy", "重度残疾人护理补贴"


# The 补贴类型 of the imports (生活补贴/护理补贴) ↔ the benefit codes.
SUBSIDY_NAMES = {"living_subsidy": "生活补贴", "nursing_subsidy": "护理补贴"}


class Application(models.Model):
    """An application for one subsidy by (or on behalf of) one registry person."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        TOWNSHIP_PASSED = "township_passed", "乡镇初审通过"
        FEDERATION_PASSED = "federation_passed", "县残联审核通过"
        IN_NOTICE = "in_notice", "民政审定通过·公示中"
        APPROVED = "approved", "审定批准"
        RETURNED = "returned", "退回补正"
        REJECTED = "rejected", "不予批准"
        WITHDRAWN = "withdrawn", "已撤回"

    class Source(models.TextChoices):
        WINDOW = "window", "乡镇（街道）窗口受理"
        FINDING = "finding", "主动发现·代为申请"
        API = "api", "接口提交"
        ONLINE = "online", "网上申请"
        IMPORT = "import", "原系统导入"

    class Applicant(models.TextChoices):
        SELF = "self", "本人"
        GUARDIAN = "guardian", "监护人或家属"
        VILLAGE = "village", "村（居）委会"
        AGENT = "agent", "其他代办人"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="applications")
    benefit = models.CharField(max_length=32, choices=Benefit.choices)
    applied_on = models.DateField(help_text="申请日期")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WINDOW)
    applicant_kind = models.CharField(max_length=10, choices=Applicant.choices, default=Applicant.SELF)
    applicant_name = models.CharField(max_length=64, blank=True, help_text="代办人/监护人姓名")
    county_code = models.CharField(max_length=6, db_index=True)
    township_code = models.CharField(max_length=9, blank=True, db_index=True)
    # The day the step now holding the file received it (its deadline counts from it).
    step_started_on = models.DateField(null=True, blank=True)
    # Where a returned application goes back to when resubmitted (the step that returned it).
    returned_from = models.CharField(max_length=20, blank=True)
    notice_until = models.DateField(null=True, blank=True, help_text="公示截止日期")
    decided_on = models.DateField(null=True, blank=True, help_text="审定日期")
    reject_reason = models.TextField(blank=True, help_text="不予批准原因")
    finding = models.ForeignKey(
        "matching.Finding", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey("exchange.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL)
    row_number = models.PositiveIntegerField(null=True, blank=True)
    account_name = models.CharField(max_length=64, blank=True, help_text="户名")
    account_encrypted = models.TextField(blank=True, help_text="银行账号（加密）")
    account_masked = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    OPEN = (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.TOWNSHIP_PASSED,
        Status.FEDERATION_PASSED,
        Status.IN_NOTICE,
        Status.RETURNED,
    )

    class Meta:
        ordering = ["-applied_on", "-id"]
        constraints = [
            # 一人一项补贴同时只有一件在办申请（原系统导入的历史记录除外）。
            models.UniqueConstraint(
                fields=["person", "benefit"],
                condition=models.Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "township_passed",
                        "federation_passed",
                        "in_notice",
                        "returned",
                    ]
                )
                & ~models.Q(source="import"),
                name="one_open_application_per_person_benefit",
            ),
            models.UniqueConstraint(
                fields=["person", "benefit", "applied_on"],
                condition=models.Q(source="import"),
                name="one_imported_application_per_day",
            ),
        ]
        indexes = [models.Index(fields=["status", "county_code"])]

    def __str__(self) -> str:
        return f"{self.get_benefit_display()}申请 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ApplicationEvent(models.Model):
    """One step of an application's history: who did what, when, seeing which decision, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    # The RULES.md decision of the subsidy on the day of the step (decision, clauses).
    decision = models.CharField(max_length=12, blank=True)
    clauses = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.to_status}"


class ApplicationDocument(models.Model):
    """A scan, photo or PDF attached to an application, stored encrypted (``core.filecrypt``)."""

    class Kind(models.TextChoices):
        IDENTITY = "identity", "身份证明"
        CERTIFICATE = "certificate", "残疾人证"
        HARDSHIP = "hardship", "困难证明（低保证等）"
        CARE = "care", "长期照护需求证明"
        OTHER = "other", "其他材料"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    stored_name = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_kind_display()}"


class Entitlement(models.Model):
    """A subsidy granted to a person from a month (and possibly until a month).

    Granted in the system by an approved application (``application``; in effect from its 审定日期,
    ``effective_from``), or by approved applications of the `applications` import (one per person
    and subsidy, from the earliest 申请日期, in effect from the earliest 审定日期).
    """

    class Source(models.TextChoices):
        APPLICATION = "application", "本系统审批"
        IMPORTED = "imported", "原系统审批（导入）"

    class StopReason(models.TextChoices):
        DEATH = "death", "死亡"
        INELIGIBLE = "ineligible", "不再符合条件"
        MOVED = "moved", "迁出"
        REQUEST = "request", "本人申请停发"
        CHOICE = "choice", "择高享受其他待遇"

    Benefit = Benefit

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="entitlements")
    benefit = models.CharField(max_length=32, choices=Benefit.choices)
    start_month = models.DateField(help_text="起始月份（当月 1 日）")
    end_month = models.DateField(null=True, blank=True, help_text="终止月份（当月 1 日）")
    monthly_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.APPLICATION)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="entitlements"
    )
    effective_from = models.DateField(null=True, blank=True, help_text="审定日期（自此日起计为享受）")
    stop_reason = models.CharField(max_length=12, choices=StopReason.choices, blank=True)
    stop_note = models.TextField(blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["benefit", "start_month"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.benefit} {self.start_month}"


class BenefitChoice(models.Model):
    """The person's choice when nursing subsidy meets elderly care (择高享受), recorded by staff."""

    class Chosen(models.TextChoices):
        NURSING = "nursing_subsidy", "领取重度残疾人护理补贴"
        ELDERLY = "elderly_care", "领取老年人护理补贴"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="benefit_choices")
    chosen = models.CharField(max_length=16, choices=Chosen.choices)
    recorded_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.chosen}"


class Roll(models.Model):
    """An approved monthly roll (发放名册) of one region; drafts are computed, never stored."""

    month = models.DateField(help_text="发放月份（当月 1 日）")
    region_code = models.CharField(max_length=12, help_text="区划代码（140900 为全市）")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField(max_length=150)
    approved_at = models.DateTimeField(auto_now_add=True)
    totals = models.JSONField(default=list)
    township_totals = models.JSONField(default=list)
    lines_count = models.PositiveIntegerField(default=0)
    paid_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    recovery_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["-month", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["month", "region_code"], name="one_roll_per_month_region")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.month:%Y-%m}"


class RollLine(models.Model):
    roll = models.ForeignKey(Roll, on_delete=models.PROTECT, related_name="lines")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    benefit = models.CharField(max_length=32, choices=Benefit.choices)
    county_code = models.CharField(max_length=6)
    township_code = models.CharField(max_length=9, blank=True)
    status = models.CharField(max_length=4)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    arrears = models.JSONField(default=list)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.roll_id} {self.person_id} {self.benefit}"


class RollRecovery(models.Model):
    roll = models.ForeignKey(Roll, on_delete=models.PROTECT, related_name="recoveries")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    benefit = models.CharField(max_length=32, choices=Benefit.choices)
    county_code = models.CharField(max_length=6)
    months = models.JSONField(default=list)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.roll_id} {self.person_id} {self.benefit}"


class Payment(models.Model):
    """One month of one subsidy paid to one person by an approved roll (its own month or arrears)."""

    roll = models.ForeignKey(Roll, on_delete=models.PROTECT, related_name="payments")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    benefit = models.CharField(max_length=32, choices=Benefit.choices)
    month = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "benefit", "month"], name="one_payment_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.benefit} {self.month:%Y-%m}"


class CalendarDay(models.Model):
    """A date the working-day library does not know (or gets wrong): staff extend the calendar."""

    date = models.DateField(unique=True)
    is_workday = models.BooleanField(help_text="是否为工作日（调休上班日为是，新增假日为否）")
    note = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.is_workday}"


class StepLimit(models.Model):
    """A county's time limit (working days) for one step; without a row the default applies."""

    class Step(models.TextChoices):
        TOWNSHIP = "township", "乡镇初审"
        FEDERATION = "federation", "县残联审核"
        CIVIL_AFFAIRS = "civil_affairs", "县民政审定"
        NOTICE = "notice", "公示"

    county_code = models.CharField(max_length=6)
    step = models.CharField(max_length=16, choices=Step.choices)
    working_days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county_code", "step"], name="one_limit_per_county_step")
        ]

    def __str__(self) -> str:
        return f"{self.county_code} {self.step} {self.working_days}"


class RecheckRun(models.Model):
    """One annual re-check (年度复核) of every entitlement in force on a date (``benefits.recheck``)."""

    class Status(models.TextChoices):
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    on_date = models.DateField(help_text="复核日期")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by_name = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    entitlements = models.PositiveIntegerField(default=0, help_text="复核的在享待遇（人·项）")
    items_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"复核 {self.on_date} #{self.pk}"


class RecheckItem(models.Model):
    """A recipient the re-check lists for follow-up (one per person and subsidy in force)."""

    class Status(models.TextChoices):
        PENDING = "待核实", "待核实"
        CHECKED = "已核实", "已核实"
        DONE = "已处理", "已处理"

    run = models.ForeignKey(RecheckRun, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    benefit = models.CharField(max_length=32, choices=Benefit.choices)
    county_code = models.CharField(max_length=6, db_index=True)
    township_code = models.CharField(max_length=9, blank=True, db_index=True)
    # Why listed: ineligible / unknown / certificate_expiring / no_recent_survey.
    reasons = models.JSONField(default=list)
    decision = models.CharField(max_length=12, blank=True)
    expiry_date = models.DateField(null=True, blank=True, help_text="残疾人证有效期截止（次日起失效）")
    survey_year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="最近调查年度")
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["county_code", "township_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person", "benefit"], name="one_recheck_item_per_entitlement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.person_id} {self.benefit}"
