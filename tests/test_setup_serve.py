"""`huican serve` (production) and the demo's WSGI application, exercised over real HTTP."""

from __future__ import annotations

import argparse
import os
import socket
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
        HUICAN_ALLOWED_HOSTS="127.0.0.1",
        HUICAN_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
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
        yield base, tmp_path / "var"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_serve_runs_with_production_settings_behind_a_tls_proxy(production_server: Any) -> None:
    base, var = production_server
    status, headers, _ = _get(base + "/")
    assert status == 301 and headers["Location"].startswith("https://")  # plain HTTP goes to HTTPS
    status, headers, _ = _get(base + "/", {"X-Forwarded-Proto": "https"})  # from the trusted proxy
    assert status < 500 and status != 301
    assert "Content-Security-Policy" in headers
    assert "Strict-Transport-Security" in headers
    assert (var / "static").is_dir()  # collectstatic ran at start


def test_serve_serves_collected_static_files(production_server: Any) -> None:
    base, var = production_server
    collected = [p for p in (var / "static").rglob("*") if p.is_file()]
    if not collected:
        pytest.skip("no static files in the project yet")
    relative = collected[0].relative_to(var / "static").as_posix()
    status, headers, body = _get(f"{base}/static/{relative}", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert body == collected[0].read_bytes()
    assert "max-age" in headers.get("Cache-Control", "")


def test_serve_refuses_without_production_settings(settings: Any) -> None:
    from huican.cli import UsageError
    from huican.portal.commands import run_serve

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
