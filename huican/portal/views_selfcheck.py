"""政策计算器 page: the questions, and the answer computed by the policy rules — nothing stored.

Answers travel only in the POST body (never in the URL, so no access log line holds them), are not
put in the session, not logged and not audited; the result page is marked not to be cached.

No CSRF token: the page changes nothing anywhere (a forged request could only compute an answer
the forger never sees), and without it the page works with cookies blocked and never expires — a
form left open for an hour still submits (no time limit, WCAG 2.2.1).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from huican.portal import preferences
from huican.portal.forms import SelfCheckForm
from huican.portal.selfcheck import self_check


def _initial(request: HttpRequest) -> dict[str, Any]:
    """The answers posted back from a result page ("修改我的回答"), to fill the form again."""
    initial: dict[str, Any] = {name: request.POST.get(name, "") for name in SelfCheckForm.ORDER}
    initial["other_support"] = request.POST.getlist("other_support")
    return initial


def _hidden_answers(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name in SelfCheckForm.ORDER
        for value in request.POST.getlist(name)
        if len(value) <= 20
    ]


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def selfcheck(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"portal_section": "selfcheck", "errors": []}
    if request.method == "GET":
        return render(request, "portal/selfcheck_form.html", {**context, "form": SelfCheckForm()})
    if request.POST.get("edit") == "1":  # 修改我的回答
        form = SelfCheckForm(initial=_initial(request))
        return render(request, "portal/selfcheck_form.html", {**context, "form": form})
    # 长辈版 / 高对比度 switched on the result page: switched here, so the result stays on screen
    toggle = request.POST.get("toggle", "")
    prefs = preferences.toggled(preferences.read(request), toggle) if toggle else None
    if prefs is not None:
        context["portal_prefs"] = prefs
    form = SelfCheckForm(request.POST)
    if form.is_valid():
        context.update(result=self_check(form.answers()), hidden_answers=_hidden_answers(request))
        response = render(request, "portal/selfcheck_result.html", context)
    elif prefs is not None:  # a switch with answers that do not hold: switch, and start again
        response = render(request, "portal/selfcheck_form.html", {**context, "form": SelfCheckForm()})
    else:
        context.update(form=form, errors=form.error_summary())
        response = render(request, "portal/selfcheck_form.html", context, status=400)
    if prefs is not None:
        preferences.remember(response, prefs)
    return response
