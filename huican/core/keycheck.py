"""The wrong key never corrupts data: refuse to start or write under keys the database does not know.

A process run without the production settings silently uses development keys (var/keys.json); its
writes cannot be read by production (`DecryptionError`) and its ID-number hashes match nobody, so
it duplicates every person. To prevent that, the database records a *fingerprint* of each key its
personal data is written under (``core.KeyFingerprint``: an HMAC of a fixed text under the key, so
neither the key nor anything that helps guessing it is stored):

- ``data:<version>`` for each data-key version that may hold values, ``hmac`` for the blind index,
  ``audit`` for the audit log's MAC key (an entry under another key would break the chain);
- recorded at the first write of personal data (`ensure_write_keys`, called by
  `crypto.encrypt_many`) in the writer's transaction, or, for a database written before
  fingerprints existed, adopted once a stored value has been decrypted and its hash recomputed
  (the audit key: at the first audit entry, or by the migration that sealed the old chain);
- checked when every `huican` command starts (after the migrations), when the WSGI application
  is loaded, and before the first write of each process: a stored key missing from the
  configuration, or configured with other material, stops the process with a Chinese message
  naming the key and where to configure it (`KeyMismatch`; the CLI exits 2);
- `huican keys rotate` records the new data-key version in the same transaction as the first
  re-encrypted chunk and drops the old versions once no value remains under them; `huican keys
  rehash` replaces the ``hmac`` fingerprint in the transaction that recomputes the hashes.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from huican.core.models import KeyFingerprint

FINGERPRINT_TEXT = b"huican key fingerprint v1"


class KeyMismatch(Exception):
    """The configured keys are not the ones the database's personal data was written with."""


def fingerprint(raw: bytes) -> str:
    return hmac.new(raw, FINGERPRINT_TEXT, hashlib.sha256).hexdigest()


def configured_fingerprints() -> tuple[str, dict[str, str], str]:
    """(current data-key version, fingerprint per configured data-key version, HMAC-key fingerprint)."""
    from huican.core.crypto import _hmac_key, _parse_data_keys

    keys = _parse_data_keys(settings.HUICAN_DATA_KEYS)
    data = {version: fingerprint(raw) for version, raw in keys}
    return keys[0][0], data, fingerprint(_hmac_key(settings.HUICAN_HMAC_KEY))


def _where(variable: str) -> str:
    if getattr(settings, "PRODUCTION", False):
        return f"请在环境变量 {variable}（或 {variable}_FILE 指向的文件）中配置正确的密钥（见 docs/operations.md）"
    return (
        f"当前为开发模式（未设置 HUICAN_ENV=production），未设置 {variable} 时用的是 "
        f"{settings.VAR_DIR}/keys.json 中的开发密钥；操作正式数据库请设置 HUICAN_ENV=production 并在 "
        f"{variable}（或 {variable}_FILE）中配置生产密钥（见 docs/operations.md）"
    )


def _data_message(problem: str) -> str:
    return f"数据加密密钥（HUICAN_DATA_KEY）{problem}。{_where('HUICAN_DATA_KEY')}"


def _hmac_message(problem: str) -> str:
    return f"身份证号检索密钥（HUICAN_HMAC_KEY）{problem}。{_where('HUICAN_HMAC_KEY')}"


def _audit_message(problem: str) -> str:
    return f"审计日志密钥（HUICAN_AUDIT_KEY）{problem}。{_where('HUICAN_AUDIT_KEY')}"


def audit_fingerprint() -> str:
    from huican.core.audit import audit_key

    return fingerprint(audit_key())


def _refuse(problems: list[str]) -> KeyMismatch:
    return KeyMismatch("密钥与数据库不符，已拒绝运行，未写入任何数据：" + "；".join(problems))


def mismatches(stored: dict[str, str]) -> list[str]:
    """What differs between the fingerprints recorded in the database and the configured keys."""
    _, data, hmac_fp = configured_fingerprints()
    problems: list[str] = []
    for name, recorded in sorted(stored.items()):
        if name == "audit" and recorded != (audit_fp := audit_fingerprint()):
            problems.append(
                _audit_message(
                    f"与写入审计日志时用的不是同一把（数据库记录的指纹 {recorded[:8]}…，当前密钥的指纹 {audit_fp[:8]}…）"
                )
            )
        elif name == "hmac" and recorded != hmac_fp:
            problems.append(
                _hmac_message(
                    f"与写入数据库时用的不是同一把（数据库记录的指纹 {recorded[:8]}…，当前密钥的指纹 {hmac_fp[:8]}…）"
                )
            )
        elif name.startswith("data:"):
            version = name.removeprefix("data:")
            have = data.get(version)
            if have is None:
                problems.append(
                    _data_message(
                        f"缺少版本 {version}：数据库中有用这一版本的密钥加密的个人信息（指纹 {recorded[:8]}…），"
                        f"当前只配置了版本 {'、'.join(data)}"
                    )
                )
            elif have != recorded:
                problems.append(
                    _data_message(
                        f"版本 {version} 与写入数据库时用的不是同一把（数据库记录的指纹 {recorded[:8]}…，"
                        f"当前密钥的指纹 {have[:8]}…）"
                    )
                )
    return problems


def _stored() -> dict[str, str]:
    return dict(KeyFingerprint.objects.values_list("name", "fingerprint"))


def _sample_existing_data() -> tuple[list[str], dict[str, str]]:
    """For a database with data but no fingerprints: decrypt one stored ID number, recompute its hash.

    Returns the problems found and the fingerprints proven right (to record).
    """
    from huican.core.commands import encrypted_fields
    from huican.core.crypto import DecryptionError, blind_index, decrypt

    _, data, hmac_fp = configured_fingerprints()
    fields = encrypted_fields()
    # Prefer a table with both an encrypted ID number and its hash: one row checks both keys.
    fields.sort(key=lambda item: not ("id_number_encrypted" in item[1] and _has(item[0], "id_hash")))
    for model, names in fields:
        for name in names:
            with_hash = name == "id_number_encrypted" and _has(model, "id_hash")
            columns = [name, "id_hash"] if with_hash else [name]
            row = model._default_manager.exclude(**{name: ""}).values_list(*columns).first()
            if row is None:
                continue
            token = row[0]
            version = token.partition(":")[0]
            try:
                plain = decrypt(token)
            except DecryptionError:
                if version in data:
                    return [
                        _data_message(f"版本 {version} 解不开数据库中已有的个人信息（不是写入时的那把）")
                    ], {}
                return [
                    _data_message(
                        f"缺少版本 {version}：数据库中的个人信息是用这一版本的密钥加密的，"
                        f"当前只配置了版本 {'、'.join(data)}"
                    )
                ], {}
            proven = {f"data:{version}": data[version]}
            if with_hash:
                if blind_index(plain) != row[1]:
                    return [_hmac_message("算出的身份证号哈希与数据库中已有的不同（不是写入时的那把）")], {}
                proven["hmac"] = hmac_fp
            return [], proven
    return [], {}


def _has(model: Any, field: str) -> bool:
    return any(f.name == field for f in model._meta.concrete_fields)


def _cache_key() -> tuple[str, str, str, str]:
    return (
        settings.HUICAN_DATA_KEYS,
        settings.HUICAN_HMAC_KEY,
        connection.alias,
        str(connection.settings_dict.get("NAME")),
    )


_verified_for_write: set[tuple[str, str, str, str]] = set()
_audit_verified: set[tuple[str, str, str]] = set()


def forget() -> None:
    """Forget which keys this process has checked (tests, or after the database changed hands)."""
    _verified_for_write.clear()
    _audit_verified.clear()


def ensure_audit_key() -> None:
    """Before an audit entry: the audit key must be the log's (recorded with the first entry).

    Called by `audit_record` inside its transaction; checked once per process.
    """
    cache_key = (settings.HUICAN_AUDIT_KEY, connection.alias, str(connection.settings_dict.get("NAME")))
    if cache_key in _audit_verified:
        return
    expected = audit_fingerprint()
    recorded = KeyFingerprint.objects.filter(name="audit").values_list("fingerprint", flat=True).first()
    if recorded is None:
        _record({"audit": expected})
        transaction.on_commit(lambda: _audit_verified.add(cache_key))
        return
    if recorded != expected:
        raise _refuse(mismatches({"audit": recorded}))
    _audit_verified.add(cache_key)


def _record(fingerprints: dict[str, str]) -> None:
    """Record fingerprints not yet recorded; one recorded meanwhile by another process must agree."""
    with transaction.atomic():
        for name, value in fingerprints.items():
            row, created = KeyFingerprint.objects.get_or_create(name=name, defaults={"fingerprint": value})
            if not created and row.fingerprint != value:
                raise _refuse(mismatches({name: row.fingerprint}))


def check_keys() -> None:
    """At process start: refuse when the configured keys are not the database's (`KeyMismatch`)."""
    stored = _stored()
    problems = mismatches(stored)
    if problems:
        raise _refuse(problems)
    if any(name != "audit" for name in stored):
        return
    # No data key recorded: a new database (nothing to protect yet), or one written before
    # fingerprints existed, whose data must open with these keys before they are adopted.
    problems, proven = _sample_existing_data()
    if problems:
        raise _refuse(problems)
    if proven:
        _record(proven)


def ensure_write_keys() -> None:
    """Before writing personal data: check the keys once per process, record them at the first write.

    Call it inside the writer's transaction: the fingerprints are then recorded with the first data
    written under them, and rolled back with it.
    """
    cache_key = _cache_key()
    if cache_key in _verified_for_write:
        return
    stored = _stored()
    if stored:
        problems = mismatches(stored)
    else:
        problems, _ = _sample_existing_data()
    if problems:
        raise _refuse(problems)
    current, data, hmac_fp = configured_fingerprints()
    wanted = {f"data:{current}": data[current], "hmac": hmac_fp}
    missing = {name: value for name, value in wanted.items() if name not in stored}
    if missing:
        _record(missing)
        # Remembered only once committed: rolled back, the next write must record them again.
        transaction.on_commit(lambda: _verified_for_write.add(cache_key))
    else:
        _verified_for_write.add(cache_key)


def record_hmac_key(raw: bytes) -> None:
    """`keys rehash`: the blind index is now under ``raw``; call inside the rehash's transaction."""
    KeyFingerprint.objects.update_or_create(name="hmac", defaults={"fingerprint": fingerprint(raw)})
    forget()


def record_current_data_key() -> None:
    """`keys rotate`: the current data-key version will hold values; call inside the chunk's transaction."""
    current, data, _ = configured_fingerprints()
    KeyFingerprint.objects.update_or_create(name=f"data:{current}", defaults={"fingerprint": data[current]})


def drop_other_data_keys() -> None:
    """`keys rotate`, once nothing remains under an older version: only the current one is recorded."""
    current, _, _ = configured_fingerprints()
    KeyFingerprint.objects.filter(name__startswith="data:").exclude(name=f"data:{current}").delete()
    forget()
