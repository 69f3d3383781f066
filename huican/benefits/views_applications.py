"""Pages of the applications and their approval chain (thin: the rules are in ``services``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from huican.accounts.access import can
from huican.benefits.selectors import waiting_for, with_deadlines
from huican.benefits.services import today


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The applications waiting at a step the user holds, overdue first."""
    if not can(request.user, "view_benefits"):
        raise PermissionDenied
    rows = with_deadlines(list(waiting_for(request.user)[:500]), today=today())
    return render(request, "benefits/index.html", {"rows": rows})


urlpatterns = [path("", index, name="index")]
