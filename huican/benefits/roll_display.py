"""A roll as staff read it: Chinese statuses and reasons, names, masked or full ID numbers, region
names. Drafts are read from their stored frames, approved rolls from ``RollLine``/``RollRecovery``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from huican.benefits.models import Benefit, Roll, RollLine, RollRecovery
from huican.benefits.roll import CHOOSE_HIGHER, DraftRoll
from huican.benefits.rolls import yuan
from huican.core.crypto import decrypt_many
from huican.policy.rules import DEFINITIONS
from huican.regions.divisions import CITY_CODE, CITY_NAME, COUNTY_NAMES
from huican.regions.models import Region
from huican.registry.models import Person

STATUS_NAMES = {"pay": "发放", "hold": "暂缓", "stop": "停发"}
BENEFIT_NAMES = dict(Benefit.choices)
CLAUSE_NAMES: dict[str, str] = {
    clause.code: clause.label for definition in DEFINITIONS for clause in definition.clauses
} | {CHOOSE_HIGHER: "择高享受待确认（同时享受老年人护理补贴，须记录本人选择）"}
PAGE_SIZE = 100


def reason_text(codes: list[str], status: str) -> str:
    """A line's reasons in Chinese: the failed conditions of a stop, the unknown ones of a hold."""
    if not codes:
        return ""
    names = "；".join(CLAUSE_NAMES.get(code, code) for code in codes)
    if status == "stop":
        return f"不符合：{names}"
    if codes == [CHOOSE_HIGHER]:
        return names
    return f"无法判定（缺少信息）：{names}"


def region_names(codes: set[str]) -> dict[str, str]:
    names = dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))
    names.update({c: n for c, n in COUNTY_NAMES.items() if c in codes})
    names[CITY_CODE] = CITY_NAME
    return names


def region_label(code: str) -> str:
    return region_names({code}).get(code, code)


def _people(person_ids: list[int], *, full_ids: bool) -> dict[int, tuple[str, str]]:
    """person_id → (name, ID number shown: full when allowed, else masked)."""
    rows = list(
        Person.objects.filter(pk__in=person_ids).values_list("pk", "name", "id_masked", "id_number_encrypted")
    )
    numbers = decrypt_many([r[3] for r in rows]) if full_ids else [r[2] for r in rows]
    return {r[0]: (r[1], number) for r, number in zip(rows, numbers, strict=True)}


def _money(fen: int | None) -> str:
    value = yuan(fen)
    return "" if value is None else f"{value}"


def draft_line_page(
    draft: DraftRoll, *, status: str, page_number: Any, full_ids: bool, per_page: int = PAGE_SIZE
) -> tuple[Page, list[dict[str, Any]]]:
    """One page of a draft's lines (by township, then person), with names and ID numbers."""
    lines = draft.lines
    if status in STATUS_NAMES:
        lines = lines.filter(pl.col("status") == status)
    lines = lines.sort("county_code", "township_code", "person_id", "benefit", nulls_last=True)
    page = Paginator(range(lines.height), per_page).get_page(page_number)
    start = (page.number - 1) * per_page
    chunk = lines.slice(start, per_page).to_dicts()
    people = _people([r["person_id"] for r in chunk], full_ids=full_ids)
    places = region_names({r["township_code"] or "" for r in chunk} | {r["county_code"] or "" for r in chunk})
    rows = []
    for r in chunk:
        name, number = people.get(r["person_id"], ("", ""))
        rows.append(
            {
                "name": name,
                "id_number": number,
                "county": places.get(r["county_code"] or "", r["county_code"] or ""),
                "township": places.get(r["township_code"] or "", r["township_code"] or ""),
                "benefit": BENEFIT_NAMES.get(r["benefit"], r["benefit"]),
                "status": r["status"],
                "status_name": STATUS_NAMES[r["status"]],
                "amount": _money(r["amount_fen"]),
                "arrears": [(f"{a['month']:%Y-%m}", _money(a["amount_fen"])) for a in r["arrears"]],
                "total": _money(r["total_fen"]),
                "reasons": reason_text(list(r["reasons"]), r["status"]),
            }
        )
    return page, rows


def draft_recoveries(draft: DraftRoll, *, full_ids: bool, limit: int = 500) -> list[dict[str, Any]]:
    chunk = draft.recoveries.sort("county_code", "person_id").head(limit).to_dicts()
    people = _people([r["person_id"] for r in chunk], full_ids=full_ids)
    return [
        {
            "name": people.get(r["person_id"], ("", ""))[0],
            "id_number": people.get(r["person_id"], ("", ""))[1],
            "benefit": BENEFIT_NAMES.get(r["benefit"], r["benefit"]),
            "months": "、".join(f"{m:%Y-%m}" for m in r["months"]),
            "amount": _money(r["amount_fen"]),
        }
        for r in chunk
    ]


def totals_rows(totals: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Totals (JSON of ``rolls.totals_json``) with region and subsidy names, and a grand total row
    per subsidy (资金申请汇总)."""
    names = region_names({str(t[key] or "") for t in totals})
    rows = [
        {
            "code": t[key] or "",
            "region": names.get(str(t[key] or ""), t[key] or "（未知）"),
            "benefit": BENEFIT_NAMES.get(t["benefit"], t["benefit"]),
            "persons": t["persons"],
            "amount": f"{Decimal(str(t['amount'])).quantize(Decimal('0.01'))}",
        }
        for t in totals
    ]
    return rows


def benefit_totals(totals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per subsidy over all units: persons and amount (the fund request's bottom line)."""
    out: dict[str, list[Decimal]] = {}
    for t in totals:
        persons, amount = out.setdefault(t["benefit"], [Decimal(0), Decimal(0)])
        out[t["benefit"]] = [persons + t["persons"], amount + Decimal(str(t["amount"]))]
    return [
        {
            "benefit": BENEFIT_NAMES.get(b, b),
            "persons": int(p),
            "amount": f"{a.quantize(Decimal('0.01'))}",
        }
        for b, (p, a) in sorted(out.items())
    ]


def roll_lines(roll: Roll, *, status: str) -> QuerySet[RollLine]:
    lines = roll.lines.select_related("person")
    if status in STATUS_NAMES:
        lines = lines.filter(status=status)
    return lines.order_by("county_code", "township_code", "person_id", "benefit")


def approved_line_page(
    roll: Roll, *, status: str, page_number: Any, full_ids: bool, per_page: int = PAGE_SIZE
) -> tuple[Page, list[dict[str, Any]]]:
    page = Paginator(roll_lines(roll, status=status), per_page).get_page(page_number)
    lines = list(page.object_list)
    numbers = (
        decrypt_many([x.person.id_number_encrypted for x in lines])
        if full_ids
        else [x.person.id_masked for x in lines]
    )
    places = region_names({x.township_code for x in lines} | {x.county_code for x in lines})
    rows = [
        {
            "name": x.person.name,
            "id_number": number,
            "county": places.get(x.county_code, x.county_code),
            "township": places.get(x.township_code, x.township_code),
            "benefit": x.get_benefit_display(),
            "status": x.status,
            "status_name": STATUS_NAMES.get(x.status, x.status),
            "amount": "" if x.amount is None else f"{x.amount}",
            "arrears": [(a["month"], a["amount"]) for a in x.arrears],
            "total": f"{x.total}",
            "reasons": reason_text(list(x.reasons), x.status),
        }
        for x, number in zip(lines, numbers, strict=True)
    ]
    return page, rows


def approved_recoveries(roll: Roll, *, full_ids: bool) -> list[dict[str, Any]]:
    recoveries = list(RollRecovery.objects.filter(roll=roll).select_related("person").order_by("id"))
    numbers = (
        decrypt_many([x.person.id_number_encrypted for x in recoveries])
        if full_ids
        else [x.person.id_masked for x in recoveries]
    )
    return [
        {
            "name": x.person.name,
            "id_number": number,
            "benefit": x.get_benefit_display(),
            "months": "、".join(x.months),
            "amount": f"{x.amount}",
        }
        for x, number in zip(recoveries, numbers, strict=True)
    ]
