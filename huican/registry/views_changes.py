"""Registry pages that change a person: new person, corrections, certificate changes, documents.

Thin: every rule is in ``registry.services``; a person outside the user's region is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.access import STAFF_ROLES, can
from huican.accounts.decorators import client_ip
from huican.core import documents
from huican.core.audit import audit_record
from huican.registry import selectors, services
from huican.registry.forms import (
    CertificateForm,
    HouseholdForm,
    PersonCorrectForm,
    PersonCreateForm,
    PersonDocumentForm,
)
from huican.registry.models import Person


def _editable(request: HttpRequest, person_id: int) -> Person:
    person = selectors.access_person_by_id(request.user, person_id)
    if not services.may_edit(request.user, person):
        raise PermissionDenied(_("您的角色无权修改人员信息"))
    return person


def _show_problems(form: forms.Form, error: services.PersonEditError) -> None:
    for field, message in error.problems.items():
        form.add_error(field if field in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    if not (can(request.user, "browse_registry") and getattr(request.user, "role", None) in STAFF_ROLES):
        raise PermissionDenied(_("您的角色无权新增人员"))
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            person = services.person_create(
                actor=request.user, values=values, reason=form.cleaned_data["reason"]
            )
        except services.PersonEditError as error:
            _show_problems(form, error)
        else:
            messages.success(request, _("已新增人员 %(name)s。") % {"name": person.name})
            return redirect("registry:person", person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registry/person_form.html", {"form": form, "title": _("新增持证残疾人")}, status=status
    )


def _change_view(
    request: HttpRequest,
    person_id: int,
    form_class: type[forms.Form],
    title: str,
    initial: dict[str, Any],
    apply: Any,
) -> HttpResponse:
    person = _editable(request, person_id)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            apply(person, data, reason)
        except services.PersonEditError as error:
            _show_problems(form, error)
        else:
            messages.success(request, _("已保存，变更已记入变更记录。"))
            return redirect("registry:person", person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registry/person_form.html", {"form": form, "title": title, "person": person}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_correct(request: HttpRequest, person_id: int) -> HttpResponse:
    def apply(person: Person, data: dict[str, Any], reason: str) -> None:
        changes: dict[str, Any] = {"name": data["name"], "relation": data["relation"]}
        if data["clear_phone"]:
            changes["phone"] = ""
        elif data["phone"]:
            changes["phone"] = data["phone"]
        services.person_correct(actor=request.user, person=person, changes=changes, reason=reason)

    person = selectors.access_person_by_id(request.user, person_id)
    initial = {"name": person.name, "relation": person.relation}
    return _change_view(request, person_id, PersonCorrectForm, _("更正个人信息"), initial, apply)


@login_required
@require_http_methods(["GET", "POST"])
def person_household(request: HttpRequest, person_id: int) -> HttpResponse:
    def apply(person: Person, data: dict[str, Any], reason: str) -> None:
        services.household_correct(actor=request.user, person=person, changes=data, reason=reason)

    person = selectors.access_person_by_id(request.user, person_id)
    initial = {
        "region_id": person.region_id,
        "urban_rural": person.urban_rural,
        "household_number": person.household_number,
    }
    return _change_view(request, person_id, HouseholdForm, _("更正户籍信息"), initial, apply)


@login_required
@require_http_methods(["GET", "POST"])
def person_certificate(request: HttpRequest, person_id: int) -> HttpResponse:
    def apply(person: Person, data: dict[str, Any], reason: str) -> None:
        services.certificate_change(actor=request.user, person=person, changes=data, reason=reason)

    person = selectors.access_person_by_id(request.user, person_id)
    initial = {
        "category": person.category,
        "grade": person.grade,
        "issue_date": person.issue_date,
        "status": person.status,
        "status_date": person.status_date,
    }
    return _change_view(
        request, person_id, CertificateForm, _("证件变更（等级、类别、换证、注销/迁出/死亡）"), initial, apply
    )


@login_required
@require_POST
def person_document_upload(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _editable(request, person_id)
    form = PersonDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_attach(
                actor=request.user, person=person, data=upload.read(), name=upload.name or ""
            )
        except services.PersonEditError as error:
            messages.error(request, "；".join(error.problems.values()))
        else:
            messages.success(request, _("材料已上传（加密保存）。"))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect(reverse("registry:person", args=[person.pk]) + "#changes-heading")


@login_required
@require_GET
def person_document(request: HttpRequest, person_id: int, document_id: int) -> HttpResponse:
    person = selectors.access_person_by_id(request.user, person_id)
    document = get_object_or_404(person.documents, pk=document_id)
    data = documents.read(services.DOCUMENT_AREA, document.stored_name)
    audit_record(
        actor=request.user,
        action="registry.document_view",
        object_type="registry.Person",
        object_id=person.pk,
        region_code=person.region_id,
        detail={"document": document.pk},
        ip_address=client_ip(request),
    )
    response = HttpResponse(data, content_type=document.content_type)
    suffix = documents.SUFFIXES.get(document.content_type, "")
    response["Content-Disposition"] = (
        f'attachment; filename="person-{person.pk}-document-{document.pk}{suffix}"'
    )
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("persons/new/", person_create, name="person_create"),
    path("persons/<int:person_id>/edit/", person_correct, name="person_correct"),
    path("persons/<int:person_id>/household/", person_household, name="person_household"),
    path("persons/<int:person_id>/certificate/", person_certificate, name="person_certificate"),
    path("persons/<int:person_id>/documents/", person_document_upload, name="person_document_upload"),
    path("persons/<int:person_id>/documents/<int:document_id>/", person_document, name="person_document"),
]
