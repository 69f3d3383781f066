"""Follow-up lists of two needs findings (主动服务): the 返贫致贫风险 list and the 重度残疾人独居 list.

Each is the work list narrowed to one code (same region and status filters, same scope: the user's
region through ``findings_for``), with the columns a caseworker needs before calling or visiting:
household, income of the latest survey and of the year before (poverty risk), age, phone (masked)
and the last 走访探视 (living alone). Only staff who see the code get the page; viewing is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip
from huican.core.audit import audit_record
from huican.core.dates import age_on
from huican.core.hooks import Hook
from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES
from huican.exchange.models import ListRecord
from huican.exchange.snapshots import active_batch_ids
from huican.matching.forms import OPEN_FILTER, WorkListFilterForm
from huican.matching.history import place_names
from huican.matching.models import Finding
from huican.matching.selectors import finding_codes_for, findings_for
from huican.registry.models import Survey

PAGE_SIZE = 50
VISIT = "走访探视"
# The 走访探视 recorded in the system (the care app provides it): called with person ids and a date,
# returns (person_id, visit date) pairs dated on or before it.
recorded_visits = Hook("matching.recorded_visits")


@dataclass(frozen=True)
class FollowUpList:
    code: str
    title: Any
    lead: Any


LISTS = {
    "poverty_risk": FollowUpList(
        "poverty_risk",
        gettext_lazy("返贫致贫风险名单"),
        gettext_lazy(
            "不在低保、特困名单，但家庭低收入、处于低保边缘，或户人均年收入不足上年调查 70% 的持证残疾人。"
            "请入户核实家庭收入变化，符合条件的协助申请低保、临时救助等。"
        ),
    ),
    "severe_living_alone": FollowUpList(
        "severe_living_alone",
        gettext_lazy("重度残疾人独居名单"),
        gettext_lazy(
            "最近一次调查家庭人口数为 1 的一级、二级持证残疾人。请定期走访探视，了解照护、安全和生活需要。"
        ),
    ),
}


@dataclass
class Row:
    finding: Finding
    village: str
    township: str
    disability: str
    age: int | None
    survey_year: int | None
    household_size: int | None
    income: Any
    previous_income: Any
    last_visit: dt.date | None


def _form(request: HttpRequest, code: str) -> WorkListFilterForm:
    """The work list's filters with the code fixed by the page; by default the findings not closed."""
    data = request.GET.copy()
    data["code"] = code
    data.setdefault("status", OPEN_FILTER)
    return WorkListFilterForm(data, user=request.user)


def _surveys(findings: list[Finding]) -> dict[int, list[Survey]]:
    """Each person's surveys, latest year first (one query for the page)."""
    by_person: dict[int, list[Survey]] = {}
    rows = Survey.objects.filter(person_id__in={f.person_id for f in findings}).order_by("person_id", "-year")
    for survey in rows:
        by_person.setdefault(survey.person_id, []).append(survey)
    return by_person


def _visits(findings: list[Finding]) -> dict[str, list[dt.date]]:
    """The 走访探视 dates of the page's persons (services in force on the latest run date, and the
    visits recorded in the system up to that date), by id_hash, latest first."""
    if not findings:
        return {}
    day = max(f.last_seen_run.on_date for f in findings)
    rows = (
        ListRecord.objects.filter(
            batch_id__in=active_batch_ids("services", day),
            category=VISIT,
            id_hash__in={f.person.id_hash for f in findings},
            start_date__isnull=False,
        )
        .values_list("id_hash", "start_date")
        .order_by("id_hash", "-start_date")
    )
    visits: dict[str, list[dt.date]] = {}
    for id_hash, start in rows:
        if start is not None:
            visits.setdefault(id_hash, []).append(start)
    if recorded_visits.provided:
        hashes = {f.person_id: f.person.id_hash for f in findings}
        for person_id, start in recorded_visits(list(hashes), day):
            dates = visits.setdefault(hashes[person_id], [])
            if start not in dates:
                dates.append(start)
        for dates in visits.values():
            dates.sort(reverse=True)
    return visits


def _rows(findings: list[Finding]) -> list[Row]:
    surveys = _surveys(findings)
    visits = _visits(findings)
    names = place_names(
        {f.person.region_id for f in findings} | {f.township_code for f in findings if f.township_code}
    )
    out = []
    for f in findings:
        day = f.last_seen_run.on_date
        person = f.person
        history = [s for s in surveys.get(person.pk, []) if s.year <= day.year]
        latest = history[0] if history else None
        before = next((s for s in history if latest and s.year == latest.year - 1), None)
        out.append(
            Row(
                finding=f,
                village=names.get(person.region_id, person.region_id),
                township=names.get(f.township_code, f.township_code),
                disability=f"{CATEGORY_NAMES.get(person.category, '?')}{GRADE_NAMES.get(person.grade, '?')}",
                age=age_on(person.birth_date, day),
                survey_year=latest.year if latest else None,
                household_size=latest.household_size if latest else None,
                income=latest.income if latest else None,
                previous_income=before.income if before else None,
                last_visit=next((d for d in visits.get(person.id_hash, []) if d <= day), None),
            )
        )
    return out


def _ordered(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return findings.select_related("person", "assigned_to", "first_seen_run", "last_seen_run").order_by(
        "county_code", "township_code", "person__region_id", "person__household_number", "id"
    )


@login_required
@require_GET
def needs_list(request: HttpRequest, code: str) -> HttpResponse:
    """One needs code as a follow-up list (poverty_risk, severe_living_alone)."""
    listing = LISTS.get(code)
    if listing is None:
        raise Http404(_("没有这个名单"))
    user: Any = request.user
    if not can(user, "view_findings") or code not in finding_codes_for(user):
        raise PermissionDenied(_("您的角色无权查看该名单"))
    form = _form(request, code)
    context: dict[str, Any] = {"listing": listing, "form": form}
    if not form.is_valid():
        return render(request, "matching/needs_list.html", context, status=400)
    findings = form.apply(findings_for(user)).filter(code=code)
    page = Paginator(_ordered(findings), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {k: v for k, v in form.cleaned_data.items() if v and k != "code"}
    context.update(
        page=page,
        rows=_rows(list(page)),
        query=urlencode(filters),
        may_link_person=can(user, "browse_registry"),
    )
    audit_record(
        actor=user,
        action="finding.list",
        object_type="Finding",
        region_code=region_prefix_for(user) or "",
        detail={
            "via": "web",
            "list": code,
            "filters": form.described(),
            "results": page.paginator.count,
            "page": page.number,
        },
        ip_address=client_ip(request),
    )
    return render(request, "matching/needs_list.html", context)
