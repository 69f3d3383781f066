"""Writes of the exchange app outside the pipeline itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from huican.core.audit import audit_record
from huican.exchange.models import ImportBatch


def fail_interrupted_imports() -> int:
    """Mark imports left running by a stopped server as failed (their transaction was rolled back)."""
    return ImportBatch.objects.filter(
        status__in=[ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING]
    ).update(
        status=ImportBatch.Status.FAILED,
        message="服务重启，导入中断，未写入任何数据，请重新导入",
        finished_at=timezone.now(),
    )


@transaction.atomic
def record_refusal(
    *,
    kind: str,
    file_name: str,
    actor: Any,
    reason: str,
    checksum: str = "",
    data_date: dt.date | None = None,
    shrink: bool = False,
    ip_address: str = "",
) -> ImportBatch:
    """Record a file refused whole — unreadable, a required column missing, a list that would shrink
    without confirmation — as a refused batch of the import history (who, when, file name, reason)
    and in the audit log; nothing else changes. The one way every entry point records a refusal:
    `huican import`, the web preview and `POST /api/v1/imports` (`actor`: a user, or a name)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = user.username if user else (actor if isinstance(actor, str) else "命令行")
    batch = ImportBatch.objects.create(
        kind=kind[:32],
        file_name=file_name,
        checksum=checksum,
        imported_by=user,
        imported_by_name=actor_name,
        status=ImportBatch.Status.REFUSED,
        message=reason,
        finished_at=timezone.now(),
        data_date=data_date or timezone.localdate(),
    )
    audit_record(
        actor=user or actor_name,
        action="import.shrink_refused" if shrink else "import.refused",
        object_type="import",
        object_id=batch.pk,
        detail={"kind": kind, "file": file_name, "reason": reason},
        ip_address=ip_address,
    )
    return batch
