"""Background jobs with visible progress (imports, recomputations, reports), run by a worker process.

A job is a module-level function that returns a JSON-able dict and accepts a ``progress`` keyword
(``progress(percent, message)``). :func:`submit` records a :class:`~huican.core.models.Job` (its kind,
the function as ``module:function`` and its JSON arguments) and enqueues :func:`execute_job` for it
through Django's Tasks API (the ``django-tasks`` backport) on the database backend
(``django-tasks-db``), in the caller's transaction: the job and its queue entry commit together or
not at all. A worker process (``huican worker``; ``huican serve`` and ``huican demo`` start one beside
the web server) takes queue entries one at a time and runs each job with :func:`run_job`. Nothing is
kept in the web process, so restarting the web loses nothing: a pending job waits in the database
until a worker runs it. The Job stays the record a progress page polls (:func:`job_status`).

With ``settings.HUICAN_TASKS_SYNC`` (tests) the function runs at once, in the caller's thread and
transaction, and the returned Job is already finished. Arguments go through JSON either way, so a
test sees what a worker would.

A running job carries its worker (``host:pid``). When a worker starts, :func:`recover_interrupted_jobs`
takes the running jobs whose worker is gone (a dead process on this host; a worker on another host
counts as gone: run a database's workers on one host) and either queues them again or marks them
failed. Only kinds that are safe to run twice are queued again (:data:`RETRY_KINDS`, at most
:data:`MAX_ATTEMPTS` runs in all), because they compute everything afresh and write it in one
transaction, or write nothing that a second run would duplicate:

- ``findings_run``: the run reconciles the work list in one transaction under a database lock; a
  second run finds the same findings and inserts nothing twice (its interrupted FindingRun is
  marked failed, the rerun records a new one).
- ``monitoring.warm``: fills the indicator cache.
- ``uploads.purge``: deletes uploads past their retention; a rerun deletes what is left.
- ``portal.purge``: deletes expired sign-in codes, old failure counters and staged documents; likewise.
- ``audit.checkpoint``: verifies the audit log and anchors its head; a checkpoint never moves back.
- ``import.preview``: recomputes the checked preview of an upload (it writes the preview file only).
- ``monitoring_report``: rebuilds the same report file.
- ``benefits.roll_draft``: computes a draft roll and writes it to its own new files (nothing in the
  database); a rerun writes another pair.

Everything else fails with a message asking for a resubmission, above all ``import``: a person
confirmed that one import from that preview, and although an interrupted import wrote nothing (it
is one transaction), whether to import again is theirs to decide (the upload may have expired, or a
newer list been imported since); ``monitoring_publish`` freezes figures at the moment of publishing.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import json
import logging
import os
import socket
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from huican.core.models import Job

logger = logging.getLogger(__name__)

RETRY_KINDS = frozenset(
    {
        "findings_run",
        "monitoring.warm",
        "uploads.purge",
        "portal.purge",
        "audit.checkpoint",
        "import.preview",
        "monitoring_report",
        "benefits.roll_draft",
    }
)
MAX_ATTEMPTS = 3
INTERRUPTED_MESSAGE = "服务重启，任务中断，请重新提交"
REQUEUED_MESSAGE = "后台任务进程中断，已重新排队"


class Progress(Protocol):
    def __call__(self, percent: int, message: str = "") -> None: ...


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    """The result as stored in the JSON column (paths, dates and decimals become text)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments as a worker will receive them, after a trip through JSON."""
    try:
        decoded = json.loads(json.dumps(kwargs, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"background job arguments must be JSON values: {exc}") from None
    if decoded != kwargs:
        raise TypeError("background job arguments must survive JSON unchanged (no tuples, no non-str keys)")
    return decoded


def target_of(func: Callable[..., Any]) -> str:
    """``module:function`` of a module-level function, which a worker process can import."""
    module, name = getattr(func, "__module__", None), getattr(func, "__qualname__", "")
    if not module or not name or "." in name or "<" in name:
        raise TypeError(f"a background job must be a module-level function, not {func!r}")
    if getattr(importlib.import_module(module), name, None) is not func:
        raise TypeError(f"{module}:{name} is not importable as the same function")
    return f"{module}:{name}"


def resolve(target: str) -> Callable[..., dict[str, Any]]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def worker_name() -> str:
    """This process as a job's worker: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


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
    """The progress callback of job `job_id`, for a process that runs part of the job."""
    return _progress_callback(job_id)


def _execute(job_id: int, func: Callable[..., dict[str, Any]], kwargs: dict[str, Any]) -> None:
    """Run one claimed job and record its outcome; never raises for the job's own errors."""
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


def _claim(job_id: int) -> bool:
    """Mark a pending job running in this process; False when it is not pending (any more)."""
    return bool(
        Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
            status=Job.Status.RUNNING,
            worker=worker_name()[:100],
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
        )
    )


def run_job(job_id: int) -> str:
    """Run a queued job in this process (what the worker does); returns what became of it.

    A job that is no longer pending (already run, or failed by an operator) is left alone.
    """
    if not _claim(job_id):
        return "skipped"
    job = Job.objects.get(pk=job_id)
    try:
        func = resolve(job.target)
    except Exception as exc:  # the code changed since the job was queued
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            message=f"找不到任务函数 {job.target}：{type(exc).__name__}"[:2000],
            finished_at=timezone.now(),
        )
        return Job.Status.FAILED
    _execute(job_id, func, job.arguments)
    return str(Job.objects.values_list("status", flat=True).get(pk=job_id))


@task()
def execute_job(job_id: int) -> str:
    """The queued task: run Job `job_id` (the Job holds what to run and records how it went)."""
    return run_job(job_id)


def _enqueue(job: Job) -> None:
    result = execute_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))


_always_queue: contextvars.ContextVar[bool] = contextvars.ContextVar("huican_always_queue", default=False)


@contextlib.contextmanager
def always_queue() -> Iterator[None]:
    """Inside it, :func:`submit` queues every job for the worker, even with ``HUICAN_TASKS_SYNC``:
    a command-line import announces its new data this way, so the findings run and the dashboard
    warm-up it triggers never run in the command's process (the command stays as fast as it was)."""
    token = _always_queue.set(True)
    try:
        yield
    finally:
        _always_queue.reset(token)


def queueing_only() -> bool:
    """Inside :func:`always_queue` (a one-shot command queueing work for the worker)?"""
    return _always_queue.get()


def submit(*, kind: str, actor: Any, func: Callable[..., dict[str, Any]], **kwargs: Any) -> Job:
    """Record a job of `kind` for `actor` and queue ``func(progress=..., **kwargs)`` for the worker.

    `func` must be a module-level function and `kwargs` JSON values. The queue entry commits with
    the surrounding transaction (if any). Returns the Job; poll it with :func:`job_status`.
    """
    created_by = actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None
    target = target_of(func)
    arguments = _arguments(kwargs)
    inline = settings.HUICAN_TASKS_SYNC and not _always_queue.get()
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, created_by=created_by, status=Job.Status.PENDING, target=target, arguments=arguments
        )
        if not inline:
            _enqueue(job)
    if inline:
        if _claim(job.pk):
            _execute(job.pk, func, arguments)
    job.refresh_from_db()
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


def _worker_alive(worker: str, host: str) -> bool:
    """Is the worker ``host:pid`` a live process on this host? (Another host's: taken as gone.)"""
    worker_host, _, pid = worker.rpartition(":")
    if worker_host != host or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


def recover_interrupted_jobs() -> dict[str, int]:
    """At a worker's start: running jobs whose worker is gone are queued again (a kind of
    RETRY_KINDS, fewer than MAX_ATTEMPTS runs) or marked failed. Pending jobs stay queued, except
    those recorded before the queue existed (no function), which no worker can run.

    Returns ``{"requeued": n, "failed": n, "running": n}`` (running: still held by a live worker).
    """
    host = socket.gethostname()
    requeued = failed = running = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING).order_by("pk"):
        if _worker_alive(job.worker, host):
            running += 1
            continue
        if job.kind in RETRY_KINDS and job.target and job.attempts < MAX_ATTEMPTS:
            with transaction.atomic():
                if Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker).update(
                    status=Job.Status.PENDING, worker="", message=REQUEUED_MESSAGE
                ):
                    _enqueue(job)
                    requeued += 1
            continue
        failed += Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker).update(
            status=Job.Status.FAILED, message=INTERRUPTED_MESSAGE, finished_at=timezone.now()
        )
    failed += Job.objects.filter(status=Job.Status.PENDING, target="").update(
        status=Job.Status.FAILED, message=INTERRUPTED_MESSAGE, finished_at=timezone.now()
    )
    return {"requeued": requeued, "failed": failed, "running": running}
