"""新增就业: new jobs per county-level unit and year, and per form of employment (the placements of
就业援助, ``employment.aid.new_jobs``), in the user's region."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from huican.accounts.access import region_prefix_for
from huican.accounts.decorators import require_can
from huican.employment.aid import new_jobs_for
from huican.employment.models import PlacementKind
from huican.monitoring.plan import first_plan
from huican.monitoring.selectors import plan_years
from huican.monitoring.views import _may_download
from huican.regions.divisions import COUNTIES


def _row(label: str, counts: dict[int, int], years: list[int]) -> dict[str, Any]:
    cells = [counts.get(year, 0) for year in years]
    return {"label": label, "cells": cells, "total": sum(cells)}


@require_can("view_aggregates")
@require_GET
def new_jobs(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    years = plan_years(first_plan(), timezone.localdate())
    counted = new_jobs_for(user, years=years) or {"by_county": {}, "by_kind": {}, "total": {}}
    prefix = region_prefix_for(user) or "-"
    counties = [
        _row(name, counted["by_county"].get(code, {}), years)
        for code, name, _ in COUNTIES
        if code.startswith(prefix[:6])
    ]
    context = {
        "years": years,
        "counties": counties,
        "total": _row("合计", counted["total"], years),
        "kinds": [_row(kind.label, counted["by_kind"].get(kind.value, {}), years) for kind in PlacementKind],
        "may_download": _may_download(user),
    }
    return render(request, "monitoring/new_jobs.html", context)
