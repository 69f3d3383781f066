"""Core records: the tamper-evident audit log and background jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One line of the append-only audit log (审计日志).

    Each entry's ``entry_hash`` is an HMAC (under the audit key, kept outside the database) of its
    own content and the previous entry's MAC, so any change, insertion or deletion breaks the chain
    from that point on, and a signed checkpoint outside the database catches a removed tail
    (`huican audit verify`, huican.core.audit).
    """

    sequence = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    region_code = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["at"]), models.Index(fields=["actor_name", "at"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.actor_name}"


class Job(models.Model):
    """A background task with visible progress (imports, recomputations, reports).

    ``target`` (``module:function``) and ``arguments`` say what a worker runs (huican.core.tasks);
    ``worker`` is the ``host:pid`` running it, ``attempts`` how many runs were started.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    target = models.CharField(max_length=200, blank=True)
    arguments = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"


class ScheduledRun(models.Model):
    """One period's run of a periodic job (huican.server.schedule): at most one per name and period."""

    name = models.CharField(max_length=64)
    period = models.CharField(max_length=32)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="core_scheduledrun_once")]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"


class ApiToken(models.Model):
    """A personal token for the REST API (/api/v1/), shown once and stored only as a hash.

    The token acts with its user's role and region scope; revoking keeps the row for the audit trail.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="令牌开头几位，便于辨认")
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TableVersion(models.Model):
    """A counter that database triggers raise on writes to a watched table.

    The triggers (migration core 0003) fire however the write is made (ORM, raw SQL, COPY): on
    PostgreSQL for every INSERT, UPDATE and DELETE statement, on SQLite for every updated or deleted
    row (an insert shows in the row count instead). See ``huican.core.copies``.
    """

    table = models.CharField(max_length=64, primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.table}@{self.version}"


class TableCopy(models.Model):
    """One part of a columnar copy (Parquet) of a watched table, as of ``stamp`` (copies.stamp)."""

    table = models.CharField(max_length=64)
    stamp = models.CharField(max_length=64)
    part = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "part"], name="tablecopy_table_part")]

    def __str__(self) -> str:
        return f"{self.table}@{self.stamp}:{self.part}"


class KeyFingerprint(models.Model):
    """Which keys this database's personal data is written under (huican.core.keycheck).

    ``name`` is ``data:<version>`` for each data-key version that may hold values, or ``hmac`` for
    the blind-index key; ``fingerprint`` is an HMAC of a fixed text under the key, never the key.
    A process whose keys do not match refuses to start or write.
    """

    name = models.CharField(max_length=40, primary_key=True)
    fingerprint = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}:{self.fingerprint[:8]}"
