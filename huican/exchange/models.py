"""Import history and the departmental lists (部门名单) received through it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportBatch(models.Model):
    """One import of one file: what it was, who brought it, and what became of every row."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        UNCHANGED = "unchanged", "与已导入文件相同，未作改动"
        REFUSED = "refused", "文件被拒绝"
        ALL_REJECTED = "all_rejected", "全部行被拒绝，未生效"
        FAILED = "failed", "失败"

    kind = models.CharField(max_length=32, db_index=True)
    file_name = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, db_index=True)
    stored_path = models.CharField(max_length=500, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_by_name = models.CharField(max_length=150, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    not_in_registry = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unknown_columns = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    rejects_path = models.CharField(max_length=500, blank=True)
    same_as = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The date the department drew the list (a list is in force for computations on or after it);
    # the import date unless stated (FORMATS.md "--data-date"). Null only for batches of old versions.
    data_date = models.DateField(null=True, blank=True, db_index=True)
    # Where the rows were found: the sheet read (xlsx) and the spreadsheet row of the header.
    sheet_name = models.CharField(max_length=255, blank=True)
    header_row = models.PositiveIntegerField(default=1)
    # Warnings shown with the summary (header not in row 1, IDs ending in 000, a shrink confirmed …).
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        indexes = [models.Index(fields=["kind", "status", "-id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} #{self.pk}"

    @property
    def kind_title(self) -> str:
        """The kind's Chinese title (``dibao`` → 低保名单), what pages show instead of the code."""
        from huican.exchange.kinds import KINDS

        spec = KINDS.get(self.kind)
        return spec.title if spec is not None else self.kind


class RejectedRow(models.Model):
    """A row an import rejected, with every problem found in it (kept for the result page)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejected_rows")
    row_number = models.PositiveIntegerField()
    columns = models.TextField()
    reasons = models.TextField()

    class Meta:
        ordering = ["batch", "row_number"]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"


class ListRecord(models.Model):
    """One accepted row of a departmental list or a service record.

    One table for every list kind; each kind uses the fields it has (see exchange.kinds):
    ``start_date``/``end_date`` are 起始/终止日期 (or the first days of 起始/终止月份, or the
    death date, or the service date); ``year`` is 参保年度; ``category`` holds the kind's own
    classifier (保障类别, 供养方式, 险种, 就读方式, 服务类型, 补贴类型); ``status`` holds
    参保状态 or 结果; ``amount`` the money column.
    """

    # No index of its own: the (batch, id_hash) index below serves look-ups by batch. No foreign-key
    # constraint in the database either: PostgreSQL would check it once per row at commit, a fifth
    # of a large import's time, for a batch the import itself created in the same transaction
    # (batches are never deleted; Django still cascades a deletion made through the ORM).
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="records", db_index=False, db_constraint=False
    )
    kind = models.CharField(max_length=32)
    row_number = models.PositiveIntegerField()
    id_hash = models.CharField(max_length=32)
    id_number_encrypted = models.TextField()
    id_masked = models.CharField(max_length=20)
    in_registry = models.BooleanField(default=False)
    name = models.CharField(max_length=64, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    school_year = models.CharField(max_length=9, blank=True)
    category = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    project = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    fingerprint = models.CharField(max_length=32, blank=True)

    class Meta:
        # One index besides the key, and every look-up goes through it: a person's rows are found
        # batch by batch (``batch_id IN (…) AND id_hash = …``, one probe per batch:
        # ``snapshots.batch_ids``), the stored service prints by the services' batches. An import
        # writes a new batch in hash order, so this index (and the key) only grows at its end; an
        # index led by the hash alone, or by the kind, took every row at a random place: a quarter
        # of a list row's insert, and half of a service row's (docs/decisions.md).
        indexes = [models.Index(fields=["batch", "id_hash"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.id_masked}"


class BatchColumns(models.Model):
    """A columnar copy (Parquet) of the fact columns of one list batch's stored rows.

    A list batch never changes once imported (only a key change rewrites its keyed hashes, and
    then its copy is rebuilt), so reading a whole city's lists for the rules can read these few
    large values instead of tens of millions of rows. Written in the import's transaction; see
    ``huican.exchange.columnar``.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="column_parts")
    part = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "part"], name="batchcolumns_batch_part")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.part}"
