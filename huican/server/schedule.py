"""Periodic jobs: the worker's scheduler enqueues each one once a day (huican.core.tasks).

| name | default time | what |
|---|---|---|
| ``audit.checkpoint`` | 00:30 | verify the audit log's MAC chain against its checkpoint, keep the outcome for the security page, and anchor the head in a new checkpoint |
| ``findings.nightly`` | 01:00 | a findings run for today, as the system's run after an import (``automatic``: it reconciles the work list) |
| ``uploads.purge`` | 03:00 | delete uploaded import files past their retention (huican.exchange.retention) |
| ``portal.purge`` | 03:15 | delete expired citizen sign-in codes, old failure counters and unsent staged documents (huican.portal.retention) |
| ``benefits.recheck`` | 5 January 02:00 | the annual re-check of the two subsidies' recipients (huican.benefits.recheck), once a year |

Times are local (``TIME_ZONE``). ``HUICAN_SCHEDULE`` changes them: ``name=HH:MM`` or ``name=off``,
comma-separated (e.g. ``findings.nightly=02:15,uploads.purge=off``); names left out keep their
default.

A yearly entry (``YEARLY``: month and day) is due from its day and time to the end of that month,
and is enqueued once that year (its claim's period is the year): a worker down on 5 January
enqueues it when it starts later in January.

An entry is due on a day once that day's local time has passed its time; a worker that starts later
that day (or was down at the time) enqueues it at once. The claim (a ``ScheduledRun`` row, unique per
name and day) and the job are written in one transaction, so however many workers tick and however
often they restart, an entry is enqueued once per day.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from huican.core.models import Job, ScheduledRun

logger = logging.getLogger(__name__)

AUDIT_CHECKPOINT_JOB = "audit.checkpoint"
DEFAULT_TIMES = {
    "audit.checkpoint": "00:30",
    "findings.nightly": "01:00",
    "uploads.purge": "03:00",
    "portal.purge": "03:15",
    "benefits.recheck": "02:00",
}
# Entries run once a year, from (month, day) to the end of that month; the others run every day.
YEARLY = {"benefits.recheck": (1, 5)}


class ScheduleError(ValueError):
    """HUICAN_SCHEDULE names an unknown job or a time that is not HH:MM."""


class AuditLogBroken(Exception):
    """The nightly verification found the audit log broken (the job fails, naming the entry)."""


@dataclass(frozen=True)
class Entry:
    name: str
    at: dt.time
    enqueue: Callable[..., Job]


def audit_checkpoint_job(*, progress: Any) -> dict[str, Any]:
    """Verify the audit log; when intact, anchor its head (as `huican audit verify` does)."""
    from huican.accounts.oversight import record_verification
    from huican.core.audit import audit_verify, checkpoint_verified
    from huican.core.commands import broken_message

    progress(10, "校验审计日志")
    result = audit_verify()
    record_verification(result, actor="system", audit=False)
    if not result.intact:
        raise AuditLogBroken(broken_message(result))
    written = checkpoint_verified(result)
    return {
        "intact": True,
        "checked": result.checked,
        "checkpoint": result.head_sequence if written else None,
    }


def _audit_checkpoint() -> Job:
    from huican.core.tasks import submit

    return submit(kind=AUDIT_CHECKPOINT_JOB, actor=None, func=audit_checkpoint_job)


def _findings_nightly() -> Job:
    from huican.matching.runs import start_findings_run

    return start_findings_run(actor="system", automatic=True)


def _uploads_purge() -> Job:
    from huican.core.tasks import submit
    from huican.exchange.retention import PURGE_JOB, purge_job

    return submit(kind=PURGE_JOB, actor=None, func=purge_job)


def _portal_purge() -> Job:
    from huican.core.tasks import submit
    from huican.portal.retention import PURGE_JOB, purge_job

    return submit(kind=PURGE_JOB, actor=None, func=purge_job)


def _benefits_recheck(day: dt.date | None = None) -> Job:
    from huican.benefits.recheck import start_recheck

    return start_recheck(actor="system", on=day or timezone.localdate())


ENQUEUE: dict[str, Callable[..., Job]] = {
    "audit.checkpoint": _audit_checkpoint,
    "findings.nightly": _findings_nightly,
    "uploads.purge": _uploads_purge,
    "portal.purge": _portal_purge,
    "benefits.recheck": _benefits_recheck,
}


def _parse_time(name: str, value: str) -> dt.time | None:
    value = value.strip()
    if value.lower() == "off":
        return None
    try:
        hours, minutes = (int(part) for part in value.split(":"))
        return dt.time(hours, minutes)
    except ValueError:
        raise ScheduleError(f"HUICAN_SCHEDULE：{name} 的时间应为 HH:MM 或 off，而不是 {value!r}") from None


def entries(spec: str | None = None) -> list[Entry]:
    """The enabled entries: the defaults changed by HUICAN_SCHEDULE (or `spec`)."""
    times = dict(DEFAULT_TIMES)
    spec = settings.HUICAN_SCHEDULE if spec is None else spec
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in ENQUEUE:
            known = "、".join(sorted(ENQUEUE))
            raise ScheduleError(
                f"HUICAN_SCHEDULE：无法识别 {item!r}（应为 名称=HH:MM 或 名称=off；名称：{known}）"
            )
        times[name] = value
    result = []
    for name, value in sorted(times.items()):
        at = _parse_time(name, value)
        if at is not None:
            result.append(Entry(name=name, at=at, enqueue=ENQUEUE[name]))
    return result


def tick(now: dt.datetime | None = None, *, spec: str | None = None) -> list[str]:
    """Enqueue every entry due at `now` (default: now) and not yet enqueued for its day; returns
    the names enqueued by this call."""
    local = timezone.localtime(now or timezone.now())
    enqueued = []
    for entry in entries(spec):
        period = local.date().isoformat()
        yearly = YEARLY.get(entry.name)
        if yearly is not None:
            first = dt.datetime.combine(dt.date(local.year, *yearly), entry.at)
            if local.replace(tzinfo=None) < first or local.month != yearly[0]:
                continue
            period = str(local.year)
        elif local.time() < entry.at:
            continue
        if ScheduledRun.objects.filter(name=entry.name, period=period).exists():
            continue
        try:
            with transaction.atomic():
                claim = ScheduledRun.objects.create(name=entry.name, period=period)
                # a yearly job is told the day it is due (the re-check's date)
                claim.job = entry.enqueue(local.date()) if yearly else entry.enqueue()  # type: ignore[call-arg]
                claim.save(update_fields=["job"])
        except IntegrityError:  # another worker claimed it first
            continue
        enqueued.append(entry.name)
        logger.info("scheduled job %s enqueued for %s", entry.name, period)
    return enqueued
