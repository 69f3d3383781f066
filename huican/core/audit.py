"""Writing and verifying the tamper-evident audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from huican.core.models import AuditEntry

GENESIS = "0" * 64
_LOCK_ID = 7_340_001


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "sequence": entry.sequence,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "region_code": entry.region_code,
        "reason": entry.reason,
        "detail": entry.detail,
        "ip_address": entry.ip_address,
    }
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def compute_hash(entry: AuditEntry, previous_hash: str) -> str:
    return hashlib.sha256(previous_hash.encode() + _canonical(entry)).hexdigest()


def _clean(value: Any) -> Any:
    """NUL cannot be stored in PostgreSQL text or JSON: keep a visible mark of it instead."""
    if isinstance(value, str):
        return value.replace("\x00", "\u2400")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def audit_record(
    *,
    actor: Any = None,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    region_code: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    ip_address: str = "",
) -> AuditEntry:
    """Append one entry to the audit log, chained to the previous one."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = getattr(user, "username", "") if user else (actor if isinstance(actor, str) else "")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        last = AuditEntry.objects.order_by("-sequence").only("sequence", "entry_hash").first()
        entry = AuditEntry(
            sequence=(last.sequence + 1) if last else 1,
            at=timezone.now(),
            actor=user,
            actor_name=_clean(actor_name or "")[:150],
            action=action[:64],
            object_type=object_type[:64],
            object_id=_clean(str(object_id))[:64],
            region_code=_clean(region_code)[:12],
            reason=_clean(reason),
            detail=_clean(json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))),
            ip_address=_clean(ip_address)[:64],
            previous_hash=last.entry_hash if last else GENESIS,
        )
        entry.entry_hash = compute_hash(entry, entry.previous_hash)
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    intact: bool
    checked: int
    first_broken: int | None = None
    problem: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain in order; report the first entry whose link or content does not hold."""
    previous = GENESIS
    expected_sequence = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            return VerifyResult(
                False, checked, entry.sequence, f"缺少第 {expected_sequence} 条记录（序号不连续）"
            )
        if entry.previous_hash != previous:
            return VerifyResult(False, checked, entry.sequence, "与上一条记录的哈希链接不符")
        if compute_hash(entry, previous) != entry.entry_hash:
            return VerifyResult(False, checked, entry.sequence, "记录内容已被改动（哈希不符）")
        previous = entry.entry_hash
        expected_sequence += 1
        checked += 1
    return VerifyResult(True, checked)
