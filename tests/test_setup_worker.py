"""`huican worker` as a real process: it runs what the web queued, shows progress, survives restarts;
and the scheduler enqueues each periodic job once a day."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from huican.core import tasks
from huican.core.models import Job, ScheduledRun
from huican.portal.models import OneTimeCode, SignInGuard
from tests.factories import make_person

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 90.0  # seconds any wait below may take before the test fails


def wait_for_flag(*, progress: Any, flag: str) -> dict[str, Any]:
    """A job that shows progress, then waits until the test lets it finish."""
    progress(40, "等待测试放行")
    deadline = time.monotonic() + LIMIT
    while not Path(flag).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never let the job finish")
        time.sleep(0.05)
    return {"pid": os.getpid()}


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    return (
        f"postgres://{user}:{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _worker(*arguments: str) -> subprocess.Popen[str]:
    """`huican worker` on the test database (this module importable for its job functions)."""
    from django.conf import settings

    env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONPATH": str(ROOT / "tests")}
    env["HUICAN_AUDIT_CHECKPOINT_DIR"] = str(settings.HUICAN_AUDIT_CHECKPOINT_DIR)
    env.pop("HUICAN_TASKS_SYNC", None)
    return subprocess.Popen(
        [sys.executable, "-m", "huican.cli", "worker", "--no-schedule", "--interval", "0.1", *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until(condition: Callable[[], bool], process: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + LIMIT
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker ended with {process.returncode}: {process.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail("the worker did not get there in time")
        time.sleep(0.05)


def _job(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


@pytest.mark.django_db(transaction=True)
def test_jobs_queued_by_the_web_are_run_by_a_worker_process_and_survive_its_death(
    settings: Any, tmp_path: Path
) -> None:
    settings.HUICAN_TASKS_SYNC = False  # as in the web process: nothing runs here
    flag = tmp_path / "go"
    # A retry-safe kind (huican.core.tasks.RETRY_KINDS), then an import queued behind it.
    first = tasks.submit(kind="monitoring.warm", actor=None, func=wait_for_flag, flag=str(flag))
    second = tasks.submit(kind="import", actor=None, func=wait_for_flag, flag=str(flag))
    assert _job(first).status == _job(second).status == Job.Status.PENDING  # nobody runs them yet

    worker = _worker()
    try:
        # the worker takes the first job; its progress shows here, in another process
        _wait_until(lambda: _job(first).progress == 40, worker)
        running = _job(first)
        assert running.status == Job.Status.RUNNING and running.message == "等待测试放行"
        assert running.worker.endswith(f":{worker.pid}")
        worker.send_signal(signal.SIGKILL)  # the worker dies mid-job (a crash, a power cut)
        worker.wait(timeout=LIMIT)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert _job(first).status == Job.Status.RUNNING  # as the dead worker left it
    assert _job(second).status == Job.Status.PENDING  # still queued in the database

    flag.touch()
    again = _worker("--batch")  # a new worker: recovers, then runs what is queued, then exits
    out, err = again.communicate(timeout=LIMIT)
    assert again.returncode == 0, err
    assert "重新排队 1 个" in out
    done, queued = _job(first), _job(second)
    assert (done.status, done.progress, done.attempts) == (Job.Status.DONE, 100, 2)
    assert done.result == {"pid": again.pid}
    assert (queued.status, queued.attempts, queued.result) == (Job.Status.DONE, 1, {"pid": again.pid})


@pytest.mark.django_db(transaction=True)
def test_the_worker_stops_on_sigterm_after_its_job(settings: Any, tmp_path: Path) -> None:
    settings.HUICAN_TASKS_SYNC = False
    flag = tmp_path / "go"
    job = tasks.submit(kind="import", actor=None, func=wait_for_flag, flag=str(flag))
    worker = _worker()
    try:
        _wait_until(lambda: _job(job).status == Job.Status.RUNNING, worker)
        worker.send_signal(signal.SIGTERM)  # as `huican serve` stopping, or systemd
        time.sleep(0.5)
        assert worker.poll() is None  # it finishes the job in hand first
        flag.touch()
        worker.communicate(timeout=LIMIT)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0
    assert _job(job).status == Job.Status.DONE


# ---------------------------------------------------------------------------------------------
# The scheduler
# ---------------------------------------------------------------------------------------------


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.mark.django_db
def test_the_schedule_enqueues_each_job_once_a_day(settings: Any) -> None:
    from huican.matching import runs
    from huican.server.schedule import tick

    settings.HUICAN_TASKS_SYNC = False  # only enqueued: the worker would run them
    runs._waiting.clear()
    spec = "audit.checkpoint=00:30,findings.nightly=01:00,uploads.purge=03:00,portal.purge=off"
    day = dt.date(2026, 3, 2)
    assert tick(_at(day, 0, 10), spec=spec) == []  # nothing due yet
    assert tick(_at(day, 1, 0), spec=spec) == ["audit.checkpoint", "findings.nightly"]
    assert tick(_at(day, 2, 0), spec=spec) == []  # once per day
    assert tick(_at(day, 23, 59), spec=spec) == ["uploads.purge"]  # late, but still that day's
    assert tick(_at(day, 23, 59), spec=spec) == []
    kinds = sorted(Job.objects.values_list("kind", flat=True))
    assert kinds == ["audit.checkpoint", "findings_run", "uploads.purge"]
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.PENDING}
    assert all(job.task_id for job in Job.objects.all())  # each one queued for the worker

    Job.objects.update(status=Job.Status.DONE)  # the worker ran them (a findings run still queued
    # for the same date would take the next one in: huican.matching.runs)
    next_day = day + dt.timedelta(days=1)
    assert tick(_at(next_day, 4, 0), spec=spec) == ["audit.checkpoint", "findings.nightly", "uploads.purge"]
    assert ScheduledRun.objects.filter(period=next_day.isoformat()).count() == 3
    assert Job.objects.count() == 6
    runs._waiting.clear()


@pytest.mark.django_db
def test_the_schedule_is_configurable_and_checked(settings: Any) -> None:
    from huican.server.schedule import ScheduleError, entries, tick

    settings.HUICAN_TASKS_SYNC = False
    settings.HUICAN_SCHEDULE = (
        "uploads.purge=05:45,findings.nightly=off,audit.checkpoint=off,portal.purge=off"
    )
    assert [(e.name, e.at) for e in entries()] == [
        ("benefits.recheck", dt.time(2, 0)),  # left out: its default (5 January only)
        ("uploads.purge", dt.time(5, 45)),
    ]
    assert tick(_at(dt.date(2026, 3, 2), 5, 44)) == []
    assert tick(_at(dt.date(2026, 3, 2), 5, 45)) == ["uploads.purge"]
    with pytest.raises(ScheduleError, match="HH:MM"):
        entries("uploads.purge=25:00")
    with pytest.raises(ScheduleError, match="无法识别"):
        entries("vacuum=03:00")


@pytest.mark.django_db
def test_the_nightly_jobs_do_their_work(settings: Any, tmp_var: Path) -> None:
    """Run synchronously: the purge, and the audit check that anchors a checkpoint."""
    from huican.core.audit import audit_record, read_checkpoint
    from huican.server.schedule import tick

    audit_record(actor="test", action="test.entry", detail={})
    old = tmp_var / "media" / "imports" / "old-upload"
    old.mkdir(parents=True)
    (old / "file.csv.enc").write_bytes(b"x")
    stale = time.time() - 40 * 86400
    os.utime(old / "file.csv.enc", (stale, stale))
    os.utime(old, (stale, stale))

    person = make_person()
    now = timezone.now()
    expired = OneTimeCode.objects.create(
        person=person, purpose="signin", salt="s", code_hash="h", phone_masked="139****0000",
        created_at=now - dt.timedelta(days=2), expires_at=now - dt.timedelta(days=2),
    )  # fmt: skip
    fresh = OneTimeCode.objects.create(
        person=person, purpose="signin", salt="s", code_hash="h", phone_masked="139****0000",
        created_at=now, expires_at=now + dt.timedelta(minutes=5),
    )  # fmt: skip
    SignInGuard.objects.create(kind="ip", key_hash="old", failures=3, window_start=now - dt.timedelta(days=3))
    SignInGuard.objects.create(
        kind="id", key_hash="locked", failures=0, window_start=now - dt.timedelta(days=3),
        locked_until=now + dt.timedelta(minutes=5),
    )  # fmt: skip

    assert tick(_at(dt.date(2026, 3, 2), 12), spec="findings.nightly=off") == [
        "audit.checkpoint",
        "portal.purge",
        "uploads.purge",
    ]
    purge = Job.objects.get(kind="uploads.purge")
    assert purge.status == Job.Status.DONE and purge.result["folders"] == 1
    assert not old.exists()
    portal = Job.objects.get(kind="portal.purge")
    assert portal.status == Job.Status.DONE and (portal.result["codes"], portal.result["guards"]) == (1, 1)
    assert list(OneTimeCode.objects.values_list("pk", flat=True)) == [fresh.pk] and expired.pk != fresh.pk
    assert list(SignInGuard.objects.values_list("key_hash", flat=True)) == ["locked"]
    check = Job.objects.get(kind="audit.checkpoint")
    assert check.status == Job.Status.DONE and check.result["intact"] is True
    checkpoint = read_checkpoint()
    assert checkpoint is not None and checkpoint.sequence >= 1


@pytest.mark.django_db
def test_the_nightly_findings_run_is_the_systems_run_for_today(settings: Any) -> None:
    from huican.matching import runs
    from huican.server.schedule import tick

    settings.HUICAN_TASKS_SYNC = False
    runs._waiting.clear()
    assert tick(_at(dt.date(2026, 3, 2), 2), spec="audit.checkpoint=off,uploads.purge=off") == [
        "findings.nightly"
    ]
    job = Job.objects.get(kind=runs.JOB_KIND)
    assert job.arguments["automatic"] is True and job.arguments["actor_name"] == "system"
    assert ScheduledRun.objects.get(name="findings.nightly").job == job
    runs._waiting.clear()


def test_the_worker_beside_a_server_is_restarted_when_it_dies_and_stopped_with_it(
    monkeypatch: Any,
) -> None:
    from huican.server import worker as worker_module

    children: list[subprocess.Popen[bytes]] = []
    programs = ["import sys; sys.exit(3)", "import time; time.sleep(120)"]  # dies at once, then stays

    def spawn(self: Any) -> subprocess.Popen[bytes]:
        self.starts += 1
        children.append(subprocess.Popen([sys.executable, "-c", programs[min(len(children), 1)]]))
        return children[-1]

    monkeypatch.setattr(worker_module.WorkerBeside, "_spawn", spawn)
    beside = worker_module.WorkerBeside(restart_delay=0.1).start()
    try:
        _wait_until(lambda: beside.starts == 2 and children[-1].poll() is None)
        assert children[0].returncode == 3
    finally:
        code = beside.stop(grace=LIMIT)
    assert code is not None and children[-1].poll() is not None  # stopped with the server
    assert beside.starts == 2
