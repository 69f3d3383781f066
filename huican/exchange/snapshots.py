"""Which imported batches are in force for a list kind.

A departmental list import is a snapshot of that department's whole list (FORMATS.md): the
latest completed snapshot of a kind supersedes the older ones, which stay readable in the import
history. Service records are not a snapshot: every completed batch adds records (an identical
record is stored once).
"""

from __future__ import annotations

from huican.exchange.models import ImportBatch

SNAPSHOT_KINDS = (
    "dibao",
    "tekun",
    "orphan",
    "elderly_care",
    "injury_care",
    "pension",
    "medical",
    "enrolment",
    "deaths",
    "subsidy_recipients",
)
ACCUMULATING_KINDS = ("services",)
LIST_KINDS = SNAPSHOT_KINDS + ACCUMULATING_KINDS


def active_batch_ids(kind: str) -> list[int]:
    """IDs of the batches whose ListRecords are in force for `kind`."""
    done = ImportBatch.objects.filter(kind=kind, status=ImportBatch.Status.DONE)
    if kind in ACCUMULATING_KINDS:
        return list(done.values_list("id", flat=True))
    latest = done.order_by("-id").values_list("id", flat=True).first()
    return [latest] if latest is not None else []
