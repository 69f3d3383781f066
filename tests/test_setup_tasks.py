"""Background tasks (huican.core.tasks): status, progress, result, failure, and the thread pool."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from huican.core import tasks
from huican.core.models import Job


def _count(*, progress: Any, n: int) -> dict[str, Any]:
    progress(50, "一半")
    return {"n": n, "file": Path("/tmp/x.csv")}


def _fail(*, progress: Any) -> dict[str, Any]:
    progress(10, "开始")
    raise ValueError("文件坏了")


@pytest.mark.django_db
def test_it_runs_synchronously_in_tests(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("worker", password="x")
    job = tasks.submit(kind="count", actor=user, func=_count, n=3)
    assert job.status == Job.Status.DONE
    assert job.progress == 100
    assert job.result == {"n": 3, "file": "/tmp/x.csv"}  # JSON-able: a Path is stored as text
    assert job.created_by == user
    assert job.finished_at is not None


@pytest.mark.django_db
def test_it_records_progress_while_running() -> None:
    seen: list[tuple[str, int, str]] = []

    def watch(*, progress: Any) -> dict[str, Any]:
        for percent, message in ((140, "太多"), (-5, "太少")):  # clamped to 0..100
            progress(percent, message)
            job = Job.objects.get(kind="watch")
            seen.append((job.status, job.progress, job.message))
        return {}

    tasks.submit(kind="watch", actor=None, func=watch)
    assert seen == [("running", 100, "太多"), ("running", 0, "太少")]


@pytest.mark.django_db
def test_a_failing_task_is_recorded_not_raised() -> None:
    job = tasks.submit(kind="fail", actor=None, func=_fail)
    assert job.status == Job.Status.FAILED
    assert "文件坏了" in job.message
    assert job.created_by is None
    status = tasks.job_status(job.pk)
    assert status["finished"] is True
    assert status["status_label"] == "失败"


@pytest.mark.django_db
def test_job_status_describes_the_job() -> None:
    job = tasks.submit(kind="count", actor="cli", func=_count, n=1)
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
def test_interrupted_jobs_are_marked_failed() -> None:
    running = Job.objects.create(kind="x", status=Job.Status.RUNNING)
    done = Job.objects.create(kind="x", status=Job.Status.DONE)
    assert tasks.fail_interrupted_jobs() == 1
    running.refresh_from_db()
    done.refresh_from_db()
    assert running.status == Job.Status.FAILED
    assert "重新提交" in running.message
    assert done.status == Job.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_it_runs_in_a_background_thread_with_its_own_connection(settings: Any) -> None:
    settings.HUICAN_TASKS_SYNC = False
    release = threading.Event()
    threads: list[str] = []

    def slow(*, progress: Any, label: str) -> dict[str, Any]:
        threads.append(threading.current_thread().name)
        progress(30, label)
        release.wait(30)
        return {"label": label}

    job = tasks.submit(kind="slow", actor=None, func=slow, label="后台")
    _wait_until(lambda: tasks.job_status(job.pk)["progress"] == 30)
    status = tasks.job_status(job.pk)
    assert status["status"] == "running"
    assert status["message"] == "后台"
    release.set()
    _wait_until(lambda: tasks.job_status(job.pk)["finished"])
    assert tasks.job_status(job.pk)["result"] == {"label": "后台"}
    assert threads and threads[0].startswith("huican-task")


def _wait_until(condition: Any, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("background job did not get there")
        time.sleep(0.02)
