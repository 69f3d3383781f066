"""The county targets page (县级目标): indicators × county-level units, the counties' shares summed
against the city's count targets, and a form for city staff to add, modify or delete one target.

Thin: every write goes through ``huican.monitoring.unit_targets`` (permission, validation, audit).
County and township staff see their own county's targets read-only; evaluators see every county's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import require_can
from huican.core.redirects import redirect_to_message
from huican.monitoring.plan import Plan, PlanNotFound, all_plans, current_plan, plan_by_code
from huican.monitoring.reports.summary import target_text
from huican.monitoring.unit_targets import (
    UnitTargetError,
    may_enter_unit_targets,
    share_checks,
    unit_target_delete,
    unit_target_for,
    unit_target_set,
    unit_target_text,
    unit_targets,
)
from huican.regions.divisions import CITY_CODE, COUNTIES, COUNTY_NAMES


class UnitTargetForm(forms.Form):
    """One county-level unit's target for one indicator (add or modify)."""

    indicator = forms.ChoiceField(label=gettext_lazy("指标"))
    region = forms.ChoiceField(label=gettext_lazy("县级单位"))
    target = forms.CharField(
        label=gettext_lazy("县级目标"),
        max_length=20,
        help_text=gettext_lazy("百分比指标填 0–100 的数（不带 %）；人数、户数等填整数"),
    )
    source = forms.CharField(
        label=gettext_lazy("依据"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("例如：县级实施方案的文号"),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indicator = self.fields["indicator"]
        assert isinstance(indicator, forms.ChoiceField)
        indicator.choices = [
            (item.code, f"{item.number}. {item.name}（{item.unit}）") for item in plan.indicators
        ]
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [(code, name) for code, name, _ in COUNTIES]


def _plan(request: HttpRequest) -> Plan:
    code = request.POST.get("plan") or request.GET.get("plan")
    if not code:
        return current_plan()
    try:
        return plan_by_code(code)
    except PlanNotFound:
        raise Http404(_("没有该规划")) from None


def _visible_counties(user: Any) -> list[tuple[str, str]]:
    """The county-level units whose targets the user sees: all for a city-wide scope, else their own."""
    prefix = region_prefix_for(user) or ""
    if len(prefix) <= 4:
        return [(code, name) for code, name, _ in COUNTIES]
    county = prefix[:6]
    return [(county, COUNTY_NAMES.get(county, county))]


def _initial(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    """The form filled from the "修改" link (?indicator=…&region=…): the target entered, if any."""
    indicator, region = request.GET.get("indicator", ""), request.GET.get("region", "")
    initial: dict[str, Any] = {"indicator": indicator, "region": region}
    entry = unit_target_for(plan_code=plan.code, indicator=indicator, region=region) if indicator else None
    if entry is not None:
        initial.update(target=f"{entry.target.normalize():f}", source=entry.source)
    return initial


def _city_target(indicator: Any) -> str:
    if indicator.comparison == "gdp":
        return _("与全市地区生产总值增长同步")
    return target_text(indicator, indicator.target, CITY_CODE)


@require_can("view_aggregates")
@require_http_methods(["GET", "POST"])
def unit_targets_page(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    may_enter = may_enter_unit_targets(request.user)
    if request.method == "POST" and not may_enter:
        raise PermissionDenied(_("无权录入县级目标"))
    form = UnitTargetForm(
        request.POST if request.method == "POST" and request.POST.get("action") == "save" else None,
        plan=plan,
        initial=_initial(request, plan),
    )
    here = f"{reverse('monitoring:unit_targets')}?plan={plan.code}"
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            try:
                deleted = unit_target_delete(
                    plan_code=plan.code,
                    indicator=request.POST.get("indicator", ""),
                    region=request.POST.get("region", ""),
                    actor=request.user,
                )
            except UnitTargetError as exc:
                messages.error(request, str(exc))
            else:
                if deleted:
                    messages.success(request, _("已删除该县级目标。"))
                else:
                    messages.error(request, _("没有这条县级目标（可能已被删除）。"))
            return redirect_to_message(here)
        if action != "save":
            raise Http404(_("没有该操作"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                unit_target_set(
                    plan_code=plan.code,
                    indicator=data["indicator"],
                    region=data["region"],
                    target=data["target"],
                    source=data["source"],
                    actor=request.user,
                )
            except UnitTargetError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(
                    request,
                    _("已保存{region}“{name}”的县级目标。").format(
                        region=COUNTY_NAMES.get(data["region"], data["region"]),
                        name=plan.indicator(data["indicator"]).name,
                    ),
                )
                return redirect_to_message(here)
    counties = _visible_counties(request.user)
    shown = {code for code, _ in counties}
    entries = [entry for entry in unit_targets(plan.code) if entry.region in shown]
    by_cell = {(entry.indicator, entry.region): entry for entry in entries}
    indicators = {item.code: item for item in plan.indicators}
    grid = [
        {
            "indicator": item,
            "city_target": _city_target(item),
            "cells": [
                unit_target_text(by_cell[(item.code, code)], item) if (item.code, code) in by_cell else "—"
                for code, _ in counties
            ],
        }
        for item in plan.indicators
    ]
    listed = [
        {
            "entry": entry,
            "indicator": indicators[entry.indicator],
            "region_name": COUNTY_NAMES.get(entry.region, entry.region),
            "target_text": unit_target_text(entry, indicators[entry.indicator]),
        }
        for entry in entries
        if entry.indicator in indicators  # an indicator a reloaded plan no longer has is not shown
    ]
    context = {
        "plan": plan,
        "plans": all_plans(),
        "counties": counties,
        "grid": grid,
        "entries": listed,
        "checks": share_checks(plan) if len(counties) > 1 else [],
        "form": form if may_enter else None,
        "may_enter": may_enter,
        "may_download": can(request.user, "view_aggregates")
        and len(region_prefix_for(request.user) or "99999") <= 4,
    }
    return render(request, "monitoring/unit_targets.html", context, status=400 if form.is_bound else 200)
