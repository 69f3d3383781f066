"""Proportional-employment declarations (按比例就业年审) and the fund's parameters (EMPLOYMENT.md).

A `Declaration` is one employer's annual declaration (the `employers` import, the web form or the
API), keyed by 统一社会信用代码 and 统计年度; its `DeclaredPerson` rows are the disabled employees it
declares (the `employer_staff` import). A later declaration of the same employer and year replaces
the earlier one (docs/decisions.md). `LevyStandard` holds the `levy_standards` parameters; a blank
optional column is stored as null and read as EMPLOYMENT.md's default.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Declaration(models.Model):
    class UnitType(models.TextChoices):
        ENTERPRISE = "企业", "企业"
        ORGAN = "机关", "机关"
        INSTITUTION = "事业单位", "事业单位"
        ASSOCIATION = "社会团体", "社会团体"
        PRIVATE_NON_PROFIT = "民办非企业单位", "民办非企业单位"

    credit_code = models.CharField("统一社会信用代码", max_length=18)
    year = models.PositiveSmallIntegerField("统计年度")
    name = models.CharField("单位名称", max_length=200)
    unit_type = models.CharField("单位类型", max_length=10, choices=UnitType.choices)
    staff = models.DecimalField("在职职工人数", max_digits=10, decimal_places=1)
    average_wage = models.DecimalField("在职职工年平均工资", max_digits=14, decimal_places=2)
    # 6-digit county of registration, or the city code.
    region_code = models.CharField("区划代码", max_length=6, db_index=True)
    established_posts = models.PositiveIntegerField("编制数", null=True, blank=True)
    is_school = models.BooleanField("是否学校幼儿园", null=True, blank=True)
    batch = models.ForeignKey("exchange.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "region_code", "credit_code"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code", "year"], name="one_declaration_per_employer_year")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}，{self.year}）"


class DeclaredPerson(models.Model):
    """A disabled employee declared by an employer for a year (found by `id_hash`)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="persons")
    id_hash = models.CharField(max_length=64, db_index=True)
    id_number_encrypted = models.TextField()
    id_masked = models.CharField(max_length=18)
    name = models.CharField("姓名", max_length=100)
    contract_start = models.DateField("劳动合同起始日期")
    contract_end = models.DateField("劳动合同终止日期", null=True, blank=True)

    class Meta:
        ordering = ["declaration", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "id_hash"], name="one_declared_person_per_declaration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"


class LevyStandard(models.Model):
    """残保金参数 for a year and a county (or the city-wide default); null = EMPLOYMENT.md's default."""

    region_code = models.CharField("区划代码", max_length=6)
    year = models.PositiveSmallIntegerField("统计年度")
    social_average_wage = models.DecimalField("社会平均工资", max_digits=14, decimal_places=2)
    ratio = models.DecimalField("安排比例", max_digits=8, decimal_places=6, null=True, blank=True)
    age_min = models.PositiveSmallIntegerField("就业年龄下限", null=True, blank=True)
    age_max = models.PositiveSmallIntegerField("就业年龄上限", null=True, blank=True)
    tiered = models.BooleanField("分档减缴", null=True, blank=True)
    small_exempt = models.PositiveIntegerField("小微企业免征人数", null=True, blank=True)
    batch = models.ForeignKey("exchange.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["year", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="one_levy_standard_per_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}"


class FederationStaff(models.Model):
    """A county federation's staff and disabled staff for a year (the 15% target)."""

    county_code = models.CharField("县级残联", max_length=6)
    year = models.PositiveSmallIntegerField("年度")
    staff = models.PositiveIntegerField("在职人数")
    disabled_staff = models.PositiveIntegerField("其中残疾人")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "county_code"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "year"], name="one_federation_staff_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.county_code} {self.year}"


# 就业援助 (employment aid): what staff do for the persons of the `employment_aid` needs finding —
# job seeking (求职登记), training (a 职业技能培训 service record of ``care``, which indicator 2
# counts), placement in a new job and its follow-up (回访). ``huican.employment.aid`` writes them.


class PlacementKind(models.TextChoices):
    """The forms of employment a placement may take (the plan's 多形式就业)."""

    PROPORTIONAL = "按比例", "按比例就业"
    CENTRALISED = "集中", "集中就业"
    SELF_EMPLOYED = "个体", "个体就业"
    FLEXIBLE = "灵活", "灵活就业"
    SUPPORTED = "辅助性", "辅助性就业"
    PUBLIC_WELFARE = "公益性岗位", "公益性岗位就业"


class JobSeeking(models.Model):
    """求职登记: a person registered as seeking work, with what they want; closed when placed."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="job_seekings")
    registered_on = models.DateField("登记日期")
    wishes = models.CharField("求职意向", max_length=200, blank=True)
    preferred_kind = models.CharField("意向就业形式", max_length=8, choices=PlacementKind.choices, blank=True)
    notes = models.TextField("备注", blank=True)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    closed_reason = models.CharField("结束原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-registered_on", "-id"]

    def __str__(self) -> str:
        return f"求职登记 {self.registered_on:%Y-%m-%d} #{self.person_id}"


class Placement(models.Model):
    """A new job (安置就业): where, from when, in which form; ended when a follow-up finds the person
    no longer in work."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="placements")
    employer = models.CharField("用人单位", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    started_on = models.DateField("就业日期", db_index=True)
    kind = models.CharField("就业形式", max_length=8, choices=PlacementKind.choices)
    job = models.CharField("岗位", max_length=100, blank=True)
    notes = models.TextField("备注", blank=True)
    ended_on = models.DateField("离岗日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"{self.employer} {self.started_on:%Y-%m-%d} #{self.person_id}"


class PlacementFollowUp(models.Model):
    """回访: whether the placed person is still in work, and what was found."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="follow_ups")
    followed_on = models.DateField("回访日期")
    in_work = models.BooleanField("仍在岗")
    notes = models.TextField("回访情况", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-followed_on", "-id"]

    def __str__(self) -> str:
        return f"回访 {self.followed_on:%Y-%m-%d} #{self.placement_id}"
