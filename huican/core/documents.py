"""Documents people hand in (scans, photos, PDF): the accepted types, read from the bytes (never
from the name or the browser's word), a size limit, and storage encrypted at rest, owner-only
(``core.filecrypt``), under ``MEDIA_ROOT/<area>/``."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings

from huican.core.filecrypt import encrypt_bytes_to, private_dir, read_decrypted

# Leading bytes → content type.
DOCUMENT_TYPES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class DocumentRefused(ValueError):
    """A file that is not accepted (the message says why, in Chinese)."""


def sniff(data: bytes) -> str:
    """The content type of an accepted document; DocumentRefused for anything else or too large."""
    limit = settings.HUICAN_DOCUMENT_MAX_BYTES
    if len(data) > limit:
        raise DocumentRefused(f"文件超过 {limit // (1024 * 1024)} MB，请压缩后再上传")
    if not data:
        raise DocumentRefused("文件是空的")
    for magic, content_type in DOCUMENT_TYPES.items():
        if data.startswith(magic):
            return content_type
    raise DocumentRefused("只能上传 PDF、JPG 或 PNG 格式的扫描件或照片")


def store(area: str, data: bytes) -> str:
    """Encrypt `data` into a new file of `area`; returns its stored name."""
    name = f"{uuid.uuid4().hex}.enc"
    encrypt_bytes_to(private_dir(Path(settings.MEDIA_ROOT) / area) / name, data)
    return name


def read(area: str, stored_name: str) -> bytes:
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise DocumentRefused("文件名不正确")
    return read_decrypted(Path(settings.MEDIA_ROOT) / area / stored_name)
