"""Settings as deployed: Argon2 passwords, loud production settings, and the database actually used."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def test_production_hashes_passwords_with_argon2() -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    import huican.settings as configured  # the module, not the test-time override

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = Argon2PasswordHasher().encode("正确的马电池订书钉", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")
    assert Argon2PasswordHasher().verify("正确的马电池订书钉", encoded)


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUICAN_")}
    return subprocess.run(
        [sys.executable, "-c", "import huican.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_keys() -> None:
    result = _import_settings({"HUICAN_ENV": "production"})
    assert result.returncode != 0
    assert "HUICAN_SECRET_KEY" in result.stderr and "HUICAN_AUDIT_KEY" in result.stderr
    assert "HUICAN_CERT_SIGNING_KEY" in result.stderr


def test_production_reads_secrets_from_files(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    for name in ("secret", "data", "hmac", "audit", "cert"):
        (folder / name).write_text(f"{name}-value-from-a-file-0123456789\n")
    result = _import_settings(
        {
            "HUICAN_ENV": "production",
            "HUICAN_SECRET_KEY_FILE": str(folder / "secret"),
            "HUICAN_DATA_KEY_FILE": str(folder / "data"),
            "HUICAN_HMAC_KEY_FILE": str(folder / "hmac"),
            "HUICAN_AUDIT_KEY_FILE": str(folder / "audit"),
            "HUICAN_CERT_SIGNING_KEY_FILE": str(folder / "cert"),
            "HUICAN_ALLOWED_HOSTS": "huican.example.cn",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_it_was_given() -> None:
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_is_version_15_or_later() -> None:
    from django.db import connection

    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000  # type: ignore[attr-defined]
