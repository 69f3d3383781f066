"""网上申请, after sending: the confirmation (application number, who has it now and by when), and
from 我的: withdraw (a confirmation page first) and supply what a 退回补正 asked for. The application
id in the URL must be the signed-in person's own (``applying.own_application``), otherwise 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huican.benefits.models import Application
from huican.benefits.services import ApplicationError
from huican.portal import applying, mine
from huican.portal.session import Citizen, citizen_required
from huican.portal.views_apply import FIELD_LABELS, citizen_of, read_upload, size_text


def _own_or_404(citizen: Citizen, application_id: int) -> Application:
    application = applying.own_application(citizen, application_id)
    if application is None:
        raise Http404(_("未找到该申请"))
    return application


def _view_of(citizen: Citizen, application: Application, today: dt.date) -> mine.ApplicationView:
    for view in mine.applications(citizen.person, today):
        if view.application.pk == application.pk:
            return view
    raise Http404(_("未找到该申请"))


@require_GET
@citizen_required
def apply_done(request: HttpRequest, application_id: int) -> HttpResponse:
    """Sent: the application number, who has it now and by when, and what comes next."""
    citizen = citizen_of(request)
    application = _own_or_404(citizen, application_id)
    view = _view_of(citizen, application, timezone.localdate())
    current = next((s for s in view.steps if s.state == "current"), None)
    context = {
        "portal_section": "apply",
        "citizen": citizen,
        "application": application,
        "view": view,
        "current": current,
        "documents": application.documents.order_by("uploaded_at", "id"),
    }
    return render(request, "portal/apply_done.html", context)


@require_http_methods(["GET", "POST"])
@citizen_required
def apply_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    """撤回: a confirmation page, then the withdrawal (only the person's own, only while open)."""
    citizen = citizen_of(request)
    application = _own_or_404(citizen, application_id)
    context: dict[str, Any] = {
        "portal_section": "me",
        "citizen": citizen,
        "application": application,
        "problem": "",
        "reason": "",
    }
    status = 200
    if request.method == "POST" and application.is_open:
        reason = request.POST.get("reason", "")[:500]
        try:
            applying.citizen_withdraw(citizen=citizen, application=application, reason=reason)
        except ApplicationError as refused:
            context.update(problem=str(refused), reason=reason)
            status = 400
        else:
            return redirect("portal:apply_withdraw", application_id=application.pk)
    return render(request, "portal/apply_withdraw.html", context, status=status)


@require_http_methods(["GET", "POST"])
@citizen_required
def apply_supply(request: HttpRequest, application_id: int) -> HttpResponse:
    """补正: what the reviewer asked for, and the documents (and a note) that answer it."""
    citizen = citizen_of(request)
    application = _own_or_404(citizen, application_id)
    fields: list[dict[str, Any]] = [
        {"name": f"doc_{kind}", "kind": kind, "label": FIELD_LABELS[kind], "required": False}
        for kind, _required in applying.DOCUMENTS[application.benefit]
    ]
    context: dict[str, Any] = {
        "portal_section": "me",
        "citizen": citizen,
        "application": application,
        "asked": applying.return_reason(application),
        "fields": fields,
        "size_text": size_text(),
        "done": request.GET.get("done") == "1" and application.status != Application.Status.RETURNED,
        "note": "",
        "problems": {},
        "errors": [],
    }
    status = 200
    if request.method == "POST" and application.status == Application.Status.RETURNED:
        note = request.POST.get("note", "")[:1000]
        uploads: list[applying.Upload] = []
        problems: dict[str, str] = {}
        for field in fields:
            for upload in request.FILES.getlist(field["name"]):
                data = read_upload(upload)
                try:
                    applying.check_document(data)
                except ApplicationError as refused:
                    problems[field["name"]] = f"{upload.name}：{refused}"
                uploads.append(applying.Upload(kind=field["kind"], name=upload.name or "", data=data))
        if not problems:
            try:
                applying.citizen_supply(
                    citizen=citizen, application=application, documents=uploads, note=note
                )
            except ApplicationError as refused:
                field_name = refused.field if refused.field.startswith("doc_") else "doc_other"
                problems[field_name] = str(refused)
            else:
                return redirect(reverse("portal:apply_supply", args=[application.pk]) + "?done=1")
        errors = [(name, f"#id_{name}", message) for name, message in problems.items()]
        context.update(note=note, problems=problems, errors=errors)
        status = 400
    return render(request, "portal/apply_supply.html", context, status=status)


urlpatterns = [
    path("applications/<int:application_id>/sent/", apply_done, name="apply_done"),
    path("applications/<int:application_id>/withdraw/", apply_withdraw, name="apply_withdraw"),
    path("applications/<int:application_id>/supply/", apply_supply, name="apply_supply"),
]
