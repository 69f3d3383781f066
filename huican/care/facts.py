"""The recorded services as the rules read them (``policy.facts.recorded_services``): one frame in
the imported rows' columns, so findings and indicators count both alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from huican.care.models import VISIT, ServiceRecord
from huican.core.frames import fetch_frame, sql_date, sql_real
from huican.policy.facts import RECORDED_SCHEMA
from huican.registry.models import Person


def recorded_services_frame(where: str, params: list[Any]) -> pl.DataFrame:
    """The service records of the persons matching `where` (SQL on the person table aliased ``p``)."""
    return fetch_frame(
        f"SELECT p.id_hash, p.id, NULL, {sql_date('r.service_date')}, NULL, NULL, NULL, r.kind, r.result,"
        f" r.organisation, r.project, {sql_real('r.amount')}, NULL, NULL, p.household_number"
        f" FROM {ServiceRecord._meta.db_table} r JOIN {Person._meta.db_table} p ON p.id = r.person_id"
        f" WHERE {where or '1 = 1'} ORDER BY r.id",
        params,
        RECORDED_SCHEMA,
    )


def recorded_visit_dates(person_ids: list[int], on: dt.date) -> list[tuple[int, dt.date]]:
    """(person_id, date) of the 走访探视 recorded for these persons on or before `on`."""
    return list(
        ServiceRecord.objects.filter(person_id__in=person_ids, kind=VISIT, service_date__lte=on)
        .values_list("person_id", "service_date")
        .order_by("person_id", "-service_date")
    )
