"""`huican import KIND FILE [--rejects PATH]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from huican.cli import UsageError
from huican.core.tasks import always_queue
from huican.exchange.kinds import KINDS
from huican.exchange.pipeline import ImportRefused, run_import
from huican.exchange.signals import import_done


def run_import_command(args: argparse.Namespace) -> int:
    if args.kind not in KINDS:
        raise UsageError(f"未知的导入类型 {args.kind!r}；可用类型：{', '.join(KINDS)}")
    path = Path(args.file)
    actor = None
    if args.user:
        from django.contrib.auth import get_user_model

        actor = get_user_model().objects.filter(username=args.user).first()
        if actor is None:
            raise UsageError(f"没有用户 {args.user!r}")
    try:
        batch = run_import(
            kind=args.kind,
            path=path,
            file_name=path.name,
            actor=actor or "命令行",
            rejects_path=Path(args.rejects) if args.rejects else None,
            data_date=args.data_date,
            confirm_shrink=args.confirm_shrink,
        )
    except ImportRefused as exc:
        raise UsageError(str(exc)) from None
    if batch.status == batch.Status.DONE:
        # The same post-import steps as a web or API import (findings run, dashboard warm-up),
        # queued for the worker and never run here: the command stays as fast as it was.
        with always_queue():
            import_done.send(sender=run_import, actor=actor or "命令行")
    for line in batch.warnings:
        sys.stderr.write(f"{line}\n")
    print(f"accepted {batch.accepted}, rejected {batch.rejected}")
    if batch.unknown_columns:
        print("unknown columns: " + ", ".join(batch.unknown_columns))
    spec = KINDS[args.kind]
    if spec.reports_not_in_registry or args.kind == "services":
        print(f"not in registry: {batch.not_in_registry}")
    if batch.status in (batch.Status.UNCHANGED, batch.Status.ALL_REJECTED):
        sys.stderr.write(f"{batch.message}\n")
    if batch.rejected:
        sys.stderr.write(f"被拒绝的行已写入 {batch.rejects_path}\n")
    return 0


run_import = run_import  # re-exported for callers that import it from here


def run_uploads(args: argparse.Namespace) -> int:
    """`huican uploads purge [--older-than DAYS]`: delete uploaded import files past retention."""
    from huican.exchange.retention import purge_uploads

    result = purge_uploads(older_than_days=args.older_than, actor="命令行")
    print(
        f"purged {result.folders} uploads ({result.files} files, {result.bytes} bytes) "
        f"older than {result.older_than_days} days"
    )
    return 0
