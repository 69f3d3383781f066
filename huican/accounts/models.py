"""Users, their role, and the region each user may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    CITY_STAFF = "city_staff", "市残联工作人员"
    COUNTY_STAFF = "county_staff", "县残联工作人员"
    TOWNSHIP_STAFF = "township_staff", "乡镇（街道）工作人员"
    DEPARTMENT_OFFICER = "department_officer", "部门数据专员"
    CIVIL_AFFAIRS_OFFICER = "civil_affairs_officer", "县民政审定人员"
    EVALUATOR = "evaluator", "评估人员"
    SERVICE_ORG = "service_org", "服务机构人员"
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
    # For service-organisation accounts: the organisation (服务机构) whose served persons they see.
    organisation = models.CharField(max_length=100, blank=True)
    may_view_full = models.BooleanField(default=False, help_text="可查看完整身份证号等（需说明理由）")
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Set when an administrator sets the password (creation, reset): the user must choose their own.
    must_change_password = models.BooleanField(default=False)

    @property
    def region_code(self) -> str:
        return self.region_id or ""


class Grant(models.Model):
    """A pending change of rights that a second person must approve (三员分立, issue 10).

    Granting full-ID rights, a city-wide region or an administrator role (and switching on an
    account that holds them, or any change of role or region) is asked by the system administrator
    (or the operator's CLI) and takes effect only when a security administrator other than the
    requester and the account holder approves it. The grant holds the account's rights after the
    change; until approval the account keeps its old ones (a new account stays switched off).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待批准"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        SUPERSEDED = "superseded", "已被新申请取代"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    may_view_full = models.BooleanField(default=False)
    activate = models.BooleanField(default=False, help_text="批准后启用该账户")
    # A password an administrator set for an account holding the rights above (hash; "" = none).
    password = models.CharField(max_length=128, blank=True)
    reasons = models.JSONField(default=list, help_text="需要批准的原因")
    before = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="grants_requested"
    )
    requested_by_name = models.CharField(max_length=150)
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="grants_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"grant #{self.pk} {self.user_id} {self.status}"


class LoginFailure(models.Model):
    """One failed login from an address: the per-IP throttle counts them over a short window."""

    ip_address = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ip_address", "at"])]

    def __str__(self) -> str:
        return f"{self.ip_address} {self.at:%Y-%m-%d %H:%M}"


class AuditVerification(models.Model):
    """The outcome of one `audit verify` (CLI or the audit administrator's button)."""

    at = models.DateTimeField()
    actor_name = models.CharField(max_length=150)
    intact = models.BooleanField()
    checked = models.PositiveIntegerField()
    first_broken = models.PositiveBigIntegerField(null=True, blank=True)
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"verify {self.at:%Y-%m-%d %H:%M} {'intact' if self.intact else 'broken'}"
