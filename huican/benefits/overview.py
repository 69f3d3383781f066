"""The benefits overview per county (issue 12 point 6): figures only, no personal data.

Per county-level unit:
- open applications by step, and how many are overdue (``selectors.deadline_of``);
- median months from application to first payment: for each (person, subsidy) with an approved
  application of this system, the month of the first approved roll that paid them (``Payment`` →
  its roll's month) minus the month of the application's 申请日期;
- recipients and monthly outlay: the `pay` lines (persons, sum of totals) of the latest approved roll
  that covers the county (the county's own roll or the city's);
- recoveries due: the recoveries (count, amount) of that roll.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, Sum

from huican.accounts.access import can, region_prefix_for
from huican.benefits.models import Application, Payment, Roll, RollLine, RollRecovery
from huican.benefits.selectors import deadline_of
from huican.benefits.services import STEP_OF_STATUS
from huican.benefits.workdays import all_step_limits, calendar_overrides
from huican.regions.divisions import CITY_CODE, COUNTIES

STEP_STATUSES = list(STEP_OF_STATUS)


def overview_counties(user: Any) -> list[tuple[str, str]]:
    if not (can(user, "view_benefits") or can(user, "view_aggregates")):
        return []
    prefix = region_prefix_for(user) or ""
    if not prefix:
        return []
    return [(code, name) for code, name, _ in COUNTIES if len(prefix) <= 4 or code == prefix[:6]]


def _months(first: dt.date, later: dt.date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def _open_applications(codes: list[str], today: dt.date) -> tuple[dict[str, Counter[str]], dict[str, int]]:
    by_step: dict[str, Counter[str]] = defaultdict(Counter)
    overdue: dict[str, int] = defaultdict(int)
    limits, overrides = all_step_limits(), calendar_overrides()
    open_ones = Application.objects.filter(county_code__in=codes, status__in=STEP_STATUSES).exclude(
        source=Application.Source.IMPORT
    )
    for application in open_ones.only("status", "county_code", "step_started_on", "notice_until").iterator():
        by_step[application.county_code][application.status] += 1
        deadline = deadline_of(application, today=today, limits=limits, overrides=overrides)
        if deadline is not None and deadline.overdue:
            overdue[application.county_code] += 1
    return by_step, overdue


def _median_months(codes: list[str]) -> dict[str, float | None]:
    applied = (
        Application.objects.filter(county_code__in=codes, status=Application.Status.APPROVED)
        .exclude(source=Application.Source.IMPORT)
        .values("person_id", "benefit", "county_code")
        .annotate(applied=Min("applied_on"))
    )
    first_paid = {
        (r["person_id"], r["benefit"]): r["first"]
        for r in Payment.objects.filter(person__county_code__in=codes)
        .values("person_id", "benefit")
        .annotate(first=Min("roll__month"))
    }
    months: dict[str, list[int]] = defaultdict(list)
    for row in applied:
        paid = first_paid.get((row["person_id"], row["benefit"]))
        if paid is not None:
            months[row["county_code"]].append(_months(row["applied"].replace(day=1), paid))
    return {code: (statistics.median(months[code]) if months[code] else None) for code in codes}


def _yuan(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(Decimal("0.01"))


def _latest_roll(code: str) -> Roll | None:
    return (
        Roll.objects.filter(Q(region_code=code) | Q(region_code=CITY_CODE)).order_by("-month", "-id").first()
    )


def county_overview(user: Any, *, today: dt.date) -> list[dict[str, Any]]:
    counties = overview_counties(user)
    codes = [code for code, _ in counties]
    by_step, overdue = _open_applications(codes, today)
    medians = _median_months(codes)
    rows = []
    for code, name in counties:
        roll = _latest_roll(code)
        paid = recovered = None
        if roll is not None:
            paid = RollLine.objects.filter(roll=roll, county_code=code, status="pay").aggregate(
                persons=Count("person_id", distinct=True), amount=Sum("total")
            )
            recovered = RollRecovery.objects.filter(roll=roll, county_code=code).aggregate(
                count=Count("id"), amount=Sum("amount")
            )
        rows.append(
            {
                "code": code,
                "name": name,
                "steps": [by_step[code].get(status, 0) for status in STEP_STATUSES],
                "open": sum(by_step[code].values()),
                "overdue": overdue.get(code, 0),
                "median_months": medians.get(code),
                "roll_month": roll.month if roll else None,
                "recipients": paid["persons"] if paid else None,
                "outlay": _yuan(paid["amount"]) if paid else None,
                "recoveries": recovered["count"] if recovered else None,
                "recovery_amount": _yuan(recovered["amount"]) if recovered else None,
            }
        )
    return rows


def step_labels() -> list[str]:
    return [str(Application.Status(status).label) for status in STEP_STATUSES]
