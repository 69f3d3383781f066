"""Pages of the entitlements (list per region, one person's with 停发 and 择高 forms), the working-day
calendar and the counties' step limits. Thin: the writes are ``services.entitlement_stop``,
``services.choice_record`` and ``calendar_services``."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.access import can, region_prefix_for
from huican.accounts.models import Role
from huican.benefits.calendar_services import (
    calendar_day_add,
    may_edit_calendar,
    may_set_limits,
    step_limits_set,
)
from huican.benefits.forms_rolls import CalendarDayForm, ChoiceForm, StepLimitForm, StopForm
from huican.benefits.models import Benefit, BenefitChoice, CalendarDay, Entitlement, StepLimit
from huican.benefits.roll_display import region_label, region_names
from huican.benefits.selectors import access_entitlement_by_id, entitlements_for
from huican.benefits.services import ApplicationError, choice_record, entitlement_stop, today
from huican.benefits.workdays import step_limits
from huican.regions.divisions import COUNTIES
from huican.regions.models import Region
from huican.registry.models import Person


def _prefix(user: Any) -> str:
    if not can(user, "view_benefits"):
        raise PermissionDenied("您的角色无权查看补贴待遇")
    prefix = region_prefix_for(user)
    if prefix is None:
        raise PermissionDenied("您的账号没有可查看的地区")
    return prefix


def _person(user: Any, person_id: int) -> Person:
    prefix = _prefix(user)
    person = Person.objects.filter(pk=person_id, region__code__startswith=prefix).first()
    if person is None:
        raise Http404("未找到该人员")
    return person


def may_stop(user: Any) -> bool:
    return getattr(user, "role", None) in (Role.COUNTY_STAFF, Role.CIVIL_AFFAIRS_OFFICER)


def choose_higher_pending(person: Person, on: dt.date) -> bool:
    """Whether the person's nursing-subsidy decision on `on` carries the 择高 flag."""
    from huican.policy.rules import explain_person

    return any(
        row["benefit"] == Benefit.NURSING and "choose_higher" in list(row["flags"] or [])
        for row in explain_person(person.pk, on)
    )


@login_required
@require_GET
def entitlement_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    prefix = _prefix(user)
    entitlements = entitlements_for(user).order_by("person__region_id", "person_id", "benefit", "start_month")
    region = request.GET.get("region", "").strip()
    benefit = request.GET.get("benefit", "")
    in_force = request.GET.get("in_force", "") == "1"
    if region.isdigit() and region.startswith(prefix[:4]):
        entitlements = entitlements.filter(person__region__code__startswith=region)
    if benefit in Benefit.values:
        entitlements = entitlements.filter(benefit=benefit)
    if in_force:
        month = today().replace(day=1)
        entitlements = entitlements.filter(start_month__lte=month).filter(
            Q(end_month__isnull=True) | Q(end_month__gte=month)
        )
    page = Paginator(entitlements, 100).get_page(request.GET.get("page"))
    regions = Region.objects.filter(code__startswith=prefix, level=Region.Level.TOWNSHIP).order_by("code")
    if len(prefix) <= 4:
        regions = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    context = {
        "page": page,
        "regions": regions,
        "region": region,
        "benefit": benefit,
        "benefits": Benefit.choices,
        "in_force": in_force,
        "query": urlencode(
            {k: v for k, v in (("region", region), ("benefit", benefit)) if v}
            | ({"in_force": "1"} if in_force else {})
        ),
    }
    return render(request, "benefits/entitlements.html", context)


@login_required
@require_GET
def person_entitlements(request: HttpRequest, person_id: int) -> HttpResponse:
    user: Any = request.user
    person = _person(user, person_id)
    entitlements = list(
        Entitlement.objects.filter(person=person)
        .select_related("application")
        .order_by("benefit", "start_month")
    )
    on = today()
    context = {
        "person": person,
        "entitlements": entitlements,
        "choices": BenefitChoice.objects.filter(person=person)[:10],
        "choose_higher": choose_higher_pending(person, on),
        "may_stop": may_stop(user),
        "stop_form": StopForm(initial={"end_month": f"{on:%Y-%m}"}),
        "choice_form": ChoiceForm(),
        "region_name": region_label(person.region_id),
    }
    return render(request, "benefits/person_entitlements.html", context)


@login_required
@require_POST
def entitlement_stop_view(request: HttpRequest, entitlement_id: int) -> HttpResponse:
    user: Any = request.user
    _prefix(user)
    entitlement = access_entitlement_by_id(user, entitlement_id)
    form = StopForm(request.POST)
    if form.is_valid():
        try:
            entitlement_stop(
                actor=user,
                entitlement=entitlement,
                end_month=form.cleaned_data["end_month"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已停发：自 {form.cleaned_data['end_month']:%Y-%m} 的次月起不再发放。")
    else:
        problems = "；".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"未停发：{problems}")
    return redirect("benefits:person_entitlements", person_id=entitlement.person_id)


@login_required
@require_POST
def choice_view(request: HttpRequest, person_id: int) -> HttpResponse:
    user: Any = request.user
    person = _person(user, person_id)
    form = ChoiceForm(request.POST)
    if form.is_valid():
        try:
            choice_record(
                actor=user, person=person, chosen=form.cleaned_data["chosen"], note=form.cleaned_data["note"]
            )
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已记录本人的择高选择，下次计算发放名册时生效。")
    else:
        messages.error(request, "请选择本人选择的待遇。")
    return redirect("benefits:person_entitlements", person_id=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _prefix(user)
    editable = may_edit_calendar(user)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("只有市级工作人员可以维护工作日历")
        if form.is_valid():
            day = calendar_day_add(actor=user, **form.cleaned_data)
            messages.success(request, f"已保存 {day.date:%Y-%m-%d}。")
            return redirect("benefits:calendar")
    limits = []
    prefix = region_prefix_for(user) or ""
    for code, name, _ in COUNTIES:
        if len(prefix) <= 4 or code == prefix[:6]:
            limits.append(
                {
                    "code": code,
                    "name": name,
                    "limits": step_limits(code),
                    "editable": may_set_limits(user, code),
                }
            )
    context = {
        "days": CalendarDay.objects.all(),
        "form": form,
        "editable": editable,
        "limits": limits,
        "steps": StepLimit.Step.choices,
    }
    return render(
        request,
        "benefits/calendar.html",
        context,
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def limits_view(request: HttpRequest, county_code: str) -> HttpResponse:
    user: Any = request.user
    _prefix(user)
    if county_code not in {code for code, _, _ in COUNTIES}:
        raise Http404("没有这个县级单位")
    if not may_set_limits(user, county_code):
        raise PermissionDenied("只有本县工作人员或市级工作人员可以设置办理时限")
    form = StepLimitForm(request.POST or None, initial=step_limits(county_code))
    if request.method == "POST" and form.is_valid():
        try:
            step_limits_set(actor=user, county_code=county_code, limits=form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存办理时限。")
            return redirect("benefits:calendar")
    names = region_names({county_code})
    context = {"form": form, "county": names.get(county_code, county_code)}
    return render(request, "benefits/limits.html", context, status=400 if form.is_bound else 200)


urlpatterns: list[URLPattern] = [
    path("entitlements/", entitlement_list, name="entitlements"),
    path("entitlements/person/<int:person_id>/", person_entitlements, name="person_entitlements"),
    path("entitlements/person/<int:person_id>/choice/", choice_view, name="entitlement_choice"),
    path("entitlements/<int:entitlement_id>/stop/", entitlement_stop_view, name="entitlement_stop"),
    path("calendar/", calendar_view, name="calendar"),
    path("calendar/limits/<str:county_code>/", limits_view, name="step_limits"),
]
