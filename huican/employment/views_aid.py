"""Pages of 就业援助: the aid list (the `employment_aid` findings with each person's progress) and
a person's aid page with its four forms (求职登记, 职业技能培训, 就业, 回访). Thin: the rules are in
``employment.aid``; a person or placement outside the user's region is a 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip, require_can
from huican.core.audit import audit_record
from huican.core.dates import age_on
from huican.core.redirects import redirect_to_message
from huican.employment import aid
from huican.employment.forms import (
    AidFilterForm,
    FollowUpForm,
    JobSeekingForm,
    PlacementForm,
    SeekingCloseForm,
    TrainingForm,
)
from huican.employment.models import JobSeeking
from huican.regions.divisions import COUNTIES

PAGE_SIZE = 50
FORMS = {"seeking": JobSeekingForm, "training": TrainingForm, "placement": PlacementForm}


def _show(form: Any, error: aid.AidError) -> None:
    for name, message in error.problems.items():
        form.add_error(name if name in form.fields else None, message)


def _counties(user: Any) -> list[tuple[str, str]]:
    prefix = region_prefix_for(user) or "-"
    return [(code, name) for code, name, _ in COUNTIES if code.startswith(prefix[:6])]


@require_can("employment_aid")
@require_GET
def aid_list(request: HttpRequest) -> HttpResponse:
    """The aid list: persons of the `employment_aid` finding in the user's region, with progress."""
    user: Any = request.user
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = AidFilterForm(data, counties=_counties(user))
    if not form.is_valid():
        return render(request, "employment/aid_list.html", {"form": form}, status=400)
    filters = form.cleaned_data
    findings = aid.aid_findings_for(user, status=filters["status"], county=filters["county"])
    if filters["stage"]:
        findings = findings.filter(aid.stage_q(filters["stage"]))
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    found = list(page)
    today = timezone.localdate()
    states = aid.aid_states([f.person_id for f in found], on=today)
    names = dict((code, name) for code, name, _ in COUNTIES)
    rows = [
        {
            "finding": f,
            "person": f.person,
            "age": age_on(f.person.birth_date, today),
            "county": names.get(f.county_code, f.county_code),
            "state": states[f.person_id],
        }
        for f in found
    ]
    audit_record(
        actor=user,
        action="finding.list",
        object_type="Finding",
        region_code=region_prefix_for(user) or "",
        detail={
            "via": "web",
            "list": aid.AID_CODE,
            "filters": {k: v for k, v in filters.items() if v},
            "results": page.paginator.count,
            "page": page.number,
        },
        ip_address=client_ip(request),
    )
    return render(
        request,
        "employment/aid_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            # "status" stays in the pages' links even when empty (全部), which is not the default.
            "query": urlencode({k: v for k, v in filters.items() if v or k == "status"}),
            "may_browse": can(user, "browse_registry"),
        },
    )


def _person_page(request: HttpRequest, person: Any, status: int = 200, **bound: Any) -> HttpResponse:
    today = timezone.localdate()
    history = aid.person_history(person)
    finding = aid.aid_findings_for(request.user, status="").filter(person=person).first()
    open_seeking = next((s for s in history["seekings"] if s.closed_on is None), None)
    forms = {
        "seeking_form": bound.get("seeking_form") or JobSeekingForm(initial={"registered_on": today}),
        "close_form": bound.get("close_form") or SeekingCloseForm(initial={"closed_on": today}),
        "training_form": bound.get("training_form") or TrainingForm(initial={"service_date": today}),
        "placement_form": bound.get("placement_form") or PlacementForm(initial={"started_on": today}),
    }
    for placement in history["placements"]:  # one follow-up form per placement still in work
        if placement.ended_on is None:
            placement.followup_form = (
                bound["followup_form"]
                if bound.get("followup_for") == placement.pk
                else FollowUpForm(prefix=f"followup{placement.pk}", initial={"followed_on": today})
            )
    context = {
        "person": person,
        "age": age_on(person.birth_date, today),
        "finding": finding,
        "state": aid.aid_states([person.pk], on=today)[person.pk],
        "open_seeking": open_seeking,
        "may_browse": can(request.user, "browse_registry"),
        **history,
        **forms,
    }
    return render(request, "employment/aid_person.html", context, status=status)


@require_can("employment_aid")
@require_GET
def aid_person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = aid.access_aid_person_by_id(request.user, person_id)
    return _person_page(request, person)


@require_can("employment_aid")
@require_POST
def aid_record(request: HttpRequest, person_id: int, what: str) -> HttpResponse:
    """POST of one of the person page's forms: 求职登记, 职业技能培训 or 就业."""
    person = aid.access_aid_person_by_id(request.user, person_id)
    form_class = FORMS.get(what)
    if form_class is None:
        raise Http404(_("未知的登记类型"))
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if what == "seeking":
                aid.job_seeking_record(actor=request.user, person=person, **data)
                done = _("已登记求职（%(day)s）。") % {"day": data["registered_on"]}
            elif what == "training":
                aid.training_record(actor=request.user, person=person, **data)
                done = _("已登记职业技能培训（%(day)s）。") % {"day": data["service_date"]}
            else:
                placement = aid.placement_record(actor=request.user, person=person, **data)
                done = _("已登记就业：%(employer)s（%(day)s 起）。") % {
                    "employer": placement.employer,
                    "day": placement.started_on,
                }
        except aid.AidError as error:
            _show(form, error)
        else:
            messages.success(request, done)
            return redirect_to_message("employment:aid_person", person_id=person.pk)
    return _person_page(request, person, status=400, **{f"{what}_form": form})


@require_can("employment_aid")
@require_POST
def seeking_close(request: HttpRequest, person_id: int) -> HttpResponse:
    person = aid.access_aid_person_by_id(request.user, person_id)
    seeking = JobSeeking.objects.filter(person=person, closed_on__isnull=True).first()
    form = SeekingCloseForm(request.POST)
    if seeking is None:
        form.add_error(None, _("没有未结束的求职登记"))
    elif form.is_valid():
        try:
            aid.job_seeking_close(actor=request.user, seeking=seeking, **form.cleaned_data)
        except aid.AidError as error:
            _show(form, error)
        else:
            messages.success(request, _("已结束求职登记。"))
            return redirect_to_message("employment:aid_person", person_id=person.pk)
    return _person_page(request, person, status=400, close_form=form)


@require_can("employment_aid")
@require_http_methods(["POST"])
def follow_up(request: HttpRequest, placement_id: int) -> HttpResponse:
    placement = aid.access_placement_by_id(request.user, placement_id)
    form = FollowUpForm(request.POST, prefix=f"followup{placement.pk}")
    if form.is_valid():
        try:
            aid.follow_up_record(actor=request.user, placement=placement, **form.cleaned_data)
        except aid.AidError as error:
            _show(form, error)
        else:
            message = (
                _("已登记回访：仍在岗。")
                if form.cleaned_data["in_work"]
                else _("已登记回访：已离岗，该就业记录已结束。")
            )
            messages.success(request, message)
            return redirect_to_message("employment:aid_person", person_id=placement.person_id)
    return _person_page(request, placement.person, status=400, followup_form=form, followup_for=placement.pk)
