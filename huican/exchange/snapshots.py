"""Which imported batches are in force for a list kind on a date.

A departmental list import is a snapshot of that department's whole list (FORMATS.md), drawn on
its *data date* (``ImportBatch.data_date``: the import date unless the department stated when the
list was drawn; null only for batches of old versions, read as their import date). A computation
on date D reads, per snapshot kind, the snapshot with the latest data date on or before D (ties:
the later import), or the oldest snapshot when none is that old; so a new list never changes the
figures of dates before its data date. Older snapshots stay readable in the import history.
Service records are not a snapshot: every completed batch adds records (an identical record is
stored once), whatever the date.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from huican.exchange.kinds import KINDS
from huican.exchange.models import ImportBatch

SNAPSHOT_KINDS = tuple(kind for kind, spec in KINDS.items() if spec.mode == "snapshot")
ACCUMULATING_KINDS = tuple(kind for kind, spec in KINDS.items() if spec.mode == "accumulating")
LIST_KINDS = SNAPSHOT_KINDS + ACCUMULATING_KINDS


def _done(kinds: tuple[str, ...]) -> dict[str, list[tuple[dt.date, int]]]:
    """kind → [(data date, batch id)] of its completed batches (a few hundred rows at most)."""
    found: dict[str, list[tuple[dt.date, int]]] = {kind: [] for kind in kinds}
    rows = ImportBatch.objects.filter(kind__in=kinds, status=ImportBatch.Status.DONE).values_list(
        "kind", "id", "data_date", "imported_at"
    )
    for kind, batch_id, data_date, imported_at in rows:
        found[kind].append((data_date or timezone.localdate(imported_at), batch_id))
    return found


def _choose(kind: str, batches: list[tuple[dt.date, int]], on: dt.date) -> list[int]:
    if kind in ACCUMULATING_KINDS:
        return sorted(batch_id for _, batch_id in batches)
    if not batches:
        return []
    drawn = [batch for batch in batches if batch[0] <= on]
    # Latest data date on or before D, ties to the later import; else the oldest snapshot.
    chosen = max(drawn) if drawn else min(batches)
    return [chosen[1]]


def batches_in_force(on: dt.date, kinds: tuple[str, ...] = LIST_KINDS) -> dict[str, list[int]]:
    """kind → IDs of the batches whose ListRecords are in force on `on`, for every list kind."""
    done = _done(kinds)
    return {kind: _choose(kind, done[kind], on) for kind in kinds}


def active_batch_ids(kind: str, on: dt.date) -> list[int]:
    """IDs of the batches whose ListRecords are in force for `kind` on `on`."""
    return batches_in_force(on, (kind,))[kind]


def batch_ids(kinds: tuple[str, ...] | list[str] = LIST_KINDS) -> list[int]:
    """IDs of every stored batch of `kinds`, in force or not (the import history).

    A list row is looked up through its batch (the list table's one index is (batch, ID hash)):
    ``ListRecord.objects.filter(batch_id__in=batch_ids(...), id_hash=...)``.
    """
    return sorted(ImportBatch.objects.filter(kind__in=list(kinds)).values_list("id", flat=True))
