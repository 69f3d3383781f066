"""Findings runs in the background (比对任务): after each list import, or on demand from the web.

``start_findings_run(actor=..., on=...)`` submits ``findings_run`` as a background job
(``huican.core.tasks``) and returns the Job, whose progress a page can show. Runs are serialised in
this process (two runs reconciling the work list at the same time would both insert the same new
findings; across processes the reconciliation itself takes a database lock, see
``services.serialise_reconciliation``), and submissions for the same date are coalesced while a run is still waiting to start:
the waiting run will read the latest lists anyway, so ten imports in a row cost at most two runs.

Who may start a run from the web or the API: ``may_start_run`` (city, county and township staff).
Whether the run reconciles the work list or is a read-only view is ``services.run_mode``: only
city staff's runs for today (and the system's run after an import) reconcile.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from huican.accounts.access import can
from huican.accounts.models import Role
from huican.core.models import Job
from huican.core.tasks import Progress, queueing_only, submit
from huican.matching import services
from huican.matching.services import findings_run, run_mode

JOB_KIND = "findings_run"
RUN_ROLES = frozenset({Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF})
OPEN_JOB_STATUSES = (Job.Status.PENDING, Job.Status.RUNNING)

_run_lock = threading.Lock()  # one run at a time in this process
_queue_lock = threading.RLock()  # re-entrant: with synchronous tasks the job runs inside submit()
# (on-date, mode) → (token, job id) of a run not yet started
_waiting: dict[tuple[dt.date, str], tuple[str, int]] = {}


def may_start_run(user: Any) -> bool:
    """Staff may start a run on demand (it covers the whole city; see run_mode for what it writes)."""
    return can(user, "view_findings") and user.role in RUN_ROLES


def start_findings_run(*, actor: Any, on: dt.date | None = None, automatic: bool = False) -> Job:
    """Compute every finding on `on` (default: today) in the background.

    The run reconciles the work list or is a read-only view as ``services.run_mode`` decides.
    `automatic` marks the run the system starts by itself after an import (``huican.exchange``
    passes it; it is never a person's choice: the web form and the API pass False). Returns the Job (``Job.result["run_id"]`` is the FindingRun once done). A run for the
    same date and mode that has been submitted but not started yet is returned instead of a new one.
    """
    day = on or services.today()
    key = (day, run_mode(actor=actor, on=day, automatic=automatic).value)
    token = uuid.uuid4().hex
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None
    actor_name = "" if actor_id else str(actor or "")
    with _queue_lock:
        waiting = _waiting.get(key)
        if waiting is not None:
            # Only a job still queued: one a worker has started may have read the lists already.
            job = Job.objects.filter(pk=waiting[1], status=Job.Status.PENDING).first()
            if job is not None:
                return job
            _waiting.pop(key, None)
        job = submit(
            kind=JOB_KIND,
            actor=actor,
            func=run_job,
            on=day.isoformat(),
            actor_id=actor_id,
            actor_name=actor_name,
            token=token,
            automatic=automatic,
        )
        # A one-shot command's queued run (`huican import`) is not remembered: the process ends,
        # and a later submission in it must not be folded into a job no one here will run.
        if job.status in OPEN_JOB_STATUSES and not queueing_only():
            _waiting[key] = (token, job.pk)
    return job


def run_job(
    *,
    progress: Progress,
    on: str,
    actor_id: int | None,
    actor_name: str = "",
    token: str = "",
    automatic: bool = False,
) -> dict[str, Any]:
    """The background task: wait for any run in progress, then run findings_run on `on`."""
    day = dt.date.fromisoformat(on)
    progress(0, "等待上一次比对完成")
    with _run_lock:
        with _queue_lock:
            for key in [key for key, waiting in _waiting.items() if waiting[0] == token]:
                del _waiting[key]  # from now on a new submission must start a new run
        actor: Any = None
        if actor_id is not None:
            actor = get_user_model().objects.filter(pk=actor_id).first()
        run = findings_run(
            on=day, actor=actor or actor_name or "system", progress=progress, automatic=automatic
        )
    return {
        "run_id": run.pk,
        "on": run.on_date.isoformat(),
        "mode": run.mode,
        "total": run.total,
        "new": run.new_count,
        "reopened": run.reopened_count,
        "resolved": run.resolved_count,
    }


def job_for(user: Any, job_id: int) -> Job | None:
    """A findings-run job, if the user may follow runs (no personal data in a job)."""
    if not (can(user, "view_findings") or can(user, "view_aggregates")):
        return None
    return Job.objects.filter(pk=job_id, kind=JOB_KIND).first()


def open_job() -> Job | None:
    """The latest findings-run job still waiting or running, if any."""
    return Job.objects.filter(kind=JOB_KIND, status__in=OPEN_JOB_STATUSES).order_by("-id").first()


def fail_interrupted_runs() -> int:
    """Mark finding runs left pending or running by a stopped server as failed; returns how many."""
    from huican.matching.models import FindingRun

    return FindingRun.objects.filter(
        status__in=[FindingRun.Status.PENDING, FindingRun.Status.RUNNING]
    ).update(
        status=FindingRun.Status.FAILED, message="服务重启，比对中断，请重新发起", finished_at=timezone.now()
    )
