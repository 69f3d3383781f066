"""Files at rest: encrypted with the data key, owner-only, and decrypted only into a private place.

Uploaded import files, their checked previews and rejected-rows files hold ID numbers in bulk, so
they are never stored as plaintext (docs/security.md, C3). A stored file is AES-256-GCM under the
current data key (``HUICAN_DATA_KEY``, the key of the personal fields: ``huican keys rotate``'s
older versions still decrypt), written in chunks so that a 500 MB upload never has to sit in memory:

    b"HUICANF1" | len(version) (1 byte) | version | chunk…
    chunk = length of ciphertext (4 bytes, big-endian) | nonce (12) | ciphertext+tag

Each chunk's associated data binds the header, the chunk's index and whether it is the last one, so
chunks cannot be reordered, dropped or cut off without the file failing to decrypt.

Every file and folder made here is owner-only (0600/0700). A reader that needs a real path (the
spreadsheet readers do) gets a decrypted copy in a fresh 0700 folder under ``$HUICAN_VAR_DIR/tmp``,
removed when the ``with`` block ends, whatever happens.
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from huican.core.crypto import DecryptionError, data_ciphers

MAGIC = b"HUICANF1"
CHUNK = 1 << 20  # plaintext bytes per chunk
ENCRYPTED_SUFFIX = ".enc"
FILE_MODE = 0o600
DIR_MODE = 0o700


# --- owner-only files and folders ---------------------------------------------------------------


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as owner-only folders; make an existing one 0700."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    for folder in [*missing, path]:
        _chmod(folder, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file owner-only (0600)."""
    _chmod(path, FILE_MODE)
    return path


def _chmod(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass


def _open_private(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Write plaintext that must stay plaintext (an operator's file, where the operator asked for
    it), readable by its owner only. The folder is the operator's: it is created if missing but
    its mode is left alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(_open_private(path), "wb") as handle:
        private_file(path)  # an existing file keeps its old mode through O_TRUNC
        handle.write(data)


def secure_var_tree(var_dir: Path | None = None, *, sqlite_file: Path | None = None) -> None:
    """Make the local state owner-only: `var/` itself, the SQLite database (and its journal
    files), the development keys, uploads and rejected-rows files, the audit checkpoints.
    Run by every ``huican`` command at start; cheap when nothing needs changing."""
    root = Path(var_dir or settings.VAR_DIR)
    if not root.is_dir():
        return
    _chmod(root, DIR_MODE)
    for name in os.listdir(root):
        entry = root / name
        if name == "static" or entry.is_symlink():
            continue  # collected static files are public by nature
        if entry.is_file():
            _chmod(entry, FILE_MODE)
        elif entry.is_dir():
            _secure_tree(entry)
    database = settings.DATABASES["default"]
    name = str(sqlite_file or "")
    if not name and str(database.get("ENGINE", "")).endswith("sqlite3"):
        name = str(database.get("NAME") or "")
    if name and not name.startswith(":memory:") and not name.startswith("file:"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            _chmod(Path(name + suffix), FILE_MODE)
    checkpoints = Path(getattr(settings, "HUICAN_AUDIT_CHECKPOINT_DIR", root / "audit"))
    if checkpoints.is_dir():
        _secure_tree(checkpoints)


def _secure_tree(folder: Path) -> None:
    _chmod(folder, DIR_MODE)
    for current, dirs, files in os.walk(folder):
        for name in dirs:
            _chmod(Path(current) / name, DIR_MODE)
        for name in files:
            _chmod(Path(current) / name, FILE_MODE)


# --- encryption -----------------------------------------------------------------------------------


def _header(version: str) -> bytes:
    raw = version.encode("ascii")
    return MAGIC + bytes([len(raw)]) + raw


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if last else 0)


def _rechunk(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Plaintext in pieces of CHUNK bytes, each with whether it is the last (at least one)."""
    buffer = bytearray()
    pending: bytes | None = None
    for piece in chunks:
        buffer += piece
        while len(buffer) >= CHUNK:
            if pending is not None:
                yield pending, False
            pending = bytes(buffer[:CHUNK])
            del buffer[:CHUNK]
    if buffer or pending is None:
        if pending is not None:
            yield pending, False
        yield bytes(buffer), True
    else:
        yield pending, True


def encrypt_to(target: Path, chunks: Iterable[bytes]) -> int:
    """Encrypt the plaintext `chunks` into `target` (owner-only, replaced atomically); returns the
    plaintext size."""
    from huican.core.keycheck import ensure_write_keys

    ensure_write_keys()  # never write under keys other than the database's
    version, ciphers = data_ciphers()
    cipher = ciphers[version]
    header = _header(version)
    private_dir(target.parent)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    size = 0
    try:
        with os.fdopen(_open_private(partial), "wb") as out:
            out.write(header)
            for index, (plain, last) in enumerate(_rechunk(chunks)):
                nonce = os.urandom(12)
                sealed = cipher.encrypt(nonce, plain, _aad(header, index, last))
                out.write(struct.pack(">I", len(sealed)) + nonce + sealed)
                size += len(plain)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return size


def encrypt_bytes_to(target: Path, data: bytes) -> int:
    return encrypt_to(target, [data])


def is_encrypted(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def iter_decrypted(source: Path, *, limit: int | None = None) -> Iterator[bytes]:
    """The plaintext of an encrypted file, chunk by chunk (authenticated); with `limit`, stop once
    at least that many bytes have been given. Raises DecryptionError for a damaged or foreign file."""
    _, ciphers = data_ciphers()
    given = 0
    with source.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise DecryptionError(f"{source.name} 不是加密存储的文件")
        length = handle.read(1)
        version = handle.read(length[0] if length else 0).decode("ascii", "replace")
        cipher = ciphers.get(version)
        if cipher is None:
            raise DecryptionError(f"no key for version {version!r}")
        header = _header(version)
        index = 0
        while True:
            size = handle.read(4)
            if len(size) < 4:
                raise DecryptionError(f"{source.name} 不完整（被截断）")
            (count,) = struct.unpack(">I", size)
            nonce = handle.read(12)
            sealed = handle.read(count)
            if len(nonce) < 12 or len(sealed) < count:
                raise DecryptionError(f"{source.name} 不完整（被截断）")
            last = handle.peek(1)[:1] == b"" if hasattr(handle, "peek") else False
            try:
                plain = cipher.decrypt(nonce, sealed, _aad(header, index, last))
            except Exception as exc:  # InvalidTag: changed, reordered, cut off, or another key
                raise DecryptionError(f"{source.name} 校验失败") from exc
            yield plain
            given += len(plain)
            if last or (limit is not None and given >= limit):
                return
            index += 1


def read_decrypted(source: Path) -> bytes:
    return b"".join(iter_decrypted(source))


def temp_root() -> Path:
    return private_dir(Path(settings.VAR_DIR) / "tmp")


@contextmanager
def decrypted_copy(source: Path, *, suffix: str = "", limit: int | None = None) -> Iterator[Path]:
    """A decrypted copy of `source` (its first `limit` bytes or more, when given) at a path
    ending in `suffix`, owner-only in a fresh private folder; removed when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="huican-", dir=temp_root()))  # mode 0700
    try:
        plain = folder / ("file" + suffix)
        with os.fdopen(_open_private(plain), "wb") as out:
            for piece in iter_decrypted(source, limit=limit):
                out.write(piece)
        yield plain
    finally:
        shutil.rmtree(folder, ignore_errors=True)
