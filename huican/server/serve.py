"""`huican serve`: real use, with production settings from the environment.

Static files are collected and served by WhiteNoise, requests by Waitress, and a worker process runs
beside the web server (huican.server.worker) unless ``--no-worker`` says the worker runs as a
service of its own (`huican worker`, docs/operations.md).
"""

from __future__ import annotations

import argparse
import errno
import os
from typing import Any

from django.conf import settings

from huican.cli import UsageError
from huican.server.console import database_label, echo


def production_application() -> Any:
    """The WSGI application for real use: Django behind WhiteNoise serving STATIC_ROOT."""
    from django.core.wsgi import get_wsgi_application
    from whitenoise import WhiteNoise

    return WhiteNoise(
        get_wsgi_application(),
        root=str(settings.STATIC_ROOT),
        prefix=settings.STATIC_URL,
        max_age=3600,
    )


def run_serve(args: argparse.Namespace) -> int:
    """Serve with production settings (HUICAN_ENV=production) through Waitress."""
    from django.core.management import call_command
    from waitress import serve

    from huican.server.worker import WorkerBeside, interrupt_on_sigterm
    from huican.settings import env_int

    if not getattr(settings, "PRODUCTION", False):
        raise UsageError(
            "huican serve 用于正式运行，需设置 HUICAN_ENV=production 及密钥（见 docs/operations.md）；"
            "本地试用请运行 huican demo"
        )
    call_command("check", deploy=True, fail_level="ERROR")
    call_command("collectstatic", interactive=False, verbosity=0)
    trusted_proxy = os.environ.get("HUICAN_TRUSTED_PROXY", "127.0.0.1")
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "threads": env_int("HUICAN_THREADS", 8),
        "ident": "huican",
        "max_request_body_size": settings.HUICAN_MAX_UPLOAD_BYTES + 1024 * 1024,
        "_quiet": True,
    }
    if trusted_proxy:
        # TLS ends at the reverse proxy; trust its X-Forwarded-Proto/-For so Django knows the request
        # was HTTPS (SECURE_PROXY_SSL_HEADER) and logs the client's address.
        options.update(
            trusted_proxy=trusted_proxy,
            trusted_proxy_headers={"x-forwarded-proto", "x-forwarded-for"},
            clear_untrusted_proxy_headers=True,
        )
    interrupt_on_sigterm()
    worker = None if getattr(args, "no_worker", False) else WorkerBeside().start()
    beside = "，后台任务进程同时运行" if worker else "；后台任务由单独的 huican worker 运行"
    echo(f"惠残服务已启动：http://{args.host}:{args.port}/（生产配置，数据库 {database_label()}{beside}）")
    try:
        serve(production_application(), **options)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"端口 {args.port} 已被占用") from None
        raise
    except KeyboardInterrupt:
        echo("已停止。")
    finally:
        if worker is not None:
            worker.stop()
    return 0
