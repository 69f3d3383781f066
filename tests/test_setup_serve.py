"""`huican serve` (production) with its worker process, and the demo's WSGI application, exercised
over real HTTP."""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _wait_for_server(process: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"huican serve exited with {process.returncode}: {process.communicate()[1]}")
        try:
            _get(url)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail("huican serve did not start listening")


@pytest.fixture(scope="module")
def production_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One `huican serve` process (production settings, fresh SQLite database) for this module."""
    tmp_path = tmp_path_factory.mktemp("serve")
    port = _free_port()
    # Nothing of the test run's environment leaks in (DJANGO_ALLOW_ASYNC_UNSAFE from the browser tests
    # would rightly fail the deployment checks).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUICAN_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        HUICAN_ENV="production",
        HUICAN_SECRET_KEY="test-secret-key-" + "x" * 50,
        HUICAN_DATA_KEY="1:" + "A" * 43 + "=",
        HUICAN_HMAC_KEY="B" * 43 + "=",
        HUICAN_AUDIT_KEY="C" * 43 + "=",
        HUICAN_CERT_SIGNING_KEY="D" * 43 + "=",
        HUICAN_ALLOWED_HOSTS="127.0.0.1",
        HUICAN_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        # The worker beside the server runs only the purge, due at once (huican.server.schedule).
        HUICAN_SCHEDULE="uploads.purge=00:00,audit.checkpoint=off,findings.nightly=off,portal.purge=off",
        HUICAN_WORKER_STOP_SECONDS="20",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "huican.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(process, base + "/")
        yield base, tmp_path / "var", process, tmp_path / "serve.sqlite3"
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=60)


@pytest.mark.own_sqlite  # `huican serve` on a SQLite file of its own
def test_serve_runs_with_production_settings_behind_a_tls_proxy(production_server: Any) -> None:
    base, var, _, _ = production_server
    status, headers, _ = _get(base + "/")
    assert status == 301 and headers["Location"].startswith("https://")  # plain HTTP goes to HTTPS
    status, headers, _ = _get(base + "/", {"X-Forwarded-Proto": "https"})  # from the trusted proxy
    assert status < 500 and status != 301
    assert "Content-Security-Policy" in headers
    assert "Strict-Transport-Security" in headers
    assert (var / "static").is_dir()  # collectstatic ran at start


@pytest.mark.own_sqlite  # `huican serve` on a SQLite file of its own
def test_serve_serves_collected_static_files(production_server: Any) -> None:
    base, var, _, _ = production_server
    collected = [p for p in (var / "static").rglob("*") if p.is_file()]
    if not collected:
        pytest.skip("no static files in the project yet")
    relative = collected[0].relative_to(var / "static").as_posix()
    status, headers, body = _get(f"{base}/static/{relative}", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert body == collected[0].read_bytes()
    assert "max-age" in headers.get("Cache-Control", "")


def _purge_job(database: Path) -> tuple[str, str] | None:
    """The scheduled purge's job in the server's database: (status, worker), once there."""
    with sqlite3.connect(database, timeout=30) as db:
        row = db.execute("SELECT status, worker FROM core_job WHERE kind = 'uploads.purge'").fetchone()
    return (str(row[0]), str(row[1])) if row else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.own_sqlite  # `huican serve` on a SQLite file of its own
def test_serve_runs_a_worker_that_runs_the_schedule(production_server: Any) -> None:
    *_, database = production_server
    deadline = time.monotonic() + 90
    while (job := _purge_job(database)) is None or job[0] != "done":
        assert time.monotonic() < deadline, f"the worker beside huican serve did not run the purge: {job}"
        time.sleep(0.2)


@pytest.mark.own_sqlite  # `huican serve` on a SQLite file of its own
def test_stopping_serve_stops_its_worker(production_server: Any) -> None:
    """Last in this module: it stops the server."""
    _, _, process, database = production_server
    job = _purge_job(database)
    assert job is not None and job[1]
    worker_pid = int(job[1].rpartition(":")[2])
    assert worker_pid != process.pid and _alive(worker_pid)
    process.terminate()  # SIGTERM, as systemd stops it
    process.communicate(timeout=60)
    assert process.returncode == 0
    assert not _alive(worker_pid)


def test_serve_refuses_without_production_settings(settings: Any) -> None:
    from huican.cli import UsageError
    from huican.server.serve import run_serve

    settings.PRODUCTION = False
    with pytest.raises(UsageError, match="HUICAN_ENV=production"):
        run_serve(argparse.Namespace(host="127.0.0.1", port=0))


def test_the_demo_application_serves_static_files_with_debug_off(
    settings: Any, tmp_path: Path, client: Any
) -> None:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.wsgi import get_wsgi_application
    from django.test import RequestFactory

    (tmp_path / "demo-check.css").write_text("body { margin: 0; }\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    assert settings.DEBUG is False
    handler = StaticFilesHandler(get_wsgi_application())
    request = RequestFactory().get(f"{settings.STATIC_URL}demo-check.css")
    response = handler.get_response(request)
    assert response.status_code == 200
    assert b"margin: 0" in b"".join(response.streaming_content)
