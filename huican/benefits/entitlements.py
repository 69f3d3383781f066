"""Entitlements: who is granted which subsidy from when (BENEFITS.md "Entitlements").

The policy reads them through ``policy.facts.granted_entitlements`` (this module provides it), so
findings and indicators count a subsidy granted here as *receiving* from its 审定日期 on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db.models import Min

from huican.benefits.models import Application, Entitlement
from huican.core.frames import fetch_frame, sql_date, sql_real
from huican.policy.facts import RECEIVING_SCHEMA
from huican.registry.models import Person


def month_start(day: Any) -> Any:
    return day.replace(day=1)


def granted_frame(where: str, params: list[Any]) -> pl.DataFrame:
    """Every entitlement granted by an approved application (in RECEIVING_SCHEMA), of the persons
    matching `where` (SQL on the person table aliased ``p``)."""
    return fetch_frame(
        f"SELECT e.person_id, p.id_hash, e.benefit, {sql_date('e.start_month')}, {sql_date('e.end_month')},"
        f" {sql_real('e.monthly_amount')}, {sql_date('e.effective_from')}"
        f" FROM {Entitlement._meta.db_table} e JOIN {Person._meta.db_table} p ON p.id = e.person_id {where}",
        params,
        RECEIVING_SCHEMA,
    )


def rebuild_imported_entitlements(keys: Iterable[tuple[int, str]]) -> None:
    """Make the imported entitlement of each (person, benefit) agree with its approved imported
    applications: one from the earliest 申请日期's month, in effect from the earliest 审定日期;
    none when no imported application of it is approved. A stop recorded by staff is kept."""
    keys = set(keys)
    if not keys:
        return
    persons = {p for p, _ in keys}
    approved = {
        (row["person_id"], row["benefit"]): row
        for row in Application.objects.filter(
            source=Application.Source.IMPORT, status=Application.Status.APPROVED, person_id__in=persons
        )
        .values("person_id", "benefit")
        .annotate(applied=Min("applied_on"), decided=Min("decided_on"), first=Min("id"))
    }
    current = {
        (e.person_id, e.benefit): e
        for e in Entitlement.objects.filter(source=Entitlement.Source.IMPORTED, person_id__in=persons)
    }
    new: list[Entitlement] = []
    for key in keys:
        row, entitlement = approved.get(key), current.get(key)
        if row is None:
            if entitlement is not None:
                entitlement.delete()
            continue
        start = month_start(row["applied"])
        if entitlement is None:
            new.append(
                Entitlement(
                    person_id=key[0],
                    benefit=key[1],
                    start_month=start,
                    effective_from=row["decided"],
                    source=Entitlement.Source.IMPORTED,
                    application_id=row["first"],
                )
            )
        elif (entitlement.start_month, entitlement.effective_from) != (start, row["decided"]):
            entitlement.start_month, entitlement.effective_from = start, row["decided"]
            entitlement.application_id = row["first"]
            entitlement.save(update_fields=["start_month", "effective_from", "application"])
    Entitlement.objects.bulk_create(new, batch_size=2000)
