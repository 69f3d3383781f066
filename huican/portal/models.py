"""What the portal keeps for citizens' sign-in: one-time codes, the failure counters that lock a
sign-in, the guardians and agents staff recorded (监护人、委托代理人), and each person's last visit.

A citizen is never a ``accounts.User``: the signed-in person lives under its own session key
(``huican.portal.session``). ID numbers and phones are stored encrypted with a keyed hash for
lookup (``core.crypto``), as everywhere else.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class Authorisation(models.Model):
    """A guardian (监护人) or agent (委托代理人) who may act for a person on the portal, recorded by
    staff after seeing the papers (监护关系证明、授权委托书). Revoked, never deleted."""

    class Relation(models.TextChoices):
        GUARDIAN = "guardian", "监护人"
        AGENT = "agent", "委托代理人"

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="portal_agents")
    agent_name = models.CharField(max_length=64)
    agent_id_hash = models.CharField(max_length=32, db_index=True)
    agent_id_encrypted = models.TextField()
    agent_id_masked = models.CharField(max_length=20)
    agent_phone_encrypted = models.TextField()
    agent_phone_masked = models.CharField(max_length=20)
    relation = models.CharField(max_length=10, choices=Relation.choices)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="依据的材料，如授权委托书")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=150, blank=True)
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.relation} {self.agent_id_masked}"

    def active_on(self, day: dt.date) -> bool:
        return (
            self.revoked_at is None
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class OneTimeCode(models.Model):
    """A 6-digit sign-in code sent by SMS: only its keyed hash is kept; 5 minutes, 5 tries, once."""

    class Purpose(models.TextChoices):
        SIGNIN = "signin", "本人登录"
        AGENT = "agent", "代他人办理"

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    authorisation = models.ForeignKey(
        Authorisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=32)
    phone_masked = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "created_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class SignInGuard(models.Model):
    """Failed sign-in steps counted per keyed hash of an ID number or of a client address; at the
    limit the key is locked for a while. Nothing here can be turned back into the number."""

    class Kind(models.TextChoices):
        ID_NUMBER = "id", "身份证号"
        ADDRESS = "ip", "访问地址"

    kind = models.CharField(max_length=2, choices=Kind.choices)
    key_hash = models.CharField(max_length=32)
    failures = models.PositiveSmallIntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key_hash"], name="one_guard_per_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key_hash[:8]} {self.failures}"


class PortalVisit(models.Model):
    """When a person (or someone acting for them) last signed in: 我的 lists what changed since."""

    person = models.OneToOneField("registry.Person", on_delete=models.CASCADE, related_name="+")
    signed_in_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.person_id} {self.signed_in_at:%Y-%m-%d %H:%M}"


class CitizenRequest(models.Model):
    """A request or complaint (群众诉求) taken by the 12385 hotline, online, at a counter or as a
    信访: routed to a township or county office, answered within a number of working days
    (``portal.requests.REPLY_WORKING_DAYS``), and rated by the citizen. The contact phone is stored
    encrypted and shown masked; the person is empty for an anonymous caller."""

    class Channel(models.TextChoices):
        HOTLINE = "hotline", "热线电话"
        ONLINE = "online", "网上"
        COUNTER = "counter", "窗口"
        PETITION = "petition", "信访"

    class Kind(models.TextChoices):
        ENQUIRY = "enquiry", "咨询"
        HELP = "help", "求助"
        COMPLAINT = "complaint", "投诉"
        SUGGESTION = "suggestion", "建议"

    class Category(models.TextChoices):
        SUBSIDY = "subsidy", "补贴"
        DIBAO = "dibao", "低保"
        REHABILITATION = "rehabilitation", "康复"
        DEVICE = "device", "辅具"
        EDUCATION = "education", "教育"
        EMPLOYMENT = "employment", "就业"
        ACCESSIBILITY = "accessibility", "无障碍"
        CERTIFICATE = "certificate", "证件"
        OTHER = "other", "其他"

    class Contact(models.TextChoices):
        PHONE = "phone", "电话"
        SMS = "sms", "短信"
        NONE = "none", "不需要回复"

    class Status(models.TextChoices):
        RECEIVED = "received", "待受理"
        HANDLING = "handling", "办理中"
        REPLIED = "replied", "已答复"
        CLOSED = "closed", "已办结"

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        FAIRLY = "fairly", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    number = models.CharField(max_length=24, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    category = models.CharField(max_length=16, choices=Category.choices)
    description = models.TextField()
    caller_name = models.CharField(max_length=64, blank=True, help_text="来电人怎么称呼（匿名时）")
    contact_preference = models.CharField(max_length=6, choices=Contact.choices)
    contact_phone_encrypted = models.TextField(blank=True)
    contact_phone_masked = models.CharField(max_length=20, blank=True)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="portal_requests"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField(max_length=6, db_index=True)
    office = models.CharField(max_length=100, help_text="承办单位")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField()
    received_on = models.DateField(db_index=True)
    received_by_name = models.CharField(max_length=150)
    due_on = models.DateField()
    reply = models.TextField(blank=True)
    replied_on = models.DateField(null=True, blank=True)
    replied_by_name = models.CharField(max_length=150, blank=True)
    satisfaction = models.CharField(max_length=12, choices=Satisfaction.choices, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "群众诉求"
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.HANDLING)

    def overdue_on(self, day: dt.date) -> bool:
        """Open and past its due date, or answered after it."""
        if self.replied_on is not None:
            return self.replied_on > self.due_on
        return self.is_open and day > self.due_on


class CitizenRequestEvent(models.Model):
    """One step of a request's history: received, accepted, routed, replied, closed, rated."""

    class Action(models.TextChoices):
        CREATE = "create", "登记"
        ACCEPT = "accept", "受理"
        ROUTE = "route", "转办"
        REPLY = "reply", "答复"
        CLOSE = "close", "办结"
        RATE = "rate", "评价"
        NOTIFY = "notify", "短信通知"

    request = models.ForeignKey(CitizenRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=8, choices=Action.choices)
    actor_name = models.CharField(max_length=150)
    from_office = models.CharField(max_length=100, blank=True)
    to_office = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action} {self.at:%Y-%m-%d}"
