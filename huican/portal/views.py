"""Portal pages shared by every service: the home page and the display preferences."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from huican.portal import preferences


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"portal_section": "home"})


@require_POST
def switch_preferences(request: HttpRequest) -> HttpResponse:
    """Turn 长辈版 or high contrast on or off and go back to the page the person was on."""
    prefs = preferences.toggled(preferences.read(request), request.POST.get("toggle", ""))
    back = request.POST.get("next", "")
    if not back.startswith("/portal/") or not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = "/portal/"
    response = redirect(back)
    preferences.remember(response, prefs)
    return response
