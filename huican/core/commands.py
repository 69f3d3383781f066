"""`huican audit verify` and `huican keys rotate` (operator commands, see docs/operations.md)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from django.apps import apps
from django.db import models, transaction

from huican.cli import UsageError

CHUNK = 2000


def run_audit(args: argparse.Namespace) -> int:
    from huican.core.audit import audit_verify

    if args.audit_command != "verify":  # pragma: no cover - argparse allows only "verify"
        raise UsageError(f"未知的子命令：{args.audit_command}")
    result = audit_verify()
    if result.intact:
        print(f"审计日志完整，共 {result.checked} 条")
        return 0
    print(
        f"审计日志第 {result.first_broken} 条记录有问题：{result.problem}（之前的 {result.checked} 条完好）"
    )
    return 1


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

    prefix = current_key_version() + ":"
    counts: dict[str, int] = {}
    for model, fields in encrypted_fields():
        changed = 0
        for chunk in _chunks(model, fields, prefix):
            for name in fields:
                stale = [
                    obj for obj in chunk if getattr(obj, name) and not getattr(obj, name).startswith(prefix)
                ]
                plain = decrypt_many(getattr(obj, name) for obj in stale)
                for obj, token in zip(stale, encrypt_many(plain), strict=True):
                    setattr(obj, name, token)
                changed += len(stale)
            with transaction.atomic():
                model._default_manager.bulk_update(chunk, fields, batch_size=500)
        counts[model._meta.label] = changed
    return counts


def _chunks(model: type[models.Model], fields: list[str], prefix: str) -> Iterator[list[models.Model]]:
    stale = models.Q()
    for name in fields:
        stale |= ~models.Q(**{f"{name}__startswith": prefix}) & ~models.Q(**{name: ""})
    queryset = model._default_manager.filter(stale).order_by("pk").only("pk", *fields)
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
    import os

    from huican.core.audit import audit_record
    from huican.exchange.rehash import rehash_identities

    new_key = os.environ.get("HUICAN_HMAC_KEY_NEW", "")
    if not new_key:
        raise UsageError("请在环境变量 HUICAN_HMAC_KEY_NEW 中给出新的 HMAC 密钥（base64）")
    try:
        counts = rehash_identities(new_key_b64=new_key)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    audit_record(actor="cli", action="keys.rehash", detail={"rehashed": counts})
    for label, count in counts.items():
        print(f"{label}: {count}")
    print("已用新密钥重算全部身份证号哈希；现在把 HUICAN_HMAC_KEY 换成新密钥并重启服务")
    return 0
