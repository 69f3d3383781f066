"""Writes of the exchange app outside the pipeline itself."""

from __future__ import annotations

from django.utils import timezone

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
