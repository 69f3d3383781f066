"""One page per indicator: its trend (chart and data table) with the projection, the county ranking
(chart and table), the persons behind the numerator and denominator, the definition and target,
the breakdown by disability category and the county's own target. The overview links each tile here.

Scope is the dashboard's: a county user reaches only their county's pages (404 elsewhere).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huican.accounts.access import can
from huican.accounts.decorators import require_can
from huican.monitoring import charts
from huican.monitoring.breakdowns import category_breakdown
from huican.monitoring.reports.summary import build_summary
from huican.monitoring.selectors import check_region, region_choices_for, sees_whole_city
from huican.monitoring.unit_targets import unit_target_for
from huican.monitoring.views import _period
from huican.regions.divisions import COUNTY_CODES


@require_can("view_aggregates")
@require_GET
def indicator(request: HttpRequest, region: str, code: str) -> HttpResponse:
    region = check_region(request.user, region)
    form, year, as_of, today = _period(request)
    whole_city = sees_whole_city(request.user)
    summary = build_summary(region=region, year=year, today=today, as_of=as_of, show_ranking=whole_city)
    item = next((item for item in summary.items if item.code == code), None)
    if item is None:
        raise Http404(_("没有这个指标"))
    charts.decorate_summary(summary)
    period = {"year": year, **({"as_of": as_of.isoformat()} if as_of else {})}
    context: dict[str, Any] = {
        "summary": summary,
        "item": item,
        "indicator": item.indicator,
        "row": item.row,
        "description": getattr(item.indicator, "description", ""),
        "form": form,
        "query": urlencode(period),
        "period": period,
        "regions": region_choices_for(request.user) if whole_city else [],
        "may_list": can(request.user, "browse_registry"),
        "may_download": whole_city,
        "current_year": today.year,
        # by disability category (huican.monitoring.breakdowns)
        "breakdown": category_breakdown(year=year, code=code, region=region, as_of=as_of),
        # a county's own target (县级实施方案) belongs to the county-level units only
        "show_unit_target": region in COUNTY_CODES,
        "unit_target": unit_target_for(plan_code=summary.plan.code, indicator=code, region=region)
        if region in COUNTY_CODES
        else None,
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "monitoring/indicator.html", context, status=status)
