"""The portal's daily clean-up: sign-in codes, failure counters and staged documents kept no longer
than they serve (scheduled as ``portal.purge``, huican.server.schedule).

A code is needed for its 5 minutes and the per-person sending limits look back one hour; a failure
counter for its window and lock; a staged document until its application is sent (24 hours at most).
Everything older than a day is deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from huican.core.audit import audit_record
from huican.portal.applying import sweep_staging
from huican.portal.models import OneTimeCode, SignInGuard

PURGE_JOB = "portal.purge"
KEEP = dt.timedelta(days=1)


def purge_portal(*, now: dt.datetime | None = None) -> dict[str, int]:
    moment = now or timezone.now()
    cutoff = moment - KEEP
    codes, _ = OneTimeCode.objects.filter(expires_at__lt=cutoff).delete()
    guards, _ = (
        SignInGuard.objects.filter(window_start__lt=cutoff)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=moment))
        .delete()
    )
    staged = sweep_staging(now=moment.timestamp())
    result = {"codes": codes, "guards": guards, "staged_documents": staged}
    if any(result.values()):
        audit_record(actor="system", action="portal.purge", object_type="portal", detail=result)
    return result


def purge_job(*, progress: Any) -> dict[str, int]:
    """The background job of the daily clean-up (safe to run again)."""
    progress(10, "删除过期的登录验证码、失败计数和未提交的申请材料")
    return purge_portal()
