"""Writing and verifying the tamper-evident audit log.

Each entry's ``entry_hash`` is an HMAC-SHA256, under the audit key (``HUICAN_AUDIT_KEY``, never in
the database), of the previous entry's MAC and the entry's own content. Someone who can write to the
database but does not hold the key can neither change an entry, nor append one, nor re-hash the
chain from some entry onwards: `audit_verify` finds the first entry whose MAC does not hold.

Deleting the newest entries leaves a valid chain, so the head is also anchored outside the
database: a signed checkpoint file (sequence and MAC of an entry, signed with a key derived from the
audit key) is written atomically, mode 0600, into ``HUICAN_AUDIT_CHECKPOINT_DIR`` every
``HUICAN_AUDIT_CHECKPOINT_EVERY`` entries (default 1: after every committed entry, so deleting the
newest entries is found; synced to disk every ``DURABLE_EVERY`` entries), on the first entry of each
day, and by every successful verification. A database holding fewer entries than the checkpoint, or another MAC at the
checkpointed entry, fails verification. See docs/security.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from huican.core.keycheck import ensure_audit_key
from huican.core.models import AuditEntry

logger = logging.getLogger(__name__)

# Sent after `audit verify` (command line or page) with result=, actor=, ip_address= and audit=
# (whether to log the check itself); accounts keeps the outcome for the security page.
audit_verified = Signal()

GENESIS = "0" * 64
_LOCK_ID = 7_340_001
CHECKPOINT_VERSION = 1


def _canonical(entry: Any) -> bytes:
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


@lru_cache(maxsize=4)
def _decode_key(spec: str) -> bytes:
    try:
        raw = base64.b64decode(spec or "", validate=True)
    except ValueError:
        raw = b""
    if len(raw) < 16:
        raise ImproperlyConfigured(
            "HUICAN_AUDIT_KEY 格式有误：应为 base64 编码、至少 16 字节的密钥（见 docs/operations.md）"
        )
    return raw


def audit_key() -> bytes:
    return _decode_key(settings.HUICAN_AUDIT_KEY)


def compute_hash(entry: Any, previous_hash: str, key: bytes | None = None) -> str:
    """The entry's MAC: HMAC-SHA256 under the audit key of the previous MAC and the content."""
    return hmac.new(
        key or audit_key(), previous_hash.encode() + _canonical(entry), hashlib.sha256
    ).hexdigest()


def legacy_hash(entry: Any, previous_hash: str) -> str:
    """The plain SHA-256 chain of entries written before the MAC (sealed by migration core 0005)."""
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
    key = audit_key()
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = getattr(user, "username", "") if user else (actor if isinstance(actor, str) else "")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        ensure_audit_key()  # never chain an entry under a key other than the log's
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
        entry.entry_hash = compute_hash(entry, entry.previous_hash, key)
        entry.save(force_insert=True)
        if _checkpoint_due(entry.sequence):
            # Only once committed: a rolled-back entry must never be anchored.
            transaction.on_commit(partial(_checkpoint_quietly, entry.sequence, entry.entry_hash, entry.at))
    return entry


# ---------------------------------------------------------------------------------------------
# Checkpoints: the chain's head, signed, outside the database
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    entry_hash: str
    at: str
    written_at: str
    valid: bool  # the signature holds under the configured audit key
    path: Path


def checkpoint_path() -> Path:
    """This database's checkpoint file: one per database (vendor and name) in the directory."""
    return _checkpoint_path(
        str(settings.HUICAN_AUDIT_CHECKPOINT_DIR), connection.vendor, connection.settings_dict["NAME"]
    )


@lru_cache(maxsize=16)
def _checkpoint_path(directory: str, vendor: str, name: object) -> Path:
    label = hashlib.sha256(f"{vendor}|{name}".encode()).hexdigest()
    return Path(directory) / f"audit-checkpoint-{label[:16]}.json"


def _checkpoint_key() -> bytes:
    return hmac.new(audit_key(), b"huican audit checkpoint v1", hashlib.sha256).digest()


def _signature(body: dict[str, Any]) -> str:
    message = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_checkpoint_key(), message, hashlib.sha256).hexdigest()


def read_checkpoint(path: Path | None = None) -> Checkpoint | None:
    """The latest checkpoint of this database, or None when none was written yet."""
    path = path or checkpoint_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return Checkpoint(0, "", "", "", False, path)
    if not isinstance(data, dict):
        return Checkpoint(0, "", "", "", False, path)
    signature = str(data.pop("mac", ""))
    try:
        sequence = int(data.get("sequence", 0))
    except (TypeError, ValueError):
        sequence = 0
    valid = hmac.compare_digest(signature, _signature(data)) and data.get("version") == CHECKPOINT_VERSION
    return Checkpoint(
        sequence, str(data.get("entry_hash", "")), str(data.get("at", "")), str(data.get("written_at", "")),
        valid, path,
    )  # fmt: skip


def write_checkpoint(
    sequence: int, entry_hash: str, at: dt.datetime | str, *, replace: bool = False, durable: bool = True
) -> bool:
    """Anchor entry ``sequence`` with MAC ``entry_hash``; atomic, owner-only (0600).

    ``durable`` syncs the file and its folder to disk. The checkpoint written after every entry
    skips the sync except every ``DURABLE_EVERY`` entries: the rename is atomic either way, and a
    power cut can then only lose the newest anchors (the file falls back to an older one), never
    anchor an entry the database does not have.

    A checkpoint never moves backwards, and one that does not match this database is kept as
    evidence unless ``replace`` (``huican audit checkpoint --reset``, after a restore); returns
    whether the file was written.
    """
    path = checkpoint_path()
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(directory / ".lock", os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_checkpoint(path)
        if current is not None and not replace:
            if not current.valid or current.sequence > sequence:
                return False
            if current.sequence == sequence:
                return False  # already anchored (or, with another MAC, evidence to keep)
        if current is not None and replace:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
            os.replace(path, path.with_name(f"{path.stem}.superseded-{stamp}.json"))
        body: dict[str, Any] = {
            "version": CHECKPOINT_VERSION,
            "database": f"{connection.vendor}:{connection.settings_dict['NAME']}",
            "sequence": sequence,
            "entry_hash": entry_hash,
            "at": at.isoformat() if isinstance(at, dt.datetime) else at,
            "written_at": timezone.now().isoformat(),
        }
        body["mac"] = _signature(body)
        tmp = directory / f".{path.name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(body, ensure_ascii=False, indent=1))
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.replace(tmp, path)
        if durable:
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    _last_checkpoint_day[path] = dt.date.today()
    return True


# The day of the last checkpoint seen per file, so that the daily one costs no file access.
_last_checkpoint_day: dict[Path, dt.date] = {}


def _checkpoint_due(sequence: int) -> bool:
    every = settings.HUICAN_AUDIT_CHECKPOINT_EVERY
    if every > 0 and sequence % every == 0:
        return True
    path = checkpoint_path()
    today = dt.date.today()  # the server's day: cheaper than the configured time zone's
    last = _last_checkpoint_day.get(path)
    if last is None:
        current = read_checkpoint(path)
        last = dt.date.min
        if current is not None and current.valid and current.written_at:
            try:
                last = dt.datetime.fromisoformat(current.written_at).astimezone().date()
            except ValueError:
                pass
    # Optimistic: one checkpoint per process and day even when many entries commit together.
    _last_checkpoint_day[path] = today
    return last < today


# Checkpoints written after single entries are synced to disk every this many entries.
DURABLE_EVERY = 100


def _checkpoint_quietly(sequence: int, entry_hash: str, at: dt.datetime) -> None:
    try:
        write_checkpoint(sequence, entry_hash, at, durable=sequence % DURABLE_EVERY == 0)
    except OSError:
        logger.exception("审计日志检查点无法写入 %s", settings.HUICAN_AUDIT_CHECKPOINT_DIR)


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    intact: bool
    checked: int
    first_broken: int | None = None
    problem: str = ""
    head_sequence: int = 0
    head_hash: str = ""
    head_at: dt.datetime | None = None
    checkpoint_sequence: int | None = None


def audit_verify(*, use_checkpoint: bool = True) -> VerifyResult:
    """Walk the chain in order; report the first entry whose link, MAC or checkpoint does not hold.

    ``use_checkpoint=False`` checks the chain alone (`huican audit checkpoint --reset`, after a
    deliberate restore of an older backup).
    """
    key = audit_key()
    checkpoint = read_checkpoint() if use_checkpoint else None
    if checkpoint is not None and not checkpoint.valid:
        return VerifyResult(
            False,
            0,
            None,
            f"检查点文件 {checkpoint.path} 的签名不符（文件被改动，或审计密钥 HUICAN_AUDIT_KEY 不是写入时的那把）",
        )
    anchored = checkpoint.sequence if checkpoint else None
    previous = GENESIS
    expected_sequence = 1
    checked = 0
    last: AuditEntry | None = None
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            return VerifyResult(
                False, checked, entry.sequence, f"缺少第 {expected_sequence} 条记录（序号不连续）"
            )
        if entry.previous_hash != previous:
            return VerifyResult(False, checked, entry.sequence, "与上一条记录的链接不符")
        if not hmac.compare_digest(compute_hash(entry, previous, key), entry.entry_hash):
            return VerifyResult(
                False, checked, entry.sequence, "记录内容或校验码已被改动（用审计密钥算出的 MAC 不符）"
            )
        if checkpoint is not None and entry.sequence == checkpoint.sequence:
            if not hmac.compare_digest(entry.entry_hash, checkpoint.entry_hash):
                return VerifyResult(
                    False, checked, entry.sequence, f"与检查点（{checkpoint.written_at}）记录的这一条不符"
                )
        previous = entry.entry_hash
        expected_sequence += 1
        checked += 1
        last = entry
    if checkpoint is not None and checked < checkpoint.sequence:
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"缺少第 {checked + 1} 条及之后的记录：检查点（{checkpoint.written_at}）记录审计日志至少有 "
            f"{checkpoint.sequence} 条，数据库中只有 {checked} 条（最新的记录被删除）",
        )
    return VerifyResult(
        True,
        checked,
        head_sequence=last.sequence if last else 0,
        head_hash=last.entry_hash if last else "",
        head_at=last.at if last else None,
        checkpoint_sequence=anchored,
    )


def checkpoint_verified(result: VerifyResult) -> bool:
    """After a successful verification, anchor the verified head (never fails the caller)."""
    if not result.intact or not result.head_sequence or result.head_at is None:
        return False
    try:
        return write_checkpoint(result.head_sequence, result.head_hash, result.head_at)
    except OSError:
        logger.exception("审计日志检查点无法写入 %s", settings.HUICAN_AUDIT_CHECKPOINT_DIR)
        return False


# ---------------------------------------------------------------------------------------------
# Upgrade: the plain SHA-256 chain of older versions, sealed under the MAC (migration core 0005)
# ---------------------------------------------------------------------------------------------


def seal_legacy_chain(model: Any, *, using: str = "default", chunk: int = 1000) -> dict[str, Any] | None:
    """Check the old plain-SHA chain, re-chain every entry under the MAC, append an `audit.seal` entry.

    The seal entry records what the old chain's check found (intact, or the first broken entry and
    why), so a problem that existed before the upgrade stays on the record under the MAC.
    """
    entries = model.objects.using(using).order_by("sequence")
    if not entries.exists():
        return None
    key = audit_key()
    legacy_previous, mac_previous = GENESIS, GENESIS
    expected, count = 1, 0
    first_broken: int | None = None
    problem = ""
    last: Any = None
    for page in _pages(entries, chunk):
        for entry in page:
            if first_broken is None:
                if entry.sequence != expected:
                    first_broken, problem = expected, f"缺少第 {expected} 条记录（序号不连续）"
                elif entry.previous_hash != legacy_previous:
                    first_broken, problem = entry.sequence, "与上一条记录的哈希链接不符"
                elif legacy_hash(entry, legacy_previous) != entry.entry_hash:
                    first_broken, problem = entry.sequence, "记录内容已被改动（哈希不符）"
            legacy_previous = entry.entry_hash
            expected = entry.sequence + 1
            entry.previous_hash = mac_previous
            entry.entry_hash = compute_hash(entry, mac_previous, key)
            mac_previous = entry.entry_hash
            count += 1
            last = entry
        model.objects.using(using).bulk_update(page, ["previous_hash", "entry_hash"])
    detail = {
        "legacy_entries": count,
        "legacy_head": legacy_previous,
        "legacy_intact": first_broken is None,
        "legacy_first_broken": first_broken,
        "legacy_problem": problem,
    }
    seal = model(
        sequence=last.sequence + 1,
        at=timezone.now(),
        actor_name="系统升级",
        action="audit.seal",
        detail=detail,
        previous_hash=mac_previous,
    )
    seal.entry_hash = compute_hash(seal, mac_previous, key)
    seal.save(using=using, force_insert=True)
    return detail


def audit_key_fingerprint() -> str:
    """What `keycheck` records for the audit key (an HMAC of a fixed text, not the key)."""
    from huican.core.keycheck import fingerprint

    return fingerprint(audit_key())


def unseal_to_legacy_chain(model: Any, *, using: str = "default") -> None:
    """Reverse of `seal_legacy_chain`: the whole log back on the plain SHA-256 chain."""
    previous = GENESIS
    for page in _pages(model.objects.using(using).order_by("sequence"), 1000):
        for entry in page:
            entry.previous_hash = previous
            entry.entry_hash = legacy_hash(entry, previous)
            previous = entry.entry_hash
        model.objects.using(using).bulk_update(page, ["previous_hash", "entry_hash"])


def _pages(entries: Any, size: int) -> Any:
    """Entries in sequence order, a list at a time (keyset pages: safe while rows are rewritten)."""
    after: int | None = None
    while True:
        page = list((entries if after is None else entries.filter(sequence__gt=after))[:size])
        if not page:
            return
        yield page
        after = page[-1].sequence


def audit_cli_output(command: str, *, rows: int, **detail: Any) -> None:
    """Record that a command printed personal data in bulk (full ID numbers): who ran it on the
    server, what and how much. The command line is an operator's tool, but what leaves the system
    through it is accounted for like a web export."""
    import getpass

    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid
        os_user = str(os.getuid())
    audit_record(
        actor=f"命令行（{os_user}）",
        action=f"cli.{command}",
        object_type="cli",
        object_id=command,
        detail={
            "rows": rows,
            **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in detail.items()},
        },
    )
