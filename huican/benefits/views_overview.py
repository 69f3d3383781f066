"""The benefits overview per county (figures only), linked from the monitoring dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from huican.benefits.overview import county_overview, overview_counties, step_labels
from huican.benefits.services import today


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not overview_counties(user):
        raise PermissionDenied("您的角色无权查看补贴经办概况")
    context = {"rows": county_overview(user, today=today()), "step_labels": step_labels(), "today": today()}
    return render(request, "benefits/overview.html", context)


urlpatterns: list[URLPattern] = [path("overview/", overview, name="overview")]
