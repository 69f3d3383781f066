"""Citizen sign-in pages: ID number + certificate number → code → 我的; 代他人办理; sign-out; and
extending the session (WCAG 2.2.1). Thin: the rules are in ``portal.signin`` and ``portal.session``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from huican.accounts.decorators import client_ip
from huican.portal import applying, session, signin, sms

FIELD_ORDER = ("id_number", "certificate_number", "code")


def _locked(request: HttpRequest, until: dt.datetime) -> HttpResponse:
    local = timezone.localtime(until)
    minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    return render(
        request,
        "portal/signin_locked.html",
        {"until": local, "minutes": minutes, "portal_section": "signin"},
        status=429,
    )


def _staff_signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated)


@require_http_methods(["GET", "POST"])
def signin_start(request: HttpRequest, mode: str = signin.SELF) -> HttpResponse:
    """Step 1: ID number and certificate number (the agent's own ID and the person's certificate)."""
    context: dict[str, Any] = {"mode": mode, "portal_section": "signin", "values": {}, "problems": {}}
    if _staff_signed_in(request):
        return render(request, "portal/signin_staff.html", context)
    if session.current(request) is not None:
        return redirect("portal:me")
    context["idle_out"] = request.session.pop(session.IDLE_OUT, False)
    if request.method == "POST":
        values = {name: request.POST.get(name, "")[:64] for name in ("id_number", "certificate_number")}
        try:
            started = signin.start(
                mode=mode,
                id_text=values["id_number"],
                certificate_text=values["certificate_number"],
                ip=client_ip(request),
            )
        except sms.SmsNotAvailable:
            context["unavailable"] = True
            return render(request, "portal/signin.html", context, status=503)
        if started.locked_until is not None:
            return _locked(request, started.locked_until)
        if started.problems:
            context.update(values=values, problems=_ordered(started.problems))
            return render(request, "portal/signin.html", context, status=400)
        request.session[session.PENDING] = started.pending
        return redirect("portal:signin_code")
    return render(request, "portal/signin.html", context)


def _ordered(problems: dict[str, str]) -> dict[str, str]:
    return {name: problems[name] for name in FIELD_ORDER if name in problems}


@require_http_methods(["GET", "POST"])
def signin_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the SMS. The page reads the same whether step 1 matched or not."""
    pending = request.session.get(session.PENDING)
    if _staff_signed_in(request):
        return render(request, "portal/signin_staff.html", {"portal_section": "signin"})
    if not isinstance(pending, dict):
        return redirect("portal:signin")
    mode = pending.get("mode", signin.SELF)
    context: dict[str, Any] = {"mode": mode, "portal_section": "signin", "problems": {}}
    if request.method == "POST":
        verified = signin.verify(
            pending=pending, code_text=request.POST.get("code", "")[:32], ip=client_ip(request)
        )
        request.session[session.PENDING] = pending  # the tries counted
        if verified.locked_until is not None:
            request.session.pop(session.PENDING, None)
            return _locked(request, verified.locked_until)
        if verified.person is not None:
            session.sign_in(request, verified.person, verified.authorisation, verified.previous_visit)
            return redirect("portal:me")
        context.update(problems={"code": verified.problem}, restart=verified.restart)
        if verified.restart:
            request.session.pop(session.PENDING, None)
        return render(request, "portal/signin_code.html", context, status=400)
    return render(request, "portal/signin_code.html", context)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    if not _staff_signed_in(request):
        applying.discard_draft(request.session)  # signing out on purpose gives up an unsent application
        session.sign_out(request)
    return render(request, "portal/signout.html", {"portal_section": "signin"})


@require_http_methods(["GET", "POST"])
def extend(request: HttpRequest) -> HttpResponse:
    """继续使用: any request while signed in restarts the idle time; this page says so and goes back."""
    citizen = session.current(request)
    if citizen is None:
        return redirect("portal:signin")
    if request.method == "POST":
        back = request.POST.get("next", "")
        if not back.startswith("/portal/") or back.startswith("//"):
            back = "/portal/me/"
        return redirect(back)
    response = render(request, "portal/session_extend.html", {"citizen": citizen, "portal_section": "me"})
    response["Cache-Control"] = "no-store"
    return response
