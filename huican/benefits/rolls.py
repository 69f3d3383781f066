"""Approving a monthly roll, and the roll as output (JSON/CSV of BENEFITS.md, the bank file).

A roll is computed as a draft (``roll.compute_roll``); approving it stores its lines, recoveries and
totals, and the months it paid (``Payment``: its own month and the arrears of its `pay` lines), so
that later drafts do not pay them again and recover them at what was paid. An approved roll is never
changed, and a month is approved once per region: a roll overlapping an approved one (the city and
one of its counties, say) is refused, as is a month before one already approved for the region.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction

from huican.benefits.models import Payment, Roll, RollLine, RollRecovery
from huican.benefits.roll import DraftRoll, Progress, compute_roll, roll_person_numbers
from huican.core.audit import audit_record
from huican.regions.divisions import CITY_CODE


class RollError(Exception):
    """A roll cannot be approved as asked (the message says why, in Chinese)."""


def _overlaps(a: str, b: str) -> bool:
    if CITY_CODE in (a, b):
        return True
    return a.startswith(b) or b.startswith(a)


def approved_overlapping(month: dt.date, region: str) -> list[Roll]:
    return [r for r in Roll.objects.filter(month=month) if _overlaps(r.region_code, region)]


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def approve_roll(
    *, month: dt.date, region: str, actor: Any, actor_name: str = "", progress: Progress | None = None
) -> Roll:
    """Compute the draft of `month` for `region` and approve it (stored, immutable, audited)."""
    month = month.replace(day=1)
    region = region or CITY_CODE
    clash = approved_overlapping(month, region)
    if clash:
        taken = "、".join(r.region_code for r in clash)
        raise RollError(
            f"{month:%Y-%m} 的发放名册已审批（{taken}），不能再次审批；更正请计入下月的补发或追缴"
        )
    later = [r for r in Roll.objects.filter(month__gt=month) if _overlaps(r.region_code, region)]
    if later:
        raise RollError(
            f"{later[0].month:%Y-%m} 的发放名册已审批，不能再审批更早的 {month:%Y-%m}；更正请计入下月"
        )
    draft = compute_roll(month=month, region=region, progress=progress)
    name = actor_name or getattr(actor, "username", "") or str(actor)
    with transaction.atomic():
        roll = Roll.objects.create(
            month=month,
            region_code=region,
            approved_by=actor if getattr(actor, "is_authenticated", False) else None,
            approved_by_name=name,
            totals=totals_json(draft),
            township_totals=totals_json(draft, level="township_code"),
            lines_count=draft.lines.height,
            paid_total=yuan(int(draft.lines.get_column("total_fen").sum() or 0)) or Decimal("0.00"),
            recovery_total=yuan(int(draft.recoveries.get_column("amount_fen").sum() or 0)) or Decimal("0.00"),
        )
        RollLine.objects.bulk_create(
            (
                RollLine(
                    roll=roll,
                    person_id=r["person_id"],
                    benefit=r["benefit"],
                    county_code=r["county_code"] or "",
                    township_code=r["township_code"] or "",
                    status=r["status"],
                    amount=yuan(r["amount_fen"]),
                    arrears=[
                        {"month": f"{a['month']:%Y-%m}", "amount": str(yuan(a["amount_fen"]))}
                        for a in r["arrears"]
                    ],
                    total=yuan(r["total_fen"]) or Decimal("0.00"),
                    reasons=list(r["reasons"]),
                )
                for r in draft.lines.iter_rows(named=True)
            ),
            batch_size=5000,
        )
        RollRecovery.objects.bulk_create(
            (
                RollRecovery(
                    roll=roll,
                    person_id=r["person_id"],
                    benefit=r["benefit"],
                    county_code=r["county_code"] or "",
                    months=[f"{m:%Y-%m}" for m in r["months"]],
                    amount=yuan(r["amount_fen"]) or Decimal("0.00"),
                )
                for r in draft.recoveries.iter_rows(named=True)
            ),
            batch_size=5000,
        )
        Payment.objects.bulk_create(_payments(roll, draft), batch_size=5000)
        audit_record(
            actor=actor,
            action="benefits.roll_approve",
            object_type="benefits.Roll",
            object_id=roll.pk,
            region_code=region,
            detail={
                "month": f"{month:%Y-%m}",
                "lines": roll.lines_count,
                "paid_total": str(roll.paid_total),
                "recovery_total": str(roll.recovery_total),
            },
        )
    return roll


def _payments(roll: Roll, draft: DraftRoll) -> list[Payment]:
    paying = draft.lines.filter(pl.col("status") == "pay")
    own = paying.select("person_id", "benefit", month=pl.lit(draft.month), amount_fen="amount_fen")
    arrears = (
        paying.select("person_id", "benefit", "arrears")
        .explode("arrears")
        .drop_nulls("arrears")
        .unnest("arrears")
        .select("person_id", "benefit", "month", "amount_fen")
    )
    return [
        Payment(roll=roll, person_id=p, benefit=b, month=m, amount=yuan(a) or Decimal("0.00"))
        for p, b, m, a in pl.concat([own, arrears]).iter_rows()
    ]


def totals_json(draft: DraftRoll, *, level: str = "county_code") -> list[dict[str, Any]]:
    key = "county" if level == "county_code" else "township"
    return [
        {
            key: r[level],
            "benefit": r["benefit"],
            "persons": r["persons"],
            "amount": float(yuan(r["amount_fen"]) or 0),
        }
        for r in draft.totals(level).iter_rows(named=True)
    ]


def _money(fen: pl.Expr) -> pl.Expr:
    return (fen.cast(pl.Float64) / 100).round(2)


def roll_frames(draft: DraftRoll) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Lines and recoveries with ID numbers, money in yuan, months as YYYY-MM, in output order."""
    numbers = roll_person_numbers(draft)
    lines = (
        draft.lines.join(numbers, on="person_id", how="left")
        .select(
            "id_number",
            "benefit",
            "status",
            amount=_money(pl.col("amount_fen")),
            arrears=pl.col("arrears").list.eval(
                pl.struct(
                    month=pl.element().struct.field("month").dt.strftime("%Y-%m"),
                    amount=_money(pl.element().struct.field("amount_fen")),
                )
            ),
            total=_money(pl.col("total_fen")),
            reasons="reasons",
            county="county_code",
        )
        .sort("id_number", "benefit")
    )
    recoveries = (
        draft.recoveries.join(numbers, on="person_id", how="left")
        .select(
            "id_number",
            "benefit",
            months=pl.col("months").list.eval(pl.element().dt.strftime("%Y-%m")),
            amount=_money(pl.col("amount_fen")),
            county="county_code",
        )
        .sort("id_number", "benefit")
    )
    return lines, recoveries


def roll_json(draft: DraftRoll) -> dict[str, Any]:
    lines, recoveries = roll_frames(draft)
    return {
        "month": f"{draft.month:%Y-%m}",
        "lines": lines.drop("county").to_dicts(),
        "recoveries": recoveries.drop("county").to_dicts(),
        "totals": totals_json(draft),
    }


def roll_csv(draft: DraftRoll) -> str:
    """The lines as CSV: arrears as `YYYY-MM:amount` joined by `;`, reasons joined by `;`."""
    from huican.core.frames import neutralize_formulas

    lines, _ = roll_frames(draft)
    table = lines.select(
        "id_number",
        "benefit",
        "status",
        "amount",
        arrears=pl.col("arrears")
        .list.eval(
            pl.format(
                "{}:{}",
                pl.element().struct.field("month"),
                pl.element().struct.field("amount").round(2).cast(pl.Decimal(12, 2)).cast(pl.String),
            )
        )
        .list.join(";"),
        total="total",
        reasons=pl.col("reasons").list.join(";"),
    )
    return neutralize_formulas(table, keep_numbers=True).write_csv(float_precision=2)
