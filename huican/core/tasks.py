"""Background tasks with visible progress (imports, recomputations, reports).

A task is a plain function that returns a JSON-able dict and accepts a ``progress`` keyword
(``progress(percent, message)``). :func:`submit` records a :class:`~huican.core.models.Job` and runs the
function in a small thread pool inside the web process, so nothing else (no broker, no worker
process) has to be deployed. Each run uses its own database connection and closes it at the end.

With ``settings.HUICAN_TASKS_SYNC`` (tests, and the command line) the function runs at once, in the
caller's thread and transaction, and the returned Job is already finished.

A Job left ``pending``/``running`` by a process that stopped is marked failed by
:func:`fail_interrupted_jobs`, which the server commands call at start.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from huican.core.models import Job

logger = logging.getLogger(__name__)

MAX_WORKERS = 2
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


class Progress(Protocol):
    def __call__(self, percent: int, message: str = "") -> None: ...


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="huican-task")
        return _executor


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    """The result as stored in the JSON column (paths, dates and decimals become text)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _progress_callback(job_id: int) -> Progress:
    last: dict[str, Any] = {}

    def progress(percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        if last.get("percent") == percent and last.get("message") == message:
            return  # nothing new to show: spare the database a write
        last.update(percent=percent, message=message)
        Job.objects.filter(pk=job_id).update(progress=percent, message=message)

    progress.job_id = job_id  # type: ignore[attr-defined]  # a task may hand its job to a worker process
    return progress


def progress_for(job_id: int) -> Progress:
    """The progress callback of job `job_id`, for a worker process that runs part of the job."""
    return _progress_callback(job_id)


def _execute(job_id: int, func: Callable[..., dict[str, Any]], kwargs: dict[str, Any]) -> None:
    """Run one job and record its outcome; never raises."""
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING)
    try:
        result = func(progress=_progress_callback(job_id), **kwargs)
    except Exception as exc:
        logger.exception("background job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            message=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE,
        progress=100,
        result=_jsonable(result if isinstance(result, dict) else {"value": result}),
        finished_at=timezone.now(),
    )


def _execute_in_thread(job_id: int, func: Callable[..., dict[str, Any]], kwargs: dict[str, Any]) -> None:
    close_old_connections()
    try:
        _execute(job_id, func, kwargs)
    except Exception:  # the database itself failed: nothing more we can record
        logger.exception("background job %s could not be recorded", job_id)
    finally:
        connection.close()  # this thread's own connection


def submit(*, kind: str, actor: Any, func: Callable[..., dict[str, Any]], **kwargs: Any) -> Job:
    """Record a job of `kind` for `actor` and run ``func(progress=..., **kwargs)`` in the background.

    The job starts once the surrounding transaction (if any) commits, so the worker always sees it.
    Returns the Job; poll it with :func:`job_status`.
    """
    created_by = actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None
    job = Job.objects.create(kind=kind, created_by=created_by, status=Job.Status.PENDING)
    if settings.HUICAN_TASKS_SYNC:
        _execute(job.pk, func, kwargs)
        job.refresh_from_db()
        return job
    job_id = job.pk
    transaction.on_commit(lambda: _pool().submit(_execute_in_thread, job_id, func, kwargs))
    return job


def job_status(job_id: int) -> dict[str, Any]:
    """What a progress page shows about a job. Raises Job.DoesNotExist for an unknown id."""
    job = Job.objects.get(pk=job_id)
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "message": job.message,
        "result": job.result,
        "finished": job.status in (Job.Status.DONE, Job.Status.FAILED),
        "created_by_id": job.created_by_id,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def fail_interrupted_jobs() -> int:
    """Mark jobs left pending or running by a stopped process as failed; returns how many."""
    return Job.objects.filter(status__in=[Job.Status.PENDING, Job.Status.RUNNING]).update(
        status=Job.Status.FAILED, message="服务重启，任务中断，请重新提交", finished_at=timezone.now()
    )
