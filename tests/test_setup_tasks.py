"""Background jobs (huican.core.tasks): status, progress, result, failure, the queue and recovery.

The worker process itself (a real `huican worker`) is exercised in tests/test_setup_worker.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from huican.core import tasks
from huican.core.models import Job

SEEN: list[tuple[str, int, str]] = []


def count_job(*, progress: Any, n: int) -> dict[str, Any]:
    progress(50, "一半")
    return {"n": n, "file": Path("/tmp/x.csv")}


def failing_job(*, progress: Any) -> dict[str, Any]:
    progress(10, "开始")
    raise ValueError("文件坏了")


def watching_job(*, progress: Any) -> dict[str, Any]:
    for percent, message in ((140, "太多"), (-5, "太少")):  # clamped to 0..100
        progress(percent, message)
        job = Job.objects.get(kind="watch")
        SEEN.append((job.status, job.progress, job.message))
    return {}


@pytest.mark.django_db
def test_it_runs_synchronously_in_tests(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("worker", password="x")
    job = tasks.submit(kind="count", actor=user, func=count_job, n=3)
    assert job.status == Job.Status.DONE
    assert job.progress == 100
    assert job.result == {"n": 3, "file": "/tmp/x.csv"}  # JSON-able: a Path is stored as text
    assert job.created_by == user
    assert job.finished_at is not None
    assert (job.target, job.arguments, job.attempts) == ("test_setup_tasks:count_job", {"n": 3}, 1)


@pytest.mark.django_db
def test_it_records_progress_while_running() -> None:
    SEEN.clear()
    tasks.submit(kind="watch", actor=None, func=watching_job)
    assert SEEN == [("running", 100, "太多"), ("running", 0, "太少")]


@pytest.mark.django_db
def test_a_failing_task_is_recorded_not_raised() -> None:
    job = tasks.submit(kind="fail", actor=None, func=failing_job)
    assert job.status == Job.Status.FAILED
    assert "文件坏了" in job.message
    assert job.created_by is None
    status = tasks.job_status(job.pk)
    assert status["finished"] is True
    assert status["status_label"] == "失败"


@pytest.mark.django_db
def test_job_status_describes_the_job() -> None:
    job = tasks.submit(kind="count", actor="cli", func=count_job, n=1)
    status = tasks.job_status(job.pk)
    assert status["id"] == job.pk
    assert status["kind"] == "count"
    assert status["status"] == "done"
    assert status["status_label"] == "已完成"
    assert status["progress"] == 100
    assert status["result"]["n"] == 1
    with pytest.raises(Job.DoesNotExist):
        tasks.job_status(job.pk + 1000)


@pytest.mark.django_db
def test_only_what_a_worker_process_can_run_is_accepted() -> None:
    def local(*, progress: Any) -> dict[str, Any]:
        return {}

    with pytest.raises(TypeError, match="module-level"):
        tasks.submit(kind="x", actor=None, func=local)
    with pytest.raises(TypeError, match="module-level"):
        tasks.submit(kind="x", actor=None, func=lambda progress: {})
    with pytest.raises(TypeError, match="JSON"):
        tasks.submit(kind="x", actor=None, func=count_job, n=Path("/tmp"))
    with pytest.raises(TypeError, match="JSON"):
        tasks.submit(kind="x", actor=None, func=count_job, n=(1, 2))  # a tuple would come back a list
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_queued_job_waits_in_the_database_and_runs_once(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.HUICAN_TASKS_SYNC = False
    job = tasks.submit(kind="count", actor=None, func=count_job, n=2)
    assert job.status == Job.Status.PENDING and job.progress == 0
    assert job.task_id and DBTaskResult.objects.filter(id=job.task_id).exists()  # the queue entry
    assert tasks.run_job(job.pk) == Job.Status.DONE  # what the worker does with it
    job.refresh_from_db()
    assert (job.status, job.result["n"], job.attempts) == (Job.Status.DONE, 2, 1)
    assert job.worker == f"{socket.gethostname()}:{os.getpid()}"
    assert tasks.run_job(job.pk) == "skipped"  # a second delivery runs nothing
    assert Job.objects.get(pk=job.pk).attempts == 1


@pytest.mark.django_db
def test_a_job_whose_function_is_gone_fails_with_a_message(settings: Any) -> None:
    settings.HUICAN_TASKS_SYNC = False
    job = tasks.submit(kind="count", actor=None, func=count_job, n=2)
    Job.objects.filter(pk=job.pk).update(target="huican.core.tasks:no_such_job")
    assert tasks.run_job(job.pk) == Job.Status.FAILED
    assert "no_such_job" in Job.objects.get(pk=job.pk).message


def _dead_worker() -> str:
    """``host:pid`` of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}"


@pytest.mark.django_db
def test_interrupted_jobs_are_requeued_when_safe_and_failed_otherwise(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.HUICAN_TASKS_SYNC = False
    dead = _dead_worker()

    def interrupted(kind: str, *, worker: str = dead, attempts: int = 1) -> Job:
        job = tasks.submit(kind=kind, actor=None, func=count_job, n=1)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, worker=worker, attempts=attempts)
        return job

    safe = interrupted("findings_run")
    exhausted = interrupted("monitoring.warm", attempts=tasks.MAX_ATTEMPTS)
    an_import = interrupted("import")
    elsewhere = interrupted("uploads.purge", worker="another-host:1")
    alive = interrupted("import", worker=tasks.worker_name())  # this very process: still running
    queued = tasks.submit(kind="import", actor=None, func=count_job, n=1)
    legacy = Job.objects.create(kind="import", status=Job.Status.PENDING)  # queued before the queue existed
    done = Job.objects.create(kind="x", status=Job.Status.DONE)
    entries = DBTaskResult.objects.count()

    assert tasks.recover_interrupted_jobs() == {"requeued": 2, "failed": 3, "running": 1}

    def status(job: Job) -> str:
        return Job.objects.get(pk=job.pk).status

    assert (status(safe), status(elsewhere)) == (Job.Status.PENDING, Job.Status.PENDING)
    assert Job.objects.get(pk=safe.pk).message == tasks.REQUEUED_MESSAGE
    assert DBTaskResult.objects.count() == entries + 2  # queued again
    assert status(exhausted) == status(an_import) == status(legacy) == Job.Status.FAILED
    assert "重新提交" in Job.objects.get(pk=an_import.pk).message
    assert status(alive) == Job.Status.RUNNING
    assert status(queued) == Job.Status.PENDING  # a queued job survives a restart untouched
    assert status(done) == Job.Status.DONE

    assert tasks.run_job(safe.pk) == Job.Status.DONE
    assert Job.objects.get(pk=safe.pk).attempts == 2
