"""The recorded services as the rules read them (``policy.facts.recorded_services``): one frame in
the imported rows' columns, so findings and indicators count both alike."""

from __future__ import annotations

from typing import Any

import polars as pl

from huican.care.models import ServiceRecord
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
