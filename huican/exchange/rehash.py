"""Changing the HMAC key behind ID-number lookups: recompute every keyed hash (`id_hash`).

The keyed hash is what finds a person by ID number and what joins the departmental lists to the
registry; it cannot be translated from one key to another, only recomputed from the decrypted ID
numbers. Run with the server stopped (`huican keys rehash`, docs/operations.md), then switch
HUICAN_HMAC_KEY to the new key.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable

import polars as pl
from django.db import connection, transaction

from huican.core.crypto import decrypt_many
from huican.exchange import columnar
from huican.exchange.bulk import update_rows
from huican.exchange.writers import FINGERPRINT_COLUMNS, record_fingerprints

CHUNK = 5_000


def new_hasher(key_b64: str) -> Callable[[str], str]:
    try:
        key = base64.b64decode(key_b64, validate=True)
    except ValueError:
        raise ValueError("新 HMAC 密钥应为 base64 编码") from None
    if len(key) < 16:
        raise ValueError("新 HMAC 密钥至少 16 字节")
    return lambda value: hmac.digest(key, value.encode("utf-8"), "sha256").hex()[:32]


def _rehash_table(table: str, hasher: Callable[[str], str], *, services_fingerprints: bool) -> int:
    columns = ["id", "id_number_encrypted"]
    if services_fingerprints:
        columns += ["kind", *[c for c in FINGERPRINT_COLUMNS if c != "id_hash"]]
    done = 0
    last_id = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",
                [last_id, CHUNK],
            )
            rows = cursor.fetchall()
        if not rows:
            return done
        last_id = rows[-1][0]
        hashes = [hasher(v) for v in decrypt_many([r[1] for r in rows])]
        if services_fingerprints:
            frame = pl.DataFrame(
                [r[3:] for r in rows],
                schema=[c for c in FINGERPRINT_COLUMNS if c != "id_hash"],
                orient="row",
                infer_schema_length=None,
            ).with_columns(
                pl.Series("id_hash", hashes),
                pl.col("amount").cast(pl.Float64),
                pl.col("start_date").cast(pl.Date),
                pl.col("end_date").cast(pl.Date),
            )
            prints = record_fingerprints(frame).to_list()
            updates = [
                (h, f if r[2] == "services" else "", r[0])
                for r, h, f in zip(rows, hashes, prints, strict=True)
            ]
            update_rows(table, "id", ["id_hash", "fingerprint"], updates)
        else:
            update_rows(table, "id", ["id_hash"], [(h, r[0]) for r, h in zip(rows, hashes, strict=True)])
        done += len(rows)


def rehash_identities(*, new_key_b64: str) -> dict[str, int]:
    """Recompute every keyed hash with the new key, in one transaction; returns rows per table."""
    hasher = new_hasher(new_key_b64)
    with transaction.atomic():
        persons = _rehash_table("registry_person", hasher, services_fingerprints=False)
        records = _rehash_table("exchange_listrecord", hasher, services_fingerprints=True)
        # The columnar copies hold the old hashes: rebuild them from the rewritten rows.
        copies = columnar.rebuild(columnar.copied_batch_ids())
    return {"registry.Person": persons, "exchange.ListRecord": records, "exchange.BatchColumns": copies}
