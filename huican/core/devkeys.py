"""Development keys, generated once and kept under var/ (never in the repository)."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path

# Every development key and how to make one. A key added later (the audit key) is added to an
# existing var/keys.json without touching the others: those already protect data.
GENERATORS: dict[str, Callable[[], str]] = {
    "secret_key": lambda: secrets.token_urlsafe(50),
    "data_key": lambda: "1:" + base64.b64encode(os.urandom(32)).decode(),
    "hmac_key": lambda: base64.b64encode(os.urandom(32)).decode(),
    "audit_key": lambda: base64.b64encode(os.urandom(32)).decode(),
    # The seed of the Ed25519 key signing electronic certificates (huican.portal.cert_keys).
    "cert_signing_key": lambda: base64.b64encode(os.urandom(32)).decode(),
}


def development_keys(var_dir: Path) -> dict[str, str]:
    """Return the development keys, creating `var/keys.json` (mode 0600) on first use."""
    path = var_dir / "keys.json"
    if path.exists():
        keys = json.loads(path.read_text())
        if set(GENERATORS) <= set(keys):
            return keys
        return _add_missing(path)
    var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    keys = {name: make() for name, make in GENERATORS.items()}
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(keys))
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # atomic: the first writer wins when two processes race
    except FileExistsError:
        pass
    tmp.unlink(missing_ok=True)
    return development_keys(var_dir)


def _add_missing(path: Path) -> dict[str, str]:
    """Add the keys an older var/keys.json lacks, under a lock so that racing processes agree."""
    lock = path.with_suffix(".lock")
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        keys = json.loads(path.read_text())
        missing = {name: make() for name, make in GENERATORS.items() if name not in keys}
        if missing:
            keys.update(missing)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(json.dumps(keys))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
    return keys
