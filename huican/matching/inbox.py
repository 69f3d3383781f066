"""The findings in a caseworker's inbox (``core.inbox``): open findings assigned to the user, each
due a number of working days after the run that first found it (per code: ``FindingDeadline``,
else the default of its urgency tier)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

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


def findings_in_inbox(user: Any, today: dt.date) -> Iterable[inbox.InboxItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    findings = (
        findings_for(user)
        .filter(assigned_to=user, status__in=OPEN)
        .select_related(None)
        .select_related("person", "first_seen_run")
        .only(
            "id",
            "code",
            "status",
            "county_code",
            "township_code",
            "person__id",
            "person__name",
            "person__region_id",
            "first_seen_run__on_date",
        )
    )
    days, overrides = deadline_days(), calendar_overrides()
    due_of: dict[tuple[dt.date, int], dt.date] = {}
    names = dict(FindingCode.choices)
    items = []
    for finding in findings.iterator(chunk_size=2000):
        found = finding.first_seen_run.on_date
        key = (found, days.get(finding.code, 30))
        if key not in due_of:
            due_of[key] = add_working_days(found, key[1], overrides)
        region = finding.person.region_id
        items.append(
            inbox.InboxItem(
                kind="发现",
                urgency=tier(finding.code),
                title=names.get(finding.code, finding.code),
                person_id=finding.person.pk,
                person_name=finding.person.name,
                county_code=finding.county_code,
                township_code=finding.township_code,
                village_code=region if len(region) == 12 else "",
                status=finding.status,
                due=due_of[key],
                url=reverse("matching:detail", args=[finding.pk]),
                code=finding.code,
                finding_id=finding.pk,
            )
        )
    return items


def open_assigned(user: Any) -> Any:
    return Finding.objects.filter(assigned_to=user, status__in=OPEN)
