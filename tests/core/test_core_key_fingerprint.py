"""The wrong key never corrupts data (issue 10, point B).

The database records a fingerprint of the keys its personal data is written under; a process with
other keys refuses to start or write, with a Chinese message naming the key (CLI: exit 2).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from huican.cli import main
from huican.core import keycheck
from huican.core.commands import run_keys
from huican.core.devkeys import development_keys
from huican.core.keycheck import KeyMismatch, check_keys, fingerprint
from huican.core.models import AuditEntry, KeyFingerprint
from huican.registry.models import Person
from tests.exchange.helpers import REGISTRY_HEADER, make_id, registry_row, write_csv
from tests.factories import make_person

ROOT = Path(__file__).resolve().parents[2]


def data_key(version: str) -> str:
    return f"{version}:{base64.b64encode(os.urandom(32)).decode()}"


def hmac_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(autouse=True)
def _forget_checked_keys() -> Iterator[None]:
    keycheck.forget()
    yield
    keycheck.forget()


def recorded() -> dict[str, str]:
    return dict(KeyFingerprint.objects.values_list("name", "fingerprint"))


@pytest.mark.django_db
def test_the_first_write_records_fingerprints_never_the_keys(settings) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_DATA_KEYS, settings.HUICAN_HMAC_KEY = data_key("1"), hmac_key()
    assert recorded() == {}
    make_person()
    stored = recorded()
    assert set(stored) == {"data:1", "hmac"}
    raw = base64.b64decode(settings.HUICAN_DATA_KEYS.partition(":")[2])
    assert stored["data:1"] == fingerprint(raw)
    assert settings.HUICAN_DATA_KEYS.partition(":")[2] not in stored.values()
    assert base64.b64decode(settings.HUICAN_HMAC_KEY).hex() not in "".join(stored.values())


@pytest.mark.django_db
def test_a_database_written_with_key_a_refuses_key_b(settings, capsys) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_DATA_KEYS, settings.HUICAN_HMAC_KEY = data_key("1"), hmac_key()
    make_person()
    persons, entries = Person.objects.count(), AuditEntry.objects.count()

    settings.HUICAN_DATA_KEYS, settings.HUICAN_HMAC_KEY = data_key("1"), hmac_key()  # key B
    keycheck.forget()
    os.environ["HUICAN_NEW_PASSWORD"] = "Zx9!long-enough-password"
    try:
        assert main(["users", "create", "someone", "--role", "city_staff"]) == 2
    finally:
        del os.environ["HUICAN_NEW_PASSWORD"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "已拒绝运行" in err and "未写入任何数据" in err
    assert "HUICAN_DATA_KEY" in err and "HUICAN_HMAC_KEY" in err
    # a write that does not go through the command line is refused as well
    with pytest.raises(KeyMismatch):
        make_person(id_number="140902199001010051")
    assert (Person.objects.count(), AuditEntry.objects.count()) == (persons, entries)


@pytest.mark.django_db
def test_the_message_names_only_the_key_that_differs(settings) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_DATA_KEYS, settings.HUICAN_HMAC_KEY = data_key("1"), hmac_key()
    make_person()
    settings.HUICAN_HMAC_KEY = hmac_key()
    with pytest.raises(KeyMismatch) as refused:
        check_keys()
    assert "HUICAN_HMAC_KEY" in str(refused.value) and "HUICAN_DATA_KEY" not in str(refused.value)


@pytest.mark.django_db
def test_an_audit_entry_under_another_audit_key_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    from huican.core.audit import audit_record, audit_verify

    audit_record(actor="test", action="test.entry")
    assert "audit" in recorded()
    settings.HUICAN_AUDIT_KEY = hmac_key()
    keycheck.forget()
    with pytest.raises(KeyMismatch, match="HUICAN_AUDIT_KEY"):
        check_keys()
    with pytest.raises(KeyMismatch, match="HUICAN_AUDIT_KEY"):
        audit_record(actor="test", action="test.entry")
    assert AuditEntry.objects.count() == 1
    settings.HUICAN_AUDIT_KEY = audit_key_of_the_suite()
    assert audit_verify().intact


def audit_key_of_the_suite() -> str:
    from huican import settings as configured

    return configured.HUICAN_AUDIT_KEY


@pytest.mark.django_db
def test_a_database_from_before_fingerprints_is_adopted_only_by_keys_that_open_it(settings) -> None:  # type: ignore[no-untyped-def]
    right = data_key("1"), hmac_key()
    settings.HUICAN_DATA_KEYS, settings.HUICAN_HMAC_KEY = right
    make_person()
    KeyFingerprint.objects.all().delete()  # written by a version that did not record them

    settings.HUICAN_DATA_KEYS = data_key("1")
    with pytest.raises(KeyMismatch, match="HUICAN_DATA_KEY"):
        check_keys()
    settings.HUICAN_DATA_KEYS, settings.HUICAN_HMAC_KEY = right[0], hmac_key()
    with pytest.raises(KeyMismatch, match="HUICAN_HMAC_KEY"):
        check_keys()
    assert recorded() == {}
    settings.HUICAN_DATA_KEYS, settings.HUICAN_HMAC_KEY = right
    check_keys()
    assert set(recorded()) == {"data:1", "hmac"}


@pytest.mark.django_db
def test_rotation_records_the_new_key_and_forgets_the_old_one(settings, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Files of the process's other tests (uploads under key 7) would keep the old key needed.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    old, new = data_key("7"), data_key("8")
    settings.HUICAN_DATA_KEYS = old
    make_person()
    assert set(recorded()) == {"data:7", "hmac"}
    settings.HUICAN_DATA_KEYS = f"{new},{old}"
    check_keys()  # the new key first, the old one still there: allowed
    assert run_keys(argparse.Namespace(keys_command="rotate")) == 0
    assert set(recorded()) == {"data:8", "hmac", "audit"}
    settings.HUICAN_DATA_KEYS = new
    check_keys()
    settings.HUICAN_DATA_KEYS = old  # the old key alone can no longer read the database
    with pytest.raises(KeyMismatch, match="缺少版本 8"):
        check_keys()


@pytest.mark.django_db
def test_an_upload_file_under_the_old_key_keeps_it_needed(settings, tmp_var, capsys) -> None:  # type: ignore[no-untyped-def]
    from huican.core.filecrypt import encrypt_bytes_to

    old, new = data_key("7"), data_key("8")
    settings.HUICAN_DATA_KEYS = old
    make_person()
    upload = tmp_var / "media" / "imports" / "u1" / "upload.csv.enc"
    upload.parent.mkdir(parents=True)
    encrypt_bytes_to(upload, "公民身份号码\n".encode())
    settings.HUICAN_DATA_KEYS = f"{new},{old}"
    assert run_keys(argparse.Namespace(keys_command="rotate")) == 0
    assert set(recorded()) == {"data:7", "data:8", "hmac", "audit"}  # the file still needs key 7
    upload.unlink()  # expired (huican uploads purge)
    assert run_keys(argparse.Namespace(keys_command="rotate")) == 0
    assert set(recorded()) == {"data:8", "hmac", "audit"}


@pytest.mark.django_db
def test_removing_the_old_key_before_rotating_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    old, new = data_key("7"), data_key("8")
    settings.HUICAN_DATA_KEYS = old
    make_person()
    settings.HUICAN_DATA_KEYS = new
    with pytest.raises(KeyMismatch, match="缺少版本 7"):
        check_keys()


@pytest.mark.django_db
def test_rehash_records_the_new_hmac_key_with_the_hashes(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_person()
    new = hmac_key()
    monkeypatch.setenv("HUICAN_HMAC_KEY_NEW", new)
    assert run_keys(argparse.Namespace(keys_command="rehash")) == 0
    assert recorded()["hmac"] == fingerprint(base64.b64decode(new))
    with pytest.raises(KeyMismatch, match="HUICAN_HMAC_KEY"):
        check_keys()  # the old key, still configured here, is now the wrong one
    settings.HUICAN_HMAC_KEY = new
    check_keys()


def test_an_older_development_key_file_gets_an_audit_key(tmp_path: Path) -> None:
    old = {"secret_key": "s", "data_key": "1:" + base64.b64encode(bytes(32)).decode(), "hmac_key": "h"}
    (tmp_path / "keys.json").write_text(json.dumps(old))
    keys = development_keys(tmp_path)
    assert {k: keys[k] for k in old} == old and len(base64.b64decode(keys["audit_key"])) == 32
    assert json.loads((tmp_path / "keys.json").read_text()) == keys
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600
    assert development_keys(tmp_path) == keys


@pytest.mark.own_sqlite  # the huican command on a SQLite file of its own
def test_a_cli_run_without_the_production_keys_is_refused(tmp_path: Path) -> None:
    """The incident: production data, then a command run with the development keys of var/keys.json."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HUICAN_", "DJANGO_", "DATABASE_URL"))}
    env = {
        **clean,
        "HUICAN_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    production_keys = {"HUICAN_DATA_KEY": data_key("1"), "HUICAN_HMAC_KEY": hmac_key()}
    registry = write_csv(
        tmp_path / "registry.csv", REGISTRY_HEADER, [registry_row(make_id("14090219900101001"))]
    )

    def huican(*args: str, keys: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "huican.cli", *args],
            cwd=ROOT,
            env={**env, **keys},
            capture_output=True,
            text=True,
            timeout=300,
        )

    first = huican("import", "registry", str(registry), keys=production_keys)
    assert first.returncode == 0, first.stdout + first.stderr
    again = huican("import", "registry", str(registry), keys={})
    assert again.returncode == 2, again.stdout + again.stderr
    assert "开发模式" in again.stderr and "keys.json" in again.stderr and "HUICAN_DATA_KEY" in again.stderr
    web = subprocess.run(
        [sys.executable, "-c", "import huican.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert web.returncode == 2 and "已拒绝运行" in web.stderr
    assert huican("audit", "verify", keys=production_keys).returncode == 0
    other_audit_key = {**production_keys, "HUICAN_AUDIT_KEY": hmac_key()}
    refused = huican("audit", "verify", keys=other_audit_key)
    assert refused.returncode == 2 and "HUICAN_AUDIT_KEY" in refused.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HUICAN_HMAC_KEY", "abc"),  # not base64: once an English "Incorrect padding" and exit 1
        ("HUICAN_HMAC_KEY", "c2hvcnQ="),  # base64, but too short
        ("HUICAN_DATA_KEY", "1:abc"),
        ("HUICAN_DATA_KEY", "no-version"),
    ],
)
def test_a_malformed_key_is_a_clear_refusal(variable: str, value: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from huican.core import crypto

    read = crypto._hmac_key if variable == "HUICAN_HMAC_KEY" else crypto._ciphers
    read.cache_clear()
    with pytest.raises(ImproperlyConfigured) as refused:
        read(value)
    read.cache_clear()
    message = str(refused.value)
    assert variable in message and "docs/operations.md" in message
    assert "padding" not in message and "must" not in message


@pytest.mark.django_db
def test_the_command_line_says_so_and_exits_2(settings, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from huican.cli import main
    from huican.core import crypto

    path = write_csv(
        tmp_path / "t.csv",
        ["公民身份号码", "姓名", "起始日期"],
        [[make_id("14090219900101001"), "测", "2024-01-01"]],
    )
    crypto._hmac_key.cache_clear()
    settings.HUICAN_HMAC_KEY = "abc"
    try:
        code = main(["import", "tekun", str(path)])
    finally:
        crypto._hmac_key.cache_clear()
    err = capsys.readouterr().err
    assert code == 2, err
    assert "配置有误" in err and "HUICAN_HMAC_KEY" in err and "padding" not in err
