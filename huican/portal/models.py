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
