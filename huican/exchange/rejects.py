"""The rejected-rows file of a web or API import, as a person downloads it.

It is kept encrypted beside the upload (``huican.core.filecrypt``); a file written before that
(plaintext ``*.rejected.csv``) is still served. For a person whose role may not see full ID numbers
(``can(user, "view_full_id")``, e.g. a department officer without that right) the ID, certificate and
phone columns are masked as the preview masks them, and so is anything that looks like an ID number
in the other columns. Every cell that a spreadsheet would run as a formula is neutralised again.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import polars as pl

from huican.accounts.access import can
from huican.core.crypto import mask_id_number, mask_phone
from huican.core.filecrypt import is_encrypted, read_decrypted
from huican.core.frames import neutralize_formulas
from huican.exchange.kinds import KINDS
from huican.exchange.reading import normalize_header

MASKED = {"公民身份号码": mask_id_number, "残疾人证号": mask_id_number, "联系电话": mask_phone}
FIXED_COLUMNS = ("行号", "列", "原因")
# An ID or certificate number anywhere in a cell (15–20 characters of digits, possibly ending in X).
ID_LIKE = r"(\d{4})\d{7,12}(\d{3}[\dXx])"


def download_name(file_name: str) -> str:
    """`名册 2025.xlsx` → `名册 2025.rejected.csv` (FORMATS.md's name for the rejected rows)."""
    return Path(file_name or "import").stem[:100] + ".rejected.csv"


def rejects_bytes(path: Path) -> bytes:
    """The stored file's content (decrypted when it is encrypted)."""
    return read_decrypted(path) if is_encrypted(path) else path.read_bytes()


def rejects_for(user: Any, *, kind: str, path: Path) -> bytes:
    """The rejected-rows file as `user` may see it."""
    data = rejects_bytes(path)
    if can(user, "view_full_id"):
        return data
    return mask_rejects(kind, data)


def mask_rejects(kind: str, data: bytes) -> bytes:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    frame = pl.read_csv(io.BytesIO(body), infer_schema=False, raise_if_empty=False)
    spec = KINDS.get(kind)
    aliases = spec.alias_map() if spec else {}
    columns = []
    for name in frame.columns:
        if name in FIXED_COLUMNS:
            continue
        canonical = aliases.get(normalize_header(name.rstrip("′")), "")
        if canonical in MASKED:
            mask = MASKED[canonical]
            columns.append(pl.col(name).map_elements(mask, return_dtype=pl.String))
        else:
            columns.append(pl.col(name).str.replace_all(ID_LIKE, "${1}********${2}"))
    masked = neutralize_formulas(frame.with_columns(columns) if columns else frame)
    out = io.BytesIO()
    out.write(b"\xef\xbb\xbf")
    masked.write_csv(out)
    return out.getvalue()
