"""The Ed25519 key that signs electronic disability certificates (电子证照), and the public keys a
verifier accepts.

- ``HUICAN_CERT_SIGNING_KEY``: the private key, PEM (PKCS#8) or the base64 of its raw 32 bytes.
  Required in production (settings refuse to start without it); in development it comes from
  ``var/keys.json`` (``huican.core.devkeys``).
- ``HUICAN_CERT_PREVIOUS_KEYS``: public keys of earlier signing keys, still accepted after a
  rotation: PEM blocks, or base64 raw 32-byte keys separated by commas or spaces.

A key is named by its fingerprint, the SHA-256 of the raw public key (hex, shown in groups of four),
and a code names its key by the *key id*, the first 16 hex digits of that fingerprint. The
fingerprint is published on the public key page so that anyone can check a code offline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_ID_LENGTH = 16
_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.DOTALL)


@dataclass(frozen=True)
class PublicKey:
    """A public key a verifier accepts, with the names it is published under."""

    key: Ed25519PublicKey
    raw: bytes
    current: bool

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def fingerprint_grouped(self) -> str:
        """`3f2a 9b01 …`: easier to read aloud and compare by eye."""
        digest = self.fingerprint
        return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))

    @property
    def key_id(self) -> str:
        return self.fingerprint[:KEY_ID_LENGTH]

    @property
    def pem(self) -> str:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")


def _public(key: Ed25519PublicKey, *, current: bool) -> PublicKey:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PublicKey(key=key, raw=raw, current=current)


@lru_cache(maxsize=4)
def _private_key(spec: str) -> Ed25519PrivateKey:
    problem = ImproperlyConfigured(
        "电子证照签名密钥（HUICAN_CERT_SIGNING_KEY）格式有误：应为 Ed25519 私钥的 PEM，"
        "或其 32 字节原始值的 base64 编码（见 docs/operations.md）"
    )
    text = spec.strip()
    if not text:
        raise ImproperlyConfigured("未配置电子证照签名密钥 HUICAN_CERT_SIGNING_KEY（见 docs/operations.md）")
    if "-----BEGIN" in text:
        try:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError):
            raise problem from None
        if not isinstance(key, Ed25519PrivateKey):
            raise problem
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise problem from None
    if len(raw) != 32:
        raise problem
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_from_text(text: str) -> list[Ed25519PublicKey]:
    """Every public key in `text`: PEM blocks, or base64 raw 32-byte keys separated by commas or
    whitespace. Raises ValueError naming what could not be read."""
    keys: list[Ed25519PublicKey] = []
    blocks = _PEM_BLOCK.findall(text)
    if blocks:
        for block in blocks:
            key = serialization.load_pem_public_key(block.encode("ascii"))
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("不是 Ed25519 公钥")
            keys.append(key)
        return keys
    for token in re.split(r"[,\s]+", text.strip()):
        if not token:
            continue
        try:
            raw = base64.b64decode(token, validate=True)
        except (ValueError, binascii.Error):
            raise ValueError(f"无法读取公钥 {token[:12]}…") from None
        if len(raw) != 32:
            raise ValueError(f"公钥应为 32 字节：{token[:12]}…")
        keys.append(Ed25519PublicKey.from_public_bytes(raw))
    return keys


@lru_cache(maxsize=4)
def _previous(spec: str) -> tuple[PublicKey, ...]:
    try:
        return tuple(_public(key, current=False) for key in public_key_from_text(spec))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"HUICAN_CERT_PREVIOUS_KEYS 格式有误：{exc}（见 docs/operations.md）"
        ) from None


def signing_key() -> Ed25519PrivateKey:
    return _private_key(settings.HUICAN_CERT_SIGNING_KEY)


def current_public_key() -> PublicKey:
    return _public(signing_key().public_key(), current=True)


def previous_public_keys() -> tuple[PublicKey, ...]:
    return _previous(getattr(settings, "HUICAN_CERT_PREVIOUS_KEYS", "") or "")


def accepted_keys() -> dict[str, PublicKey]:
    """key id → public key: the current key first, then the previous ones still accepted."""
    keys: dict[str, PublicKey] = {}
    for key in (current_public_key(), *previous_public_keys()):
        keys.setdefault(key.key_id, key)
    return keys


def extra_keys(keys: list[Ed25519PublicKey]) -> dict[str, PublicKey]:
    """key id → public key for keys given by the verifier (e.g. a downloaded PEM file)."""
    return {pk.key_id: pk for pk in (_public(key, current=False) for key in keys)}
