"""Policy pages: the standards over time per county, adding a standards row, and 资金测算 (what if)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huican.accounts.access import region_prefix_for
from huican.accounts.decorators import client_ip, require_can
from huican.core.audit import audit_record
from huican.core.redirects import redirect_to_message
from huican.exchange.kinds import STANDARD_FIELDS, STANDARD_FIELDS_BY_NAME
from huican.policy.facts import load_facts
from huican.policy.models import Standard
from huican.policy.selectors import standards_for
from huican.policy.services import (
    MONEY_MAX,
    StandardError,
    clean_value,
    region_choices,
    region_name,
    standard_create,
)
from huican.policy.whatif import region_for_facts, what_if
from huican.regions.divisions import CITY_CODE

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _form_field(field: Any) -> forms.Field:
    label = f"{field.label}（{field.unit}）" if field.unit else field.label
    if field.kind == "money":
        return forms.DecimalField(
            label=label, max_digits=10, decimal_places=2, min_value=0, max_value=MONEY_MAX
        )
    if field.kind == "decimal":
        return forms.DecimalField(
            label=label,
            max_digits=6,
            decimal_places=field.places,
            min_value=field.minimum,
            max_value=field.maximum,
            initial=field.default,
        )
    if field.kind == "switch":
        return forms.BooleanField(label=label, required=False, initial=field.default)
    return forms.IntegerField(
        label=label, min_value=field.minimum, max_value=field.maximum, initial=field.default
    )


class StandardForm(forms.Form):
    region_code = forms.ChoiceField(label=gettext_lazy("适用地区"))
    effective_date = forms.DateField(label=gettext_lazy("生效日期"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=gettext_lazy("依据或说明"), required=False, max_length=500, help_text=gettext_lazy("例如文件号")
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region_code"]).choices = regions
        for field in STANDARD_FIELDS:
            self.fields[field.name] = _form_field(field)
        self.order_fields(["region_code", "effective_date", *[f.name for f in STANDARD_FIELDS], "reason"])


def _regions_for(user: Any) -> list[tuple[str, str]]:
    """Regions whose standards the user may set: all for city staff, else their own county."""
    prefix = region_prefix_for(user) or ""
    if len(prefix) <= 4:
        return region_choices()
    return [(code, name) for code, name in region_choices() if code == prefix[:6]]


@require_can("view_standards")
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows: dict[str, list[Standard]] = defaultdict(list)
    for standard in standards_for(request.user).select_related("created_by", "batch"):
        rows[standard.region_code].append(standard)
    tables = []
    for code, _name in region_choices():
        standards = rows.get(code, [])
        in_force = [s for s in standards if s.effective_date <= today]
        current = in_force[-1].pk if in_force else None
        tables.append({"code": code, "name": region_name(code), "rows": standards, "current": current})
    context = {"tables": tables, "today": today, "fields": STANDARD_FIELDS}
    return render(request, "policy/standards.html", context)


@require_can("manage_standards")
def standard_new(request: HttpRequest) -> HttpResponse:
    regions = _regions_for(request.user)
    initial = {f.name: f.default for f in STANDARD_FIELDS if f.default is not None}
    form = StandardForm(request.POST if request.method == "POST" else None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            standard = standard_create(
                actor=request.user,
                region_code=data["region_code"],
                effective_date=data["effective_date"],
                reason=data.get("reason", ""),
                ip_address=client_ip(request),
                **{f.name: data[f.name] for f in STANDARD_FIELDS},
            )
        except StandardError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已添加{region}自 {date} 起的标准。").format(
                    region=region_name(standard.region_code), date=standard.effective_date.isoformat()
                ),
            )
            return redirect_to_message("policy:index")
    status = 400 if request.method == "POST" else 200
    return render(request, "policy/standard_form.html", {"form": form}, status=status)


class WhatIfForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("调整的标准项"))
    value = forms.CharField(
        label=gettext_lazy("新的取值"),
        max_length=20,
        help_text=gettext_lazy("金额以元为单位（最多两位小数）；开关项填“是”或“否”；年龄填整数"),
    )
    on = forms.DateField(label=gettext_lazy("测算日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["field"]).choices = [
            (f.name, f"{f.label}（{f.unit}）" if f.unit else f.label) for f in STANDARD_FIELDS
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "field" in cleaned and "value" in cleaned:
            try:
                cleaned["new_value"] = clean_value(
                    STANDARD_FIELDS_BY_NAME[cleaned["field"]], cleaned["value"]
                )
            except StandardError as exc:
                self.add_error("value", str(exc))
        on = cleaned.get("on")
        if isinstance(on, dt.date) and not dt.date(2000, 1, 1) <= on <= dt.date(2100, 12, 31):
            self.add_error("on", _("测算日期应在 2000 年至 2100 年之间"))
        return cleaned


@require_can("view_aggregates")
def whatif(request: HttpRequest) -> HttpResponse:
    """资金测算: computed on GET (nothing changes), for the user's own region."""
    prefix = region_prefix_for(request.user) or ""
    bound = "field" in request.GET
    form = WhatIfForm(request.GET if bound else None, initial={"on": timezone.localdate()})
    context: dict[str, Any] = {"form": form, "region": _region_label(prefix)}
    if bound and form.is_valid():
        data = form.cleaned_data
        facts = load_facts(on=data["on"], region=region_for_facts(prefix))
        context["result"] = what_if(facts=facts, changes={data["field"]: data["new_value"]})
        audit_record(
            actor=request.user,
            action="policy.what_if",
            object_type="policy.Standard",
            region_code=prefix,
            detail={"field": data["field"], "value": str(data["new_value"]), "on": data["on"].isoformat()},
            ip_address=client_ip(request),
        )
    status = 400 if bound and not form.is_valid() else 200
    return render(request, "policy/whatif.html", context, status=status)


def _region_label(prefix: str) -> str:
    if len(prefix) <= 4:
        return region_name(CITY_CODE).split("（")[0]
    from huican.regions.models import Region

    region = Region.objects.filter(code=prefix).first()
    return region.name if region else prefix
