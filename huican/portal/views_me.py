"""我的: the signed-in person's certificate, benefits and payments, applications, notices, services
and the changes since the last sign-in. The person always comes from the session
(``session.citizen_required``), never from the URL or a form; an id in a URL (a notice) must be the
person's own, otherwise 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huican.accounts.decorators import client_ip
from huican.benefits import letters
from huican.core.audit import audit_record
from huican.portal import mine
from huican.portal.session import Citizen, citizen_required

try:  # the electronic certificate is another part of the portal: linked once it exists
    from huican.portal.views_cert import certificate_page
except ImportError:  # pragma: no cover - only while that part is missing
    certificate_page = None  # type: ignore[assignment]


def _citizen(request: HttpRequest) -> Citizen:
    citizen: Citizen = request.citizen  # type: ignore[attr-defined]
    return citizen


def _audit(request: HttpRequest, citizen: Citizen, action: str, **detail: Any) -> None:
    audit_record(
        actor=citizen.actor,
        action=action,
        object_type="registry.Person",
        object_id=citizen.person.pk,
        region_code=citizen.person.region_id,
        detail={"authorisation": citizen.authorisation.pk if citizen.authorisation else None, **detail},
        ip_address=client_ip(request),
    )


@require_GET
@citizen_required
def me(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request)
    person = citizen.person
    today = timezone.localdate()
    if citizen.authorisation is not None:
        _audit(request, citizen, "portal.agent_view")
    applications = mine.applications(person, today)
    context = {
        "portal_section": "me",
        "citizen": citizen,
        "person": person,
        "certificate": mine.certificate_info(person, today),
        "has_e_certificate": certificate_page is not None,
        "benefits_now": mine.benefits_this_month(person, today),
        "payments": mine.payments(person, today),
        "applications": applications,
        "notices": [a for a in applications if a.has_notice],
        "changes": mine.changes_since(person, citizen.messages_since, timezone.now()),
        "services": mine.service_records(person),
        "today": today,
    }
    return render(request, "portal/me.html", context)


@require_GET
@citizen_required
def notice(request: HttpRequest, application_id: int) -> HttpResponse:
    """不予批准通知书 of the person's own rejected application (PDF); anybody else's is a 404."""
    citizen = _citizen(request)
    application = mine.notice_application(citizen.person, application_id)
    if application is None:
        raise Http404(_("未找到该通知书"))
    pdf = letters.rejection_notice_pdf(application)
    _audit(request, citizen, "portal.rejection_notice", application=application.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = quote(f"不予批准通知书-{application.pk}.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@require_GET
@citizen_required
def my_certificate(request: HttpRequest) -> HttpResponse:
    """The electronic certificate of the signed-in person (the page of ``views_cert``)."""
    if certificate_page is None:  # pragma: no cover - only while that part is missing
        raise Http404(_("电子证照暂未开通"))
    citizen = _citizen(request)
    _audit(request, citizen, "portal.certificate_view")
    return certificate_page(request, citizen.person)
