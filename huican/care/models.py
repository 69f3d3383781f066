"""Service records entered in the system (服务记录): the seven 服务类型 of the `services` import,
each a ``ServiceRecord``; the staged kinds keep their stages beside it — a device fitting
(评估 → 适配 → 回访), a 托养 placement (机构, 期间), a visit (走访探视: who went, what was found,
whether follow-up is needed) and a household's 无障碍改造 project (申请 → 入户评估 → 施工 → 验收,
with cost and photos stored encrypted). Rules, findings and indicators read them with the imported
rows (``huican.care.facts``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# The 服务类型 of FORMATS.md `services` (huican.exchange.kinds.SERVICE_TYPES), in the same words.
REHABILITATION = "康复服务"
DEVICE = "辅具适配"
TRAINING = "职业技能培训"
RENOVATION = "无障碍改造"
CARE = "托养服务"
VISIT = "走访探视"
LEGAL_AID = "法律援助"


class ServiceKind(models.TextChoices):
    REHABILITATION = REHABILITATION, REHABILITATION
    DEVICE = DEVICE, DEVICE
    TRAINING = TRAINING, TRAINING
    RENOVATION = RENOVATION, RENOVATION
    CARE = CARE, CARE
    VISIT = VISIT, VISIT
    LEGAL_AID = LEGAL_AID, LEGAL_AID


class Result(models.TextChoices):
    DONE = "完成", "完成"
    IN_PROGRESS = "进行中", "进行中"


class ServiceRecord(models.Model):
    """One service given to one registry person, as a `services` import row would state it."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="service_records")
    kind = models.CharField("服务类型", max_length=16, choices=ServiceKind.choices, db_index=True)
    service_date = models.DateField("服务日期")
    organisation = models.CharField("服务机构", max_length=100, blank=True, db_index=True)
    project = models.CharField("项目", max_length=200, blank=True)
    result = models.CharField("结果", max_length=8, choices=Result.choices, default=Result.DONE)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    notes = models.TextField("备注", blank=True)
    # The stage reached, for the staged kinds (辅具适配, 无障碍改造); blank for the others.
    stage = models.CharField("阶段", max_length=16, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-service_date", "-id"]
        indexes = [models.Index(fields=["person", "kind", "service_date"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.service_date:%Y-%m-%d} #{self.person_id}"

    @property
    def stage_label(self) -> str:
        """The stage reached, in Chinese ("" for kinds without stages)."""
        stages = {DEVICE: DeviceFitting.Stage, RENOVATION: RenovationProject.Stage}.get(self.kind)
        return str(stages(self.stage).label) if stages and self.stage else ""


class Assignment(models.Model):
    """A person handed to a service organisation by county or township staff (the organisation
    then sees the person, inside its region)."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="care_assignments")
    organisation = models.CharField("服务机构", max_length=100, db_index=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation"], name="care_assignment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.organisation}"


class DeviceFitting(models.Model):
    """辅具适配 in three stages: 评估 (assessment) → 适配 (fitting) → 回访 (follow-up)."""

    class Stage(models.TextChoices):
        ASSESSMENT = "assessment", "评估"
        FITTING = "fitting", "适配"
        FOLLOW_UP = "follow_up", "回访"

    record = models.OneToOneField(ServiceRecord, on_delete=models.CASCADE, related_name="device")
    device = models.CharField("辅具名称", max_length=100)
    assessed_on = models.DateField("评估日期")
    fitted_on = models.DateField("适配日期", null=True, blank=True)
    followed_up_on = models.DateField("回访日期", null=True, blank=True)
    follow_up_notes = models.TextField("回访情况", blank=True)

    def __str__(self) -> str:
        return f"{self.device} #{self.record_id}"


class CarePlacement(models.Model):
    """托养服务: where (the record's organisation), which kind of care, and the period."""

    class Mode(models.TextChoices):
        RESIDENTIAL = "residential", "寄宿制托养"
        DAY = "day", "日间照料"
        HOME = "home", "居家托养"

    record = models.OneToOneField(ServiceRecord, on_delete=models.CASCADE, related_name="placement")
    mode = models.CharField("托养方式", max_length=16, choices=Mode.choices)
    period_start = models.DateField("托养起始日期")
    period_end = models.DateField("托养终止日期", null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_mode_display()} #{self.record_id}"


class Visit(models.Model):
    """走访探视: who visited, what they found, and whether someone must follow up."""

    record = models.OneToOneField(ServiceRecord, on_delete=models.CASCADE, related_name="visit")
    visitor = models.CharField("走访人", max_length=100)
    found = models.TextField("走访发现的情况")
    follow_up_needed = models.BooleanField("需要跟进", default=False)

    def __str__(self) -> str:
        return f"{self.visitor} #{self.record_id}"


class RenovationProject(models.Model):
    """A household's 无障碍改造 project: 申请 → 入户评估 → 施工 → 验收, with cost and photos.

    Its ``record`` is the 无障碍改造 service: 进行中 dated at the application until the acceptance,
    then 完成 dated at the acceptance (a renovation is completed on the day it is accepted)."""

    class Stage(models.TextChoices):
        APPLICATION = "application", "申请"
        ASSESSMENT = "assessment", "入户评估"
        CONSTRUCTION = "construction", "施工"
        ACCEPTANCE = "acceptance", "验收"

    record = models.OneToOneField(ServiceRecord, on_delete=models.PROTECT, related_name="renovation")
    household_number = models.CharField("户编号", max_length=64, db_index=True)
    stage = models.CharField("阶段", max_length=16, choices=Stage.choices, default=Stage.APPLICATION)
    applied_on = models.DateField("申请日期")
    assessed_on = models.DateField("入户评估日期", null=True, blank=True)
    assessment_notes = models.TextField("评估意见（改造内容）", blank=True)
    construction_started_on = models.DateField("施工开始日期", null=True, blank=True)
    contractor = models.CharField("施工单位", max_length=100, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    cost = models.DecimalField("改造费用（元）", max_digits=12, decimal_places=2, null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.household_number} {self.get_stage_display()}"


class RenovationPhoto(models.Model):
    """A photo (or scan) of a renovation stage, stored encrypted (``core.documents``, area "care")."""

    project = models.ForeignKey(RenovationProject, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField("阶段", max_length=16, choices=RenovationProject.Stage.choices)
    caption = models.CharField("说明", max_length=200, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    stored_name = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.project_id} {self.original_name}"
