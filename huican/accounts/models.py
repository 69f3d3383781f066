"""Users, their role, and the region each user may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    CITY_STAFF = "city_staff", "市残联工作人员"
    COUNTY_STAFF = "county_staff", "县残联工作人员"
    TOWNSHIP_STAFF = "township_staff", "乡镇（街道）工作人员"
    DEPARTMENT_OFFICER = "department_officer", "部门数据专员"
    EVALUATOR = "evaluator", "评估人员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.TOWNSHIP_STAFF)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    # For department data officers: which list kinds (FORMATS.md) they may import.
    import_kinds = models.JSONField(default=list, blank=True)
    department = models.CharField(max_length=32, blank=True)
    may_view_full = models.BooleanField(default=False, help_text="可查看完整身份证号等（需说明理由）")
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    @property
    def region_code(self) -> str:
        return self.region_id or ""
