"""Electronic certificate pages: the public verification page, the public signing-key page, and the
certificate page (for staff now, under their login and region; for the holder once citizens can
sign in, through `certificate_page`)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from huican.accounts.decorators import client_ip
from huican.core.audit import audit_record
from huican.portal import cert_keys, certificates
from huican.registry import selectors
from huican.registry.models import Person

logger = logging.getLogger("huican.portal.cert")


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Check a pasted or scanned code (GET ``?c=``). Public and not audited: nothing is shown beyond
    what the code the asker holds already says, and an audit entry per anonymous request would let
    anyone grow the log at will. The outcome alone goes to the `huican.portal.cert` logger (INFO)."""
    code = request.GET.get("c", "")
    result = None
    if code.strip():
        result = certificates.verify(code, today=timezone.localdate())
        logger.info("cert.verify outcome=%s", result.outcome.value)
    context = {"portal_section": "cert_verify", "code": code, "result": result}
    return render(request, "portal/cert_verify.html", context)


@require_GET
def key(request: HttpRequest) -> HttpResponse:
    context = {
        "portal_section": "cert_verify",
        "current": cert_keys.current_public_key(),
        "previous": cert_keys.previous_public_keys(),
    }
    return render(request, "portal/cert_key.html", context)


@require_GET
def key_pem(request: HttpRequest) -> HttpResponse:
    """The current public key, then the previous ones still accepted, as a PEM file."""
    keys = [cert_keys.current_public_key(), *cert_keys.previous_public_keys()]
    response = HttpResponse("".join(k.pem for k in keys), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="huican-cert-public-key.pem"'
    return response


def _base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def certificate_page(
    request: HttpRequest, person: Person, *, template: str = "portal/cert.html"
) -> HttpResponse:
    """The person's electronic certificate. The caller has established that the request may see
    this person (the holder signed in, or staff in their region) and audited the read."""
    view = certificates.certificate_view(person, base=_base(request), today=timezone.localdate())
    return render(request, template, {"portal_section": "cert", "person": person, "certificate": view})


@login_required
@require_GET
def staff_certificate(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's electronic certificate for staff to show or print: whoever may see the person (404
    otherwise, as the person page), audited as a read of personal data."""
    person = selectors.access_person_by_id(request.user, person_id)
    audit_record(
        actor=request.user,
        action="portal.certificate_view",
        object_type="registry.Person",
        object_id=person.pk,
        region_code=person.region_id,
        ip_address=client_ip(request),
    )
    return certificate_page(request, person, template="portal/cert_staff.html")
