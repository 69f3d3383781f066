"""The findings in a caseworker's inbox (``core.inbox``): open findings assigned to the user, each
due a number of working days after the run that first found it (per code: ``FindingDeadline``,
else the default of its urgency tier)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, DateField, IntegerField, Q, Value, When
from django.urls import reverse

from huican.core import inbox
from huican.core.workdays import add_working_days, calendar_overrides
from huican.matching.models import Finding, FindingCode, FindingDeadline
from huican.matching.selectors import findings_for
from huican.matching.services import OPEN

MONEY = ("paid_after_death", "paid_while_ineligible", "double_benefit", "choose_higher")
COVERAGE = ("dibao_not_covered", "living_subsidy_not_covered", "nursing_subsidy_not_covered")
ENROLMENT = (
    "medical_not_enrolled",
    "pension_not_enrolled",
    "child_not_enrolled",
    "certificate_expired",
    "name_mismatch",
)
KIND = "发现"
DEFAULT_DAYS = {inbox.MONEY_PAID_WRONGLY: 5, inbox.COVERAGE_GAP: 10, inbox.ENROLMENT: 20, inbox.NEED: 30}


def tier(code: str) -> int:
    if code in MONEY:
        return inbox.MONEY_PAID_WRONGLY
    if code in COVERAGE:
        return inbox.COVERAGE_GAP
    if code in ENROLMENT:
        return inbox.ENROLMENT
    return inbox.NEED


def deadline_days() -> dict[str, int]:
    """Working days per code: the configured ones, else the tier's default."""
    days = {code: DEFAULT_DAYS[tier(code)] for code in FindingCode.values}
    days.update(dict(FindingDeadline.objects.values_list("code", "working_days")))
    return days


def findings_in_inbox(user: Any, today: dt.date, filters: inbox.Filters, limit: int) -> inbox.SourceAnswer:
    """Open findings assigned to the user: counted, ordered and cut in the database (a due date per
    code and run date is computed once and put into the query as a CASE)."""
    empty = inbox.SourceAnswer(0, 0, [])
    if not getattr(user, "is_authenticated", False) or (filters.kind and filters.kind != KIND):
        return empty
    mine = findings_for(user).select_related(None).filter(assigned_to=user, status__in=OPEN)
    if filters.code:
        mine = mine.filter(code=filters.code)
    if filters.status:
        mine = mine.filter(status=filters.status)
    if filters.township:
        mine = mine.filter(township_code__startswith=filters.township)
    if filters.village:
        mine = mine.filter(person__region__code__startswith=filters.village)
    pairs = list(mine.order_by().values_list("code", "first_seen_run__on_date").distinct())
    if not pairs:
        return empty
    days, overrides = deadline_days(), calendar_overrides()
    due = {(code, found): add_working_days(found, days.get(code, 30), overrides) for code, found in pairs}
    due_case = Case(
        *(When(code=code, first_seen_run__on_date=found, then=Value(d)) for (code, found), d in due.items()),
        output_field=DateField(),
    )
    tier_case = Case(
        *(When(code=code, then=Value(tier(code))) for code in {c for c, _ in pairs}),
        output_field=IntegerField(),
    )
    late = [pair for pair, d in due.items() if d < today]
    late_q = Q(pk__in=[])
    for code, found in late:
        late_q |= Q(code=code, first_seen_run__on_date=found)
    if filters.overdue:
        mine = mine.filter(late_q)
    counts = mine.aggregate(total=Count("id"), overdue=Count("id", filter=late_q))
    total, overdue = counts["total"], counts["overdue"]
    if limit <= 0 or total == 0:
        return inbox.SourceAnswer(total, overdue, [])
    rows = (
        mine.annotate(due=due_case, tier=tier_case, late=Case(When(late_q, then=Value(0)), default=Value(1)))
        .order_by("late", "tier", "due", "person__name", "id")
        .values_list(
            "id",
            "code",
            "status",
            "county_code",
            "township_code",
            "person_id",
            "person__name",
            "person__region_id",
            "first_seen_run__on_date",
        )[:limit]
    )
    names = dict(FindingCode.choices)
    url = reverse("matching:detail", args=[999999999]).replace("999999999", "{}")
    items = [
        inbox.InboxItem(
            kind=KIND,
            urgency=tier(code),
            title=names.get(code, code),
            person_id=person_id,
            person_name=name,
            county_code=county,
            township_code=township,
            village_code=region if len(region) == 12 else "",
            status=status,
            due=due[(code, found)],
            url=url.format(finding_id),
            code=code,
            finding_id=finding_id,
        )
        for finding_id, code, status, county, township, person_id, name, region, found in rows
    ]
    return inbox.SourceAnswer(total, overdue, items)


def open_assigned(user: Any) -> Any:
    return Finding.objects.filter(assigned_to=user, status__in=OPEN)
