"""`huican worker`: the process that runs queued background jobs, and its scheduler.

The worker is django-tasks-db's ``db_worker`` loop over the database queue (huican.core.tasks): it
claims one queued job at a time (a lock on the queue row, so several workers never take the same
one), runs it, and polls every ``--interval`` seconds when idle. Large imports still go on into a
spawned process of their own (huican.exchange.worker). Beside the loop, a thread runs the scheduler
(huican.server.schedule) every ``HUICAN_SCHEDULE_TICK_SECONDS``.

At start the worker recovers what a previous one left (`recover_interrupted_work`). It stops on
SIGTERM or SIGINT after the job in hand; a second signal stops it at once (the job is then
recovered by the next worker).

`huican serve` and `huican demo` run one as a child process (:class:`WorkerBeside`): started with
the server, started again if it dies, stopped with the server (SIGTERM, then killed after
``HUICAN_WORKER_STOP_SECONDS``). The child watches its parent and stops when the parent is gone.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import connection

from huican.cli import UsageError
from huican.server.console import database_label, echo

logger = logging.getLogger(__name__)

QUEUE = "default"
RESTART_DELAY_SECONDS = 5.0


def recover_interrupted_work() -> dict[str, int]:
    """At a worker's start: jobs whose worker is gone are queued again or marked failed
    (huican.core.tasks); imports and finding runs left unfinished are marked failed too, unless a
    live worker is still running jobs (they may be its own)."""
    from huican.core.tasks import recover_interrupted_jobs
    from huican.exchange.services import fail_interrupted_imports
    from huican.matching.runs import fail_interrupted_runs

    counts = recover_interrupted_jobs()
    if not counts["running"]:
        counts["imports"] = fail_interrupted_imports()
        counts["runs"] = fail_interrupted_runs()
    return counts


def _scheduler_loop(stop: threading.Event, every: float) -> None:
    from huican.server.schedule import tick

    while not stop.is_set():
        try:
            tick()
        except Exception:  # never let the scheduler die: the next round tries again
            logger.exception("the scheduler's round failed")
        finally:
            connection.close()  # this thread's own connection
        stop.wait(every)


def _watch_parent(parent: int) -> None:
    """Stop this worker (as SIGTERM would) once the server that started it is gone."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def run_worker(args: argparse.Namespace) -> int:
    """Run queued jobs until stopped (with --batch: those queued now, then exit)."""
    from django.core.management import call_command

    from huican.core.tasks import worker_name
    from huican.server.schedule import ScheduleError, entries, tick

    try:
        scheduled = [] if args.no_schedule else entries()
    except ScheduleError as exc:
        raise UsageError(str(exc)) from None
    recovered = recover_interrupted_work()
    if recovered["requeued"] or recovered["failed"]:
        echo(f"上次中断的后台任务：重新排队 {recovered['requeued']} 个，标记失败 {recovered['failed']} 个")
    plan = "、".join(f"{e.name} {e.at:%H:%M}" for e in scheduled) or "无"
    echo(f"惠残后台任务进程已启动（数据库 {database_label()}；每日定时任务：{plan}）")
    if args.batch:
        if scheduled:
            tick()
    else:
        if scheduled:
            stop = threading.Event()
            every = float(settings.HUICAN_SCHEDULE_TICK_SECONDS)
            threading.Thread(
                target=_scheduler_loop, args=(stop, every), name="huican-scheduler", daemon=True
            ).start()
        if args.parent:
            threading.Thread(
                target=_watch_parent, args=(args.parent,), name="huican-parent", daemon=True
            ).start()
    call_command(
        "db_worker",
        queue_name=QUEUE,
        interval=args.interval,
        batch=args.batch,
        reload=False,
        startup_delay=False,
        worker_id=worker_name()[:64],
        verbosity=0,
    )
    return 0


class WorkerBeside:
    """A `huican worker` child of this server process (see the module docstring)."""

    def __init__(self, *, restart_delay: float = RESTART_DELAY_SECONDS) -> None:
        self.restart_delay = restart_delay
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "huican.cli", "worker", "--parent", str(os.getpid())]
        # Its own session: a Ctrl+C in the terminal reaches the server only, which then stops it.
        self.starts += 1
        return subprocess.Popen(command, start_new_session=True)

    def start(self) -> WorkerBeside:
        from huican.server.schedule import ScheduleError, entries

        try:
            entries()  # a wrong HUICAN_SCHEDULE stops the server now, not its worker at every restart
        except ScheduleError as exc:
            raise UsageError(str(exc)) from None
        with self._lock:
            self.process = self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="huican-worker-watch", daemon=True)
        self._watcher.start()
        return self

    def _watch(self) -> None:
        while not self._stopping.wait(1):
            process = self.process
            if process is None or process.poll() is None:
                continue
            logger.warning("the worker process ended (exit %s); starting another", process.returncode)
            if self._stopping.wait(self.restart_delay):
                return
            with self._lock:
                if not self._stopping.is_set():
                    self.process = self._spawn()

    def stop(self, grace: float | None = None) -> int | None:
        """SIGTERM (the worker finishes its job), then SIGKILL after `grace` seconds."""
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=settings.HUICAN_WORKER_STOP_SECONDS if grace is None else grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode


def interrupt_on_sigterm() -> None:
    """Let SIGTERM (systemd, `kill`) stop the server as Ctrl+C does, so it stops its worker too."""

    def handler(signum: int, frame: FrameType | None) -> Any:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
