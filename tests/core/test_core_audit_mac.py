"""The audit log survives a database writer (issue 10, point A).

Someone who can write to the database but holds neither the audit key nor the checkpoint directory
cannot delete the newest entries, append a forged one, re-hash the chain, or change a detail without
`huican audit verify` exiting 1 and naming the first broken entry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib
import json
import stat
import types
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction

from huican.core import audit
from huican.core.audit import (
    GENESIS,
    audit_record,
    audit_verify,
    checkpoint_path,
    legacy_hash,
    read_checkpoint,
    seal_legacy_chain,
    write_checkpoint,
)
from huican.core.commands import run_audit
from huican.core.models import AuditEntry, KeyFingerprint

pytestmark = pytest.mark.django_db


def verify(capsys: Any) -> tuple[int, str]:
    code = run_audit(argparse.Namespace(audit_command="verify"))
    return code, capsys.readouterr().out


def entries(n: int) -> list[AuditEntry]:
    return [audit_record(actor="test", action="test.entry", detail={"i": i}) for i in range(n)]


def plain_sha_rehash_from(sequence: int) -> None:
    """What a database writer can do without the key: recompute the old plain SHA-256 chain."""
    previous = AuditEntry.objects.get(sequence=sequence - 1).entry_hash if sequence > 1 else GENESIS
    for entry in AuditEntry.objects.filter(sequence__gte=sequence).order_by("sequence"):
        entry.previous_hash = previous
        entry.entry_hash = hashlib.sha256(previous.encode() + audit._canonical(entry)).hexdigest()
        AuditEntry.objects.filter(pk=entry.pk).update(previous_hash=previous, entry_hash=entry.entry_hash)
        previous = entry.entry_hash


def test_an_intact_log_verifies_and_anchors_its_head(capsys) -> None:  # type: ignore[no-untyped-def]
    entries(5)
    code, out = verify(capsys)
    assert code == 0 and "审计日志完整，共 5 条" in out and "已写入检查点：第 5 条" in out
    checkpoint = read_checkpoint()
    assert checkpoint is not None and checkpoint.valid and checkpoint.sequence == 5
    assert checkpoint.entry_hash == AuditEntry.objects.get(sequence=5).entry_hash
    assert stat.S_IMODE(checkpoint_path().stat().st_mode) == 0o600
    assert stat.S_IMODE(checkpoint_path().parent.stat().st_mode) == 0o700
    code, out = verify(capsys)
    assert code == 0 and "与检查点（第 5 条）相符" in out


def test_a_deleted_newest_entry_is_found(capsys) -> None:  # type: ignore[no-untyped-def]
    entries(5)
    assert verify(capsys)[0] == 0  # anchors entry 5 outside the database
    AuditEntry.objects.filter(sequence=5).delete()
    result = audit_verify()
    assert not result.intact and result.first_broken == 5
    code, out = verify(capsys)
    assert code == 1 and "第 5 条" in out and "最新的记录被删除" in out
    assert read_checkpoint().sequence == 5  # type: ignore[union-attr]  # the evidence is kept


def test_an_appended_forged_entry_is_found(capsys) -> None:  # type: ignore[no-untyped-def]
    entries(3)
    last = AuditEntry.objects.get(sequence=3)
    forged = AuditEntry(
        sequence=4,
        at=last.at,
        actor_name="admin",
        action="registry.person_view",
        previous_hash=last.entry_hash,
    )
    forged.entry_hash = legacy_hash(forged, last.entry_hash)  # the old chain's rule, computable by anyone
    forged.save()
    code, out = verify(capsys)
    assert code == 1 and "第 4 条记录有问题" in out and "之前的 3 条完好" in out


def test_a_chain_rehashed_with_plain_sha256_is_found(capsys) -> None:  # type: ignore[no-untyped-def]
    entries(6)
    AuditEntry.objects.filter(sequence=3).update(detail={"i": "改过"})
    plain_sha_rehash_from(3)
    result = audit_verify()
    assert not result.intact and result.first_broken == 3
    code, out = verify(capsys)
    assert code == 1 and "第 3 条记录有问题" in out


def test_a_chain_rehashed_under_another_key_is_found(settings) -> None:  # type: ignore[no-untyped-def]
    entries(4)
    settings.HUICAN_AUDIT_KEY = "b3RoZXIta2V5LW9mLTMyLWJ5dGVzLWZvci1hdWRpdA=="
    AuditEntry.objects.filter(sequence=2).update(detail={"i": "改过"})
    previous = AuditEntry.objects.get(sequence=1).entry_hash
    for entry in AuditEntry.objects.filter(sequence__gte=2).order_by("sequence"):
        entry.entry_hash = audit.compute_hash(entry, previous)
        AuditEntry.objects.filter(pk=entry.pk).update(previous_hash=previous, entry_hash=entry.entry_hash)
        previous = entry.entry_hash
    settings.HUICAN_AUDIT_KEY = audit_key_of_the_suite()
    assert audit_verify().first_broken == 2


def audit_key_of_the_suite() -> str:
    from huican import settings as configured

    return configured.HUICAN_AUDIT_KEY


def test_a_changed_detail_is_found(capsys) -> None:  # type: ignore[no-untyped-def]
    entries(4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET detail = %s WHERE sequence = %s", ['{"i": 99}', 2])
    code, out = verify(capsys)
    assert code == 1 and "第 2 条记录有问题" in out


def test_a_checkpoint_is_written_every_n_entries_once_committed(
    settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_AUDIT_CHECKPOINT_EVERY = 3
    audit._last_checkpoint_day[checkpoint_path()] = dt.date.today()  # today's already done
    for i in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            audit_record(actor="test", action="test.entry", detail={"i": i})
    assert read_checkpoint().sequence == 3  # type: ignore[union-attr]
    # an entry rolled back is never anchored
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_record(actor="test", action="test.entry")  # 5
            audit_record(actor="test", action="test.entry")  # 6: due, but rolled back
            raise RuntimeError
    assert callbacks == [] and read_checkpoint().sequence == 3  # type: ignore[union-attr]
    # deleting back to before the checkpoint is found
    AuditEntry.objects.filter(sequence__gte=3).delete()
    result = audit_verify()
    assert not result.intact and result.first_broken == 3


def test_the_first_entry_of_a_day_writes_a_checkpoint(settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_AUDIT_CHECKPOINT_EVERY = 100  # a deployment that anchors every 100 entries
    audit._last_checkpoint_day.clear()
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor="test", action="test.entry")
    with django_capture_on_commit_callbacks(execute=True) as later:
        audit_record(actor="test", action="test.entry")
    assert read_checkpoint().sequence == 1 and later == []  # type: ignore[union-attr]


def test_another_mac_at_the_checkpointed_entry_is_found() -> None:
    entries(3)
    write_checkpoint(2, "f" * 64, AuditEntry.objects.get(sequence=2).at)
    result = audit_verify()
    assert not result.intact and result.first_broken == 2 and "检查点" in result.problem


def test_a_forged_checkpoint_file_is_refused(capsys) -> None:  # type: ignore[no-untyped-def]
    entries(3)
    assert verify(capsys)[0] == 0
    path = checkpoint_path()
    data = json.loads(path.read_text())
    data["sequence"] = 2  # hide the newest entry from the anchor
    path.write_text(json.dumps(data))
    code, out = verify(capsys)
    assert code == 1 and "签名不符" in out


def test_after_a_restore_the_checkpoint_is_reset_on_purpose(capsys) -> None:  # type: ignore[no-untyped-def]
    entries(4)
    assert verify(capsys)[0] == 0
    AuditEntry.objects.filter(sequence__gte=3).delete()  # as if an older backup was restored
    assert verify(capsys)[0] == 1
    assert run_audit(argparse.Namespace(audit_command="checkpoint", reset=True)) == 0
    assert "另存旧检查点（第 4 条）" in capsys.readouterr().out
    reset = AuditEntry.objects.get(sequence=3)
    assert reset.action == "audit.checkpoint_reset" and reset.detail["previous_sequence"] == 4
    assert list(checkpoint_path().parent.glob("*.superseded-*.json"))
    assert verify(capsys)[0] == 0


def test_the_old_plain_sha_chain_is_sealed_under_the_mac() -> None:
    def legacy_entries(n: int) -> None:
        previous = GENESIS
        for i in range(1, n + 1):
            entry = AuditEntry(
                sequence=i, at=audit.timezone.now(), actor_name="old", action="old.entry", detail={"i": i}
            )
            entry.previous_hash = previous
            entry.entry_hash = legacy_hash(entry, previous)
            entry.save()
            previous = entry.entry_hash

    legacy_entries(3)
    assert audit_verify().first_broken == 1  # the old chain does not hold under the MAC …
    migration = importlib.import_module("huican.core.migrations.0005_seal_audit_chain")
    migration.seal(django_apps, types.SimpleNamespace(connection=connection))
    assert audit_verify().intact  # … until the upgrade seals it
    seal = AuditEntry.objects.get(sequence=4)
    assert seal.action == "audit.seal" and seal.detail["legacy_intact"] is True
    assert seal.detail["legacy_entries"] == 3
    assert KeyFingerprint.objects.filter(name="audit").exists()  # the log is under this key now
    entries(1)
    assert audit_verify().intact and audit_verify().checked == 5


def test_a_legacy_chain_broken_before_the_upgrade_stays_on_record() -> None:
    previous = GENESIS
    for i in range(1, 4):
        entry = AuditEntry(sequence=i, at=audit.timezone.now(), action="old.entry", detail={"i": i})
        entry.previous_hash = previous
        entry.entry_hash = legacy_hash(entry, previous)
        entry.save()
        previous = entry.entry_hash
    AuditEntry.objects.filter(sequence=2).update(detail={"i": "改过"})
    detail = seal_legacy_chain(AuditEntry, chunk=2)  # pages of two: the rewrite crosses pages
    assert detail is not None and detail["legacy_intact"] is False and detail["legacy_first_broken"] == 2
    assert AuditEntry.objects.get(sequence=4).detail["legacy_first_broken"] == 2
    assert audit_verify().intact and audit_verify().checked == 4  # sealed as found, evidence on record


def test_an_empty_log_needs_no_seal() -> None:
    assert seal_legacy_chain(AuditEntry) is None
    assert audit_verify().intact


def test_the_privilege_check_refuses_what_it_cannot_vouch_for(capsys) -> None:  # type: ignore[no-untyped-def]
    # SQLite has no roles; on PostgreSQL the test role owns its tables (it created them): exactly the
    # deployment docs/operations.md ("Database roles") warns about. The exit-0 case needs two roles.
    assert run_audit(argparse.Namespace(audit_command="privileges")) == 1
    out = capsys.readouterr().out
    assert ("SQLite" in out) if connection.vendor == "sqlite" else ("所有者" in out)


def test_deleting_the_newest_entries_is_found_without_a_verify_first(
    capsys, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """Every committed entry moves the anchor (default HUICAN_AUDIT_CHECKPOINT_EVERY = 1), so a
    database writer who deletes the newest rows is found even if nobody verified in between."""
    for i in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            audit_record(actor="test", action="test.entry", detail={"i": i})
    assert read_checkpoint().sequence == 7  # type: ignore[union-attr]
    AuditEntry.objects.filter(sequence__gte=6).delete()
    code, out = verify(capsys)
    assert code == 1 and "第 6 条" in out
