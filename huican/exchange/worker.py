"""Large imports run in a worker process, so their memory goes back to the system when they end.

Reading, validating and writing a 200 MB list takes gigabytes; a Python process keeps most of that
after the work is done (the allocator does not give it back). A background job whose upload is
larger than ``HUICAN_IMPORT_PROCESS_BYTES`` (default 20 MB) therefore runs the pipeline in a child
process started with ``multiprocessing``'s ``spawn`` method: a fresh interpreter that sets Django up,
opens its own database connection, reports progress on the job as the thread would, sends its
result back through a pipe and exits. If it dies (killed for memory, say) the job fails with the
exit code; nothing was written, because the import is one transaction. It also ends, without
committing, when the worker process that started it is gone (huican.server.worker).

Nothing here imports Django models at module level: the child imports this module before
``django.setup()``.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from typing import Any

# Settings the child must share with the parent even when they were changed at run time (tests, or
# a process configured otherwise than the environment says).
SHARED_SETTINGS = (
    "VAR_DIR",
    "MEDIA_ROOT",
    "HUICAN_DATA_KEYS",
    "HUICAN_HMAC_KEY",
    "HUICAN_AUDIT_KEY",
    "HUICAN_AUDIT_CHECKPOINT_DIR",
    "HUICAN_AUDIT_CHECKPOINT_EVERY",
    "HUICAN_XLSX_MAX_UNPACKED_BYTES",
    "HUICAN_XLSX_MAX_CELLS",
)


class WorkerFailed(Exception):
    """The worker process raised, or ended without a result."""


def _shared_settings() -> dict[str, Any]:
    from django.conf import settings

    shared = {name: getattr(settings, name) for name in SHARED_SETTINGS if hasattr(settings, name)}
    shared["DATABASE_NAME"] = settings.DATABASES["default"]["NAME"]
    return shared


def run_in_process(target: str, *, job_id: int | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Run ``module:function(progress=…, **kwargs)`` in a spawned process and return its result."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=child_main,
        args=(sender, target, job_id, kwargs, _shared_settings()),
        name="huican-import",
        daemon=True,
    )
    process.start()
    sender.close()  # only the child holds the sending end: recv() ends when the child does
    try:
        outcome = receiver.recv()
    except EOFError:
        process.join()
        outcome = ("error", f"导入进程意外退出（退出码 {process.exitcode}）")
    finally:
        receiver.close()
    process.join()
    if outcome[0] != "ok":
        raise WorkerFailed(outcome[1])
    return dict(outcome[1])


def _exit_with_parent(parent: int) -> None:
    """End this process at once when its parent is gone: its transaction is never committed."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def child_main(
    sender: Any, target: str, job_id: int | None, kwargs: dict[str, Any], shared: dict[str, Any]
) -> None:
    """The worker process: set Django up as the parent has it, run `target`, send the outcome."""
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
        import django
        from django.conf import settings

        django.setup()
        settings.DATABASES["default"]["NAME"] = shared.pop("DATABASE_NAME")
        for name, value in shared.items():
            setattr(settings, name, value)
        from django.db import connections

        from huican.core.tasks import progress_for

        module_name, _, function = target.partition(":")
        func = getattr(importlib.import_module(module_name), function)
        progress = progress_for(job_id) if job_id else (lambda percent, message="": None)
        try:
            result = func(progress=progress, **kwargs)
        finally:
            connections.close_all()
        sender.send(("ok", result))
    except BaseException as exc:  # everything goes back to the parent, which fails the job
        sender.send(("error", f"{type(exc).__name__}: {exc}"[:2000]))
    finally:
        sender.close()
