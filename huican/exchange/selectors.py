"""Reads of the departmental lists, always scoped to the user in the query."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from huican.accounts.access import can, is_active_user, region_prefix_for
from huican.accounts.models import Role
from huican.exchange.kinds import KINDS
from huican.exchange.models import ImportBatch, ListRecord
from huican.exchange.snapshots import batch_ids, batches_in_force
from huican.registry.models import Person
from huican.registry.selectors import persons_for


def list_records_for(user: Any) -> QuerySet[ListRecord]:
    """Departmental list rows the user may see.

    Staff: rows of registry persons in their region. Department officers: rows of the list
    kinds they import (their own department's data). Everybody else: none.
    """
    if can(user, "browse_registry"):
        return ListRecord.objects.filter(
            batch_id__in=batch_ids(), id_hash__in=persons_for(user).values("id_hash")
        )
    if is_active_user(user) and user.role == Role.DEPARTMENT_OFFICER:
        return ListRecord.objects.filter(batch_id__in=batch_ids(list(user.import_kinds or [])))
    return ListRecord.objects.none()


def importable_kinds(user: Any) -> list[str]:
    return [kind for kind in KINDS if can(user, f"import:{kind}")]


def batches_for(user: Any) -> QuerySet[ImportBatch]:
    """Import batches the user may see.

    A batch's rejected rows carry full ID numbers, so: the kinds the user may import, and only
    the user's own imports unless their region is the whole city.
    """
    batches = ImportBatch.objects.filter(kind__in=importable_kinds(user))
    prefix = region_prefix_for(user)
    if prefix is None or len(prefix) > 4:
        batches = batches.filter(imported_by=user)
    return batches.select_related("imported_by")


def list_memberships(user: Any, person: Person) -> list[dict[str, Any]]:
    """The person's rows in departmental lists, marking which come from the list in force today."""
    records = list(
        list_records_for(user)
        .filter(id_hash=person.id_hash)
        .select_related("batch")
        .order_by("kind", "-start_date", "-year", "-id")
    )
    in_force = batches_in_force(timezone.localdate())
    active = {kind: set(ids) for kind, ids in in_force.items()}
    return [
        {
            "record": record,
            "title": KINDS[record.kind].title if record.kind in KINDS else record.kind,
            "in_force": record.batch_id in active.get(record.kind, set()),
        }
        for record in records
    ]
