"""Uploaded import files are kept only as long as they are needed (docs/security.md, C3).

An upload's folder (``MEDIA_ROOT/imports/<token>/``: the encrypted original, its checked preview and
its rejected-rows file) is deleted once nothing in it has changed for
``HUICAN_UPLOAD_RETENTION_DAYS`` days (default 30): the import history keeps the batch, its counts
and its first rejected rows in the database, only the files go. Exported work lists
(``MEDIA_ROOT/exports/``, encrypted, huican.matching.export) are deleted
``HUICAN_EXPORT_RETENTION_DAYS`` days (default 7) after they were made. Decrypted copies that a
crashed process left in ``$HUICAN_VAR_DIR/tmp`` are removed after a day.

Run by ``huican uploads purge [--older-than DAYS]``, and once a day as the ``uploads.purge`` job of
the worker's scheduler (huican.server.schedule).
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from huican.core.audit import audit_record

logger = logging.getLogger(__name__)

DAY = 24 * 3600
TEMP_MAX_AGE = DAY
PURGE_JOB = "uploads.purge"


@dataclass(frozen=True)
class PurgeResult:
    folders: int
    files: int
    bytes: int
    temporary: int
    older_than_days: int
    exports: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "folders": self.folders,
            "files": self.files,
            "bytes": self.bytes,
            "temporary": self.temporary,
            "older_than_days": self.older_than_days,
            "exports": self.exports,
        }


def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def exports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def _purge_exports(cutoff: float) -> int:
    """Delete exported files made before `cutoff`; returns how many."""
    files = 0
    root = exports_root()
    if root.is_dir():
        for entry in root.iterdir():
            if entry.is_file() and not entry.is_symlink() and entry.stat().st_mtime <= cutoff:
                entry.unlink(missing_ok=True)
                files += 1
    return files


def _last_change(folder: Path) -> float:
    """The newest modification time of the folder or anything in it."""
    newest = folder.stat().st_mtime
    for entry in folder.rglob("*"):
        try:
            newest = max(newest, entry.stat().st_mtime)
        except FileNotFoundError:
            continue
    return newest


def purge_uploads(
    *, older_than_days: int | None = None, now: float | None = None, actor: Any = "system"
) -> PurgeResult:
    """Delete upload folders unchanged for more than `older_than_days` (default: the setting), and
    exported files older than ``HUICAN_EXPORT_RETENTION_DAYS`` (or `older_than_days`, when given);
    audited when anything was deleted."""
    days = settings.HUICAN_UPLOAD_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 0:
        raise ValueError("older_than_days must be 0 or more")
    moment = time.time() if now is None else now
    cutoff = moment - days * DAY
    folders = files = size = 0
    root = uploads_root()
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if not folder.is_dir() or folder.is_symlink():
                continue
            if _last_change(folder) > cutoff:
                continue
            contents = [p for p in folder.rglob("*") if p.is_file()]
            size += sum(p.stat().st_size for p in contents)
            files += len(contents)
            shutil.rmtree(folder, ignore_errors=True)
            folders += 1
    temporary = 0
    temp = Path(settings.VAR_DIR) / "tmp"
    if temp.is_dir():
        for leftover in temp.iterdir():
            if leftover.is_dir() and _last_change(leftover) < moment - TEMP_MAX_AGE:
                shutil.rmtree(leftover, ignore_errors=True)
                temporary += 1
    export_days = settings.HUICAN_EXPORT_RETENTION_DAYS if older_than_days is None else older_than_days
    exports = _purge_exports(moment - export_days * DAY)
    result = PurgeResult(folders, files, size, temporary, days, exports)
    if folders or temporary or exports:
        audit_record(actor=actor, action="uploads.purge", object_type="upload", detail=result.as_dict())
    return result


def purge_job(*, progress: Any, older_than_days: int | None = None) -> dict[str, Any]:
    """The background job (`huican.core.tasks.submit`) of the daily purge (safe to run again)."""
    progress(10, "删除超过保存期限的上传文件和导出文件")
    return purge_uploads(older_than_days=older_than_days).as_dict()
