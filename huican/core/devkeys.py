"""Development keys, generated once and kept under var/ (never in the repository)."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


def development_keys(var_dir: Path) -> dict[str, str]:
    """Return the development keys, creating `var/keys.json` (mode 0600) on first use."""
    path = var_dir / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    var_dir.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "data_key": "1:" + base64.b64encode(os.urandom(32)).decode(),
        "hmac_key": base64.b64encode(os.urandom(32)).decode(),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(keys))
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # atomic: the first writer wins when two processes race
    except FileExistsError:
        pass
    tmp.unlink(missing_ok=True)
    return json.loads(path.read_text())
