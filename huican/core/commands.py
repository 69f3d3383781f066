"""`huican audit verify|checkpoint|privileges` and `huican keys rotate|rehash` (docs/operations.md)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from django.apps import apps
from django.db import models, transaction

from huican.cli import UsageError
from huican.core.hooks import Hook

CHUNK = 2000

# `keys rehash`: the import pipeline, which owns the tables keyed by ID-number hashes, provides it
# (``exchange.rehash.rehash_identities``); it returns the rehashed counts per table.
identity_rehash = Hook("core.identity_rehash")


def run_audit(args: argparse.Namespace) -> int:
    if args.audit_command == "checkpoint":
        return _audit_checkpoint(reset=getattr(args, "reset", False))
    if args.audit_command == "privileges":
        return _audit_privileges()
    if args.audit_command != "verify":  # pragma: no cover - argparse allows only these
        raise UsageError(f"未知的子命令：{args.audit_command}")
    from huican.core.audit import audit_verified, audit_verify, checkpoint_verified

    result = audit_verify()
    audit_verified.send(sender=run_audit, result=result, actor="cli", audit=False)
    if result.intact:
        anchored = (
            f"，与检查点（第 {result.checkpoint_sequence} 条）相符"
            if result.checkpoint_sequence
            else "，尚无检查点"
        )
        print(f"审计日志完整，共 {result.checked} 条{anchored}")
        if checkpoint_verified(result):
            print(f"已写入检查点：第 {result.head_sequence} 条")
        return 0
    print(broken_message(result))
    return 1


def broken_message(result: object) -> str:
    first_broken = getattr(result, "first_broken", None)
    problem = getattr(result, "problem", "")
    checked = getattr(result, "checked", 0)
    if first_broken is None:
        return f"审计日志无法确认完整：{problem}"
    return f"审计日志第 {first_broken} 条记录有问题：{problem}（之前的 {checked} 条完好）"


def _audit_checkpoint(*, reset: bool) -> int:
    """`huican audit checkpoint [--reset]`: anchor the verified head now (after a restore: --reset)."""
    from huican.core.audit import (
        audit_record,
        audit_verify,
        checkpoint_path,
        read_checkpoint,
        write_checkpoint,
    )

    previous = read_checkpoint()
    # With --reset the chain is checked alone: the old checkpoint is what a restore no longer matches.
    result = audit_verify(use_checkpoint=not reset)
    if not result.intact:
        print(broken_message(result))
        return 1
    if reset and previous is not None:
        entry = audit_record(
            actor="cli",
            action="audit.checkpoint_reset",
            detail={"previous_sequence": previous.sequence, "previous_written_at": previous.written_at},
        )
        write_checkpoint(entry.sequence, entry.entry_hash, entry.at, replace=True)
        print(
            f"已另存旧检查点（第 {previous.sequence} 条），新检查点：第 {entry.sequence} 条（{checkpoint_path()}）"
        )
        return 0
    if not result.head_sequence or result.head_at is None:
        print("审计日志为空，无需检查点")
        return 0
    write_checkpoint(result.head_sequence, result.head_hash, result.head_at)
    print(f"检查点：第 {result.head_sequence} 条（{checkpoint_path()}）")
    return 0


def _audit_privileges() -> int:
    """`huican audit privileges`: may the connected database role change or delete audit entries?"""
    from django.db import connection

    if connection.vendor != "postgresql":
        print(
            "SQLite 没有数据库角色，无法禁止改删审计日志；正式运行请用 PostgreSQL 并按 docs/operations.md（Database roles）设置权限"
        )
        return 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, pg_get_userbyid(c.relowner) = current_user,"
            " has_table_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE'),"
            " has_table_privilege(c.oid, 'TRUNCATE'), has_table_privilege(c.oid, 'INSERT')"
            " FROM pg_class c WHERE c.oid = 'core_auditentry'::regclass"
        )
        role, owner, update, delete, truncate, insert = cursor.fetchone()
    allowed = [
        name for name, flag in (("UPDATE", update), ("DELETE", delete), ("TRUNCATE", truncate)) if flag
    ]
    if owner or allowed:
        reason = (
            "是审计日志表的所有者（可随时给自己恢复权限）"
            if owner
            else "仍有 " + "、".join(allowed) + " 权限"
        )
        print(
            f"数据库角色 {role} {reason}：应用角色应只能 SELECT 和 INSERT 审计日志，见 docs/operations.md（Database roles）"
        )
        return 1
    if not insert:
        print(f"数据库角色 {role} 没有 INSERT 权限，无法写审计日志，见 docs/operations.md（Database roles）")
        return 1
    print(f"数据库角色 {role} 只能读取和追加审计日志（无 UPDATE、DELETE、TRUNCATE 权限，也不是表的所有者）")
    return 0


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model field holding ciphertext: by convention its name ends in ``_encrypted``."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if f.name.endswith("_encrypted")]
        if names:
            found.append((model, names))
    return found


def rotate_keys() -> dict[str, int]:
    """Re-encrypt every encrypted value not yet under the current key. Returns counts per model.

    Idempotent and resumable: values already under the current key version are skipped, and each
    chunk is committed on its own.
    """
    from huican.core.crypto import current_key_version, decrypt_many, encrypt_many
    from huican.core.keycheck import drop_other_data_keys, record_current_data_key

    prefix = current_key_version() + ":"
    counts: dict[str, int] = {}
    for model, fields in encrypted_fields():
        changed = 0
        for chunk in _chunks(model, fields, prefix):
            with transaction.atomic():
                # The database learns the new key in the transaction of the first values under it.
                record_current_data_key()
                for name in fields:
                    stale = [
                        obj
                        for obj in chunk
                        if getattr(obj, name) and not getattr(obj, name).startswith(prefix)
                    ]
                    plain = decrypt_many(getattr(obj, name) for obj in stale)
                    for obj, token in zip(stale, encrypt_many(plain), strict=True):
                        setattr(obj, name, token)
                    changed += len(stale)
                model._default_manager.bulk_update(chunk, fields, batch_size=500)
        counts[model._meta.label] = changed
    with transaction.atomic():
        # Older versions are forgotten only when no value remains under them (checked in the same
        # transaction), nor any stored file; until then a process without them is refused.
        if not any(
            model._default_manager.filter(_stale_filter(fields, prefix)).exists()
            for model, fields in encrypted_fields()
        ) and not files_under_older_keys(prefix[:-1]):
            record_current_data_key()
            drop_other_data_keys()
    return counts


def files_under_older_keys(current: str) -> int:
    """Stored files encrypted (huican.core.filecrypt) under a data-key version other than ``current``.

    `keys rotate` does not rewrite them (they expire with HUICAN_UPLOAD_RETENTION_DAYS): while any
    remains, the older key stays recorded as needed.
    """
    from pathlib import Path

    from django.conf import settings

    from huican.core.filecrypt import MAGIC

    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return 0
    found = 0
    for path in root.rglob("*"):
        try:
            if not path.is_file():
                continue
            with path.open("rb") as handle:
                if handle.read(len(MAGIC)) != MAGIC:
                    continue
                length = handle.read(1)
                version = handle.read(length[0] if length else 0).decode("ascii", "replace")
        except OSError:
            continue
        found += version != current
    return found


def _stale_filter(fields: list[str], prefix: str) -> models.Q:
    stale = models.Q()
    for name in fields:
        stale |= ~models.Q(**{f"{name}__startswith": prefix}) & ~models.Q(**{name: ""})
    return stale


def _chunks(model: type[models.Model], fields: list[str], prefix: str) -> Iterator[list[models.Model]]:
    queryset = model._default_manager.filter(_stale_filter(fields, prefix)).order_by("pk").only("pk", *fields)
    last_pk = None
    while True:
        page = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
        chunk = list(page[:CHUNK])
        if not chunk:
            return
        yield chunk
        last_pk = chunk[-1].pk


def run_keys(args: argparse.Namespace) -> int:
    from huican.core.audit import audit_record
    from huican.core.crypto import current_key_version

    if args.keys_command == "rehash":
        return _rehash(args)
    if args.keys_command != "rotate":  # pragma: no cover - argparse allows only these
        raise UsageError(f"未知的子命令：{args.keys_command}")
    version = current_key_version()
    counts = rotate_keys()
    audit_record(actor="cli", action="keys.rotate", detail={"key_version": version, "re_encrypted": counts})
    total = sum(counts.values())
    for label, count in counts.items():
        print(f"{label}: {count}")
    print(f"已用密钥版本 {version} 重新加密 {total} 个字段值")
    return 0


def _rehash(args: argparse.Namespace) -> int:
    """`huican keys rehash`: recompute every ID-number hash with HUICAN_HMAC_KEY_NEW."""
    import base64
    import os

    from huican.core.audit import audit_record
    from huican.core.keycheck import record_hmac_key

    new_key = os.environ.get("HUICAN_HMAC_KEY_NEW", "")
    if not new_key:
        raise UsageError("请在环境变量 HUICAN_HMAC_KEY_NEW 中给出新的 HMAC 密钥（base64）")
    try:
        # The database's record of the HMAC key changes in the transaction that rewrites the hashes.
        with transaction.atomic():
            counts = identity_rehash(new_key_b64=new_key)
            record_hmac_key(base64.b64decode(new_key, validate=True))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    audit_record(actor="cli", action="keys.rehash", detail={"rehashed": counts})
    for label, count in counts.items():
        print(f"{label}: {count}")
    print("已用新密钥重算全部身份证号哈希；现在把 HUICAN_HMAC_KEY 换成新密钥并重启服务")
    return 0
