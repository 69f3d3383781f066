"""`huican demo`: a synthetic Xinzhou in the local database, then the web server and a worker.

`demo` builds a synthetic Xinzhou in the local database through the real import path, then serves
the application on 127.0.0.1 with Django's threaded WSGI server (static files served, DEBUG stays
off) and runs a worker process beside it (huican.server.worker) for the background jobs and the
periodic ones: one command runs everything.
"""

from __future__ import annotations

import argparse
import errno
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from huican.cli import UsageError
from huican.exchange.kinds import IMPORT_ORDER
from huican.server.console import Echo, database_label
from huican.server.console import echo as echo_line

__all__ = ["IMPORT_ORDER", "load_demo_data", "run_demo"]

LOADING_MARKER = ".loading"


def load_synthetic_regions(path: Path) -> int:
    """Create or rename the synthetic townships (9 digits) and villages (12 digits) of regions.csv.

    Counties and the city come from the data migration and are left alone. Returns the rows written.
    """
    import polars as pl

    from huican.regions.divisions import COUNTY_CODES
    from huican.regions.models import Region

    frame = pl.read_csv(path, infer_schema=False).select(
        pl.col("区划代码").str.strip_chars().alias("code"),
        pl.col("名称").str.strip_chars().alias("name"),
        pl.col("上级代码").str.strip_chars().alias("parent"),
    )
    written = 0
    for width, level, parent_width in ((9, Region.Level.TOWNSHIP, 6), (12, Region.Level.VILLAGE, 9)):
        rows = frame.filter(
            (pl.col("code").str.len_chars() == width)
            & pl.col("code").str.slice(0, 6).is_in(list(COUNTY_CODES))
        )
        regions = [
            Region(
                code=code,
                name=name,
                level=level,
                parent_id=parent if parent and len(parent) == parent_width else code[:parent_width],
                county_code=code[:6],
                synthetic=True,
                needs_naming=False,
            )
            for code, name, parent in rows.iter_rows()
        ]
        Region.objects.bulk_create(
            regions,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent", "county_code", "synthetic", "needs_naming"],
        )
        written += len(regions)
    return written


def _import_all(files: dict[str, Path], echo: Echo) -> list[str]:
    """Import every generated file in IMPORT_ORDER; return the kinds that failed."""
    from huican.exchange.kinds import KINDS
    from huican.exchange.pipeline import run_import
    from huican.exchange.reading import ImportRefused

    failed: list[str] = []
    for kind in IMPORT_ORDER:
        path = files.get(kind)
        title = KINDS[kind].title if kind in KINDS else kind
        if path is None:
            echo(f"  跳过 {title}（{kind}）：未生成文件")
            continue
        started = time.monotonic()
        try:
            batch = run_import(kind=kind, path=path, file_name=path.name, actor=None)
        except ImportRefused as exc:
            failed.append(kind)
            echo(f"  导入 {title}（{kind}）被拒绝：{exc}")
            continue
        extra = f"，不在名册 {batch.not_in_registry:,}" if batch.not_in_registry else ""
        echo(
            f"  导入 {title}（{kind}）：接受 {batch.accepted:,}，拒绝 {batch.rejected:,}{extra}"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
    return failed


def load_demo_data(*, persons: int, seed: int, out: Path, echo: Echo = echo_line) -> list[str]:
    """Generate a synthetic Xinzhou into `out` and load it through the import pipeline.

    A marker file in `out` stays while loading, so an interrupted load is resumed (imports are
    idempotent) instead of being taken for a finished one. Returns the kinds whose import failed.
    """
    from huican.synth.generator import generate

    out.mkdir(parents=True, exist_ok=True)
    marker = out / LOADING_MARKER
    marker.write_text(json.dumps({"persons": persons, "seed": seed, "database": database_label()}))
    started = time.monotonic()
    echo(f"生成虚拟忻州数据：{persons:,} 名持证残疾人，随机种子 {seed} → {out}")
    files = generate(persons=persons, seed=seed, out=out)
    echo(f"  已生成 {len(files)} 个文件（{time.monotonic() - started:.1f} 秒）")
    if "regions" in files:
        count = load_synthetic_regions(files["regions"])
        echo(f"  载入虚拟乡镇、村 {count:,} 个")
    failed = _import_all(files, echo)
    marker.unlink(missing_ok=True)
    echo(f"数据载入完成（共 {time.monotonic() - started:.1f} 秒）")
    return failed


def print_accounts(accounts: Iterable[tuple[str, str, str, Any]], echo: Echo = echo_line) -> None:
    echo("演示账号（用户名 / 密码 / 角色 / 辖区）：")
    for username, password, role_label, region in accounts:
        echo(f"  {username} / {password} / {role_label} / {region or '—'}")
    from huican.portal.demo import print_signin_examples

    print_signin_examples(echo)


def run_demo(args: argparse.Namespace) -> int:
    """Prepare (or reuse) the demo database, print the accounts, and serve on 127.0.0.1 with a
    worker process beside the web server."""
    from huican.accounts.services import ensure_demo_accounts
    from huican.registry.models import Person

    if args.persons < 1:
        raise UsageError("--persons 应为正整数")
    out = Path(settings.VAR_DIR) / "demo-data"
    existing = Person.objects.count()
    if existing and not (out / LOADING_MARKER).exists():
        echo_line(
            f"复用已有数据库 {database_label()}（{existing:,} 名持证残疾人）；如需重新生成，请先删除该数据库文件"
        )
        failed: list[str] = []
    else:
        if existing:
            echo_line(f"上次载入未完成，继续载入到 {database_label()} …")
        else:
            echo_line(f"创建演示数据库 {database_label()}")
        failed = load_demo_data(persons=args.persons, seed=args.seed, out=out)
    if failed:
        echo_line("注意：以下数据未能导入：" + "、".join(failed))
    accounts = ensure_demo_accounts()
    if args.no_serve:
        print_accounts(accounts)
        return 0
    from huican.server.worker import WorkerBeside, interrupt_on_sigterm

    interrupt_on_sigterm()
    worker = WorkerBeside().start() if not getattr(args, "no_worker", False) else None
    try:
        return serve_demo(port=args.port, accounts=accounts)
    finally:
        if worker is not None:
            worker.stop()


def serve_demo(*, port: int, accounts: list[tuple[str, str, str, Any]]) -> int:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    application = StaticFilesHandler(get_wsgi_application())

    def announce(bound_port: object) -> None:  # the port (typed str in django-stubs)
        echo_line(f"惠残演示系统已启动：http://127.0.0.1:{bound_port}/（后台任务进程同时运行）")
        print_accounts(accounts)
        echo_line("按 Ctrl+C 停止。")

    try:
        run("127.0.0.1", port, application, ipv6=False, threading=True, on_bind=announce)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"端口 {port} 已被占用，请用 --port 指定其他端口") from None
        raise
    except KeyboardInterrupt:
        echo_line("已停止。")
    return 0
