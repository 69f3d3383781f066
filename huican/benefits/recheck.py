"""The annual re-check of recipients (年度复核, BENEFITS.md "Annual re-check").

On a date D, every entitlement in force — a row of the imported roll (`subsidy_recipients`, the
list in force on D) covering month(D), or an entitlement from an approved application with
审定日期 ≤ D covering month(D) — one per person and subsidy, is listed for follow-up when any of:

- ``ineligible`` / ``unknown``: that subsidy's RULES.md decision on D;
- ``certificate_expiring``: the certificate is still valid on D and expires within 90 days
  (D < expiry ≤ D + 90; an expired one already makes the decision ineligible);
- ``no_recent_survey``: the person has no survey for year(D) or year(D) − 1.

A run is stored (``RecheckRun`` and one ``RecheckItem`` per listed person and subsidy, with the
county and township of household registration), started on demand or by the scheduler each January
(``benefits.recheck``); staff follow items up like findings (待核实 → 已核实 → 已处理, with a note).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from huican.benefits.models import RecheckItem, RecheckRun
from huican.benefits.roll import SUBSIDIES, _covers, _granted, _imported_rows
from huican.core.audit import audit_record
from huican.policy.facts import load_facts
from huican.policy.rules import evaluate
from huican.policy.vocabulary import prepare
from huican.regions.divisions import CITY_CODE

RECHECK_JOB = "benefits.recheck"
EXPIRY_WINDOW_DAYS = 90
REASON_NAMES = {
    "ineligible": "按现有数据判定为不符合条件",
    "unknown": "按现有数据无法判定（缺少信息）",
    "certificate_expiring": f"残疾人证 {EXPIRY_WINDOW_DAYS} 天内到期",
    "no_recent_survey": "本年度和上一年度均无入户调查",
}


def recheck_frame(on: dt.date, *, region: str = CITY_CODE) -> tuple[pl.DataFrame, int]:
    """The listed (person, subsidy) rows on `on` and how many entitlements were in force.

    Columns: person_id, benefit, county_code, township_code, decision, expiry_date, survey_year,
    reasons (list of codes, in the order of REASON_NAMES)."""
    month = on.replace(day=1)
    facts = load_facts(on=on, region=region)
    imported = _imported_rows(facts).select("person_id", "benefit", "start", "end")
    in_force = (
        pl.concat([imported, _granted(facts, on)], how="vertical")
        .filter(_covers(month))
        .select("person_id", "benefit")
        .unique()
    )
    people = in_force.get_column("person_id").unique()
    subset = facts.persons.filter(pl.col("person_id").is_in(people.implode()))
    from dataclasses import replace

    prepared = prepare(replace(facts, persons=subset), with_texts=False)
    decisions = evaluate(prepared, with_reasons=False, only=SUBSIDIES).select(
        "person_id", "benefit", "decision"
    )
    about = prepared.select("person_id", "county_code", "township_code", "expiry_date", "survey_year")
    d = pl.lit(on)
    rows = (
        in_force.join(decisions, on=["person_id", "benefit"], how="left")
        .join(about, on="person_id", how="inner")
        .with_columns(
            expiring=(pl.col("expiry_date") > d)
            & (pl.col("expiry_date") <= pl.lit(on + dt.timedelta(days=EXPIRY_WINDOW_DAYS))),
            no_survey=pl.col("survey_year").is_null() | (pl.col("survey_year") < on.year - 1),
        )
        .with_columns(
            reasons=pl.concat_list(
                pl.when(pl.col("decision") == "ineligible").then(pl.lit("ineligible")),
                pl.when(pl.col("decision") == "unknown").then(pl.lit("unknown")),
                pl.when(pl.col("expiring").fill_null(False)).then(pl.lit("certificate_expiring")),
                pl.when(pl.col("no_survey")).then(pl.lit("no_recent_survey")),
            ).list.drop_nulls()
        )
        .filter(pl.col("reasons").list.len() > 0)
        .select(
            "person_id",
            "benefit",
            "county_code",
            "township_code",
            "decision",
            "expiry_date",
            "survey_year",
            "reasons",
        )
        .sort("county_code", "township_code", "person_id", "benefit", nulls_last=True)
    )
    return rows, in_force.height


def recheck_run(*, on: dt.date, actor: Any = None, progress: Any = None) -> RecheckRun:
    """Compute the re-check of `on` for the whole city and store it as a run (audited)."""
    report = progress or (lambda percent, message="": None)
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = (user.get_full_name() or user.username) if user else str(actor or "system")
    run = RecheckRun.objects.create(on_date=on, started_by=user, started_by_name=name)
    try:
        report(10, "读取在享待遇并判定资格")
        rows, in_force = recheck_frame(on)
        report(70, "保存复核清单")
        with transaction.atomic():
            RecheckItem.objects.bulk_create(
                (
                    RecheckItem(
                        run=run,
                        person_id=r["person_id"],
                        benefit=r["benefit"],
                        county_code=r["county_code"] or "",
                        township_code=r["township_code"] or "",
                        reasons=list(r["reasons"]),
                        decision=r["decision"] or "",
                        expiry_date=r["expiry_date"],
                        survey_year=r["survey_year"],
                    )
                    for r in rows.iter_rows(named=True)
                ),
                batch_size=5000,
            )
            run.status = RecheckRun.Status.DONE
            run.entitlements = in_force
            run.items_count = rows.height
            run.finished_at = timezone.now()
            run.save()
            audit_record(
                actor=actor,
                action="benefits.recheck_run",
                object_type="benefits.RecheckRun",
                object_id=run.pk,
                region_code=CITY_CODE,
                detail={"on": on.isoformat(), "entitlements": in_force, "items": rows.height},
            )
    except Exception as exc:
        RecheckRun.objects.filter(pk=run.pk).update(
            status=RecheckRun.Status.FAILED,
            message=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    return run


def recheck_job(*, on: str, actor_id: int | None = None, progress: Any) -> dict[str, Any]:
    """The background job (on demand, or each January from the scheduler)."""
    from huican.accounts.models import User

    actor: Any = User.objects.filter(pk=actor_id).first() if actor_id else "system"
    run = recheck_run(on=dt.date.fromisoformat(on), actor=actor, progress=progress)
    return {"run_id": run.pk, "items": run.items_count, "entitlements": run.entitlements}


def start_recheck(*, actor: Any, on: dt.date) -> Any:
    from huican.core.tasks import submit

    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    return submit(kind=RECHECK_JOB, actor=actor, func=recheck_job, on=on.isoformat(), actor_id=actor_id)


def recheck_item_update(*, actor: Any, item: RecheckItem, status: str, note: str) -> RecheckItem:
    """Record the follow-up of one listed recipient (audited)."""
    if status not in RecheckItem.Status.values:
        raise ValueError("处理状态不正确")
    before = {"status": item.status, "note": item.note}
    item.status = status
    item.note = note.strip()
    item.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    item.updated_at = timezone.now()
    with transaction.atomic():
        item.save(update_fields=["status", "note", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="benefits.recheck_item_update",
            object_type="benefits.RecheckItem",
            object_id=item.pk,
            region_code=item.township_code or item.county_code,
            reason=item.note,
            detail={"before": before, "status": status, "person_id": item.person_id, "benefit": item.benefit},
        )
    return item
