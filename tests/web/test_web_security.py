"""Security headers, no inline script anywhere, deploy checks and refusal to start without keys."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "huican").glob("**/templates/**/*.html"))


@pytest.mark.django_db
def test_csp_and_security_headers(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_static_css_is_served(client: Client) -> None:
    response = client.get("/static/css/huican.css")
    assert response.status_code == 200
    assert b":focus-visible" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_templates_exist() -> None:
    assert any(path.name == "base.html" for path in TEMPLATES)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "inline style attribute"),
    (re.compile(r"<style\b", re.I), "inline <style>"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"https?://(?!www\.w3\.org)[^\"'\s]*\.(js|css)\b", re.I), "asset from another site"),
]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_script_or_style_in_templates(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    problems = [label for pattern, label in INLINE if pattern.search(text)]
    assert not problems, f"{path.relative_to(ROOT)}: {', '.join(problems)}"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUICAN_", "DJANGO_", "DATABASE_URL"))}
    env.update(extra)
    return env


@pytest.mark.own_sqlite  # a process of its own on a SQLite file of its own
def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    env = _clean_env(
        HUICAN_ENV="production", HUICAN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="huican.settings"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "HUICAN_DATA_KEY" in result.stderr and "HUICAN_SECRET_KEY" in result.stderr
    assert not (tmp_path / "keys.json").exists()  # no development key was made up


@pytest.mark.own_sqlite  # a process of its own on a SQLite file of its own
def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    env = _clean_env(
        HUICAN_ENV="production",
        HUICAN_SECRET_KEY=base64.b64encode(os.urandom(48)).decode(),
        HUICAN_DATA_KEY="1:" + base64.b64encode(os.urandom(32)).decode(),
        HUICAN_HMAC_KEY=base64.b64encode(os.urandom(32)).decode(),
        HUICAN_AUDIT_KEY=base64.b64encode(os.urandom(32)).decode(),
        HUICAN_CERT_SIGNING_KEY=base64.b64encode(os.urandom(32)).decode(),
        HUICAN_ALLOWED_HOSTS="huican.example.cn",
        HUICAN_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
