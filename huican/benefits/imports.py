"""Writing an accepted `applications` import (BENEFITS.md "Command line"), in the import's transaction.

Rows are history from the previous system (and batch entry): each row is one application, keyed by
(person, subsidy, 申请日期). Re-importing the same row changes nothing; a later file with a row for
the same key updates its outcome (审批中 → 批准). Applications entered in Huican are never touched.

Approved imported applications give one entitlement per person and subsidy: from the month of the
earliest 申请日期 of its approved rows, in effect (receiving, the roll) from the earliest 审定日期.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from huican.benefits.entitlements import rebuild_imported_entitlements
from huican.benefits.models import Application
from huican.exchange.kinds import APPLICATION_RESULTS, SUBSIDY_TYPES
from huican.exchange.models import ImportBatch
from huican.exchange.parsing import parse_date
from huican.registry.models import Person


def persist_applications(accepted: pl.DataFrame, batch: ImportBatch) -> tuple[int, int]:
    if accepted.is_empty():
        return 0, 0
    frame = accepted.select(
        pl.col("__row").alias("row"),
        pl.col("__person_id").alias("person_id"),
        pl.col("补贴类型").replace_strict(SUBSIDY_TYPES, return_dtype=pl.String).alias("benefit"),
        parse_date("申请日期").alias("applied_on"),
        pl.col("审定结果").replace_strict(APPLICATION_RESULTS, return_dtype=pl.String).alias("status"),
        parse_date("审定日期").alias("decided_on"),
        pl.col("不予批准原因").fill_null("").alias("reason")
        if "不予批准原因" in accepted.columns
        else pl.lit("").alias("reason"),
    )
    person_ids = frame["person_id"].unique().to_list()
    existing: dict[tuple[int, str, dt.date], Application] = {
        (a.person_id, a.benefit, a.applied_on): a
        for a in Application.objects.filter(source=Application.Source.IMPORT, person_id__in=person_ids)
    }
    regions = dict(Person.objects.filter(id__in=person_ids).values_list("id", "region_id"))
    created: list[Application] = []
    changed: list[Application] = []
    touched: set[tuple[int, str]] = set()
    for row in frame.iter_rows(named=True):
        key = (row["person_id"], row["benefit"], row["applied_on"])
        reason = row["reason"] if row["status"] == Application.Status.REJECTED else ""
        current = existing.get(key)
        if current is None:
            region = regions[row["person_id"]]
            created.append(
                Application(
                    person_id=row["person_id"],
                    benefit=row["benefit"],
                    applied_on=row["applied_on"],
                    status=row["status"],
                    source=Application.Source.IMPORT,
                    decided_on=row["decided_on"],
                    reject_reason=reason,
                    county_code=region[:6],
                    township_code=region[:9] if len(region) >= 9 else "",
                    batch=batch,
                    row_number=row["row"],
                )
            )
            touched.add(key[:2])
        elif (current.status, current.decided_on, current.reject_reason) != (
            row["status"],
            row["decided_on"],
            reason,
        ):
            current.status, current.decided_on, current.reject_reason = (
                row["status"],
                row["decided_on"],
                reason,
            )
            current.batch, current.row_number = batch, row["row"]
            changed.append(current)
            touched.add(key[:2])
    Application.objects.bulk_create(created, batch_size=2000)
    Application.objects.bulk_update(
        changed, ["status", "decided_on", "reject_reason", "batch", "row_number"], batch_size=2000
    )
    rebuild_imported_entitlements(touched)
    return len(created), len(changed)
