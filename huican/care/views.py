"""Pages of the service records: the list of a region, a person's services, one form per kind, a
record with its stages. Thin: the rules are in ``care.services``, the scope in ``care.selectors``
(a person or record outside it is a 404)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.access import can
from huican.accounts.decorators import require_can
from huican.care import renovation, selectors, services
from huican.care.forms import (
    KIND_FORMS,
    SLUG_OF_KIND,
    AssignmentForm,
    DeviceStageForm,
    PlacementEndForm,
    ResultForm,
    ServiceFilterForm,
)
from huican.care.models import CARE, DEVICE, RENOVATION, VISIT, DeviceFitting, RenovationProject
from huican.core.redirects import redirect_to_message
from huican.registry.models import Person

PAGE_SIZE = 50


def show_problems(form: Any, error: services.CareError) -> None:
    for field, message in error.problems.items():
        form.add_error(field if field in form.fields else None, message)


@require_can("record_services")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The service records of the user's region (a service organisation: its own), filtered."""
    form = ServiceFilterForm(request.GET or None)
    records = selectors.services_for(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            records = records.filter(kind=data["kind"])
        if data["region"]:
            records = records.filter(person__region_id__startswith=data["region"])
        if data["date_from"]:
            records = records.filter(service_date__gte=data["date_from"])
        if data["date_to"]:
            records = records.filter(service_date__lte=data["date_to"])
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    page = Paginator(records.select_related("person__region"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/index.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "slugs": SLUG_OF_KIND,
            "service_org": selectors.organisation_of(request.user),
        },
    )


@require_can("record_services")
@require_GET
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person's services, the forms to record more, the household's renovation projects."""
    subject = selectors.access_care_person_by_id(request.user, person_id)
    return _person_page(request, subject, AssignmentForm())


def _person_page(
    request: HttpRequest, subject: Person, assignment_form: AssignmentForm, status: int = 200
) -> HttpResponse:
    records = (
        selectors.services_for(request.user)
        .filter(person=subject)
        .select_related("device", "placement", "visit", "renovation")
    )
    projects = selectors.renovations_for(request.user).filter(household_number=subject.household_number)
    staff = not selectors.is_service_org(request.user)
    context = {
        "person": subject,
        "records": records,
        "projects": projects,
        "kinds": [(slug, kind) for slug, (kind, _form) in KIND_FORMS.items()],
        "slugs": SLUG_OF_KIND,
        "assignments": selectors.assignments_of(subject) if staff else None,
        "assignment_form": assignment_form,
        "may_browse": can(request.user, "browse_registry"),
    }
    return render(request, "care/person.html", context, status=status)


@require_can("record_services")
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest, person_id: int, slug: str) -> HttpResponse:
    """The form of one kind of service for one person (走访探视: the small mobile page)."""
    if slug not in KIND_FORMS:
        raise Http404("未知的服务类型")
    subject = selectors.access_care_person_by_id(request.user, person_id)
    kind, form_class = KIND_FORMS[slug]
    service_org = selectors.is_service_org(request.user)
    options: dict[str, Any] = {} if kind == VISIT else {"service_org": service_org}
    initial: dict[str, Any] = {"service_date": timezone.localdate(), "applied_on": timezone.localdate()}
    if kind == VISIT:
        user: Any = request.user
        initial["visitor"] = user.get_full_name() or user.get_username()
    form = form_class(request.POST or None, initial=initial, **options)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if kind == RENOVATION:
                project = renovation.renovation_create(
                    actor=request.user,
                    person=subject,
                    applied_on=data["applied_on"],
                    organisation=data.get("organisation", ""),
                    project=data["project"],
                    notes=data["notes"],
                )
            else:
                record = services.service_record_create(
                    actor=request.user, person=subject, kind=kind, **_record_fields(data)
                )
        except services.CareError as error:
            show_problems(form, error)
        else:
            if kind == RENOVATION:
                messages.success(request, _("已登记无障碍改造申请。"))
                return redirect_to_message("care:renovation", project_id=project.pk)
            messages.success(
                request, _("已登记%(kind)s（%(day)s）。") % {"kind": kind, "day": record.service_date}
            )
            return redirect_to_message("care:person", person_id=subject.pk)
    template = "care/visit_form.html" if kind == VISIT else "care/service_form.html"
    status = 400 if request.method == "POST" else 200
    context = {"person": subject, "form": form, "kind": kind, "slug": slug}
    return render(request, template, context, status=status)


def _record_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The form's cleaned data as ``service_record_create``'s keywords."""
    names = (
        "service_date",
        "organisation",
        "project",
        "result",
        "amount",
        "notes",
        "device",
        "care_mode",
        "period_end",
        "visitor",
        "found",
        "follow_up_needed",
    )
    fields = {name: data[name] for name in names if name in data}
    for text in ("organisation", "project", "notes", "device", "care_mode", "visitor", "found"):
        if text in fields and fields[text] is None:
            fields[text] = ""
    return fields


def _record_page(request: HttpRequest, record: Any, status: int = 200, **forms: Any) -> HttpResponse:
    device_next = None
    if record.kind == DEVICE and record.stage != DeviceFitting.Stage.FOLLOW_UP:
        stages = list(DeviceFitting.Stage)
        device_next = stages[stages.index(DeviceFitting.Stage(record.stage or "assessment")) + 1]
    context = {
        "record": record,
        "person": record.person,
        "device_next": device_next,
        "stage_form": forms.get("stage_form") or DeviceStageForm(initial={"on": timezone.localdate()}),
        "end_form": forms.get("end_form") or PlacementEndForm(),
        "result_form": forms.get("result_form") or ResultForm(initial={"result": record.result}),
        "plain": record.kind not in (DEVICE, CARE, RENOVATION, VISIT),
    }
    return render(request, "care/record.html", context, status=status)


@require_can("record_services")
@require_GET
def record(request: HttpRequest, record_id: int) -> HttpResponse:
    found = selectors.access_service_by_id(request.user, record_id)
    if found.kind == RENOVATION:
        project = RenovationProject.objects.get(record=found)
        return redirect_to_message(reverse("care:renovation", args=[project.pk]) + "#stages-heading")
    return _record_page(request, found)


@require_can("record_services")
@require_POST
def record_action(request: HttpRequest, record_id: int, action: str) -> HttpResponse:
    """A device fitting's next stage, a placement's end, or a plain service's result."""
    found = selectors.access_service_by_id(request.user, record_id)
    try:
        if action == "stage":
            stage_form = DeviceStageForm(request.POST)
            if not stage_form.is_valid():
                return _record_page(request, found, 400, stage_form=stage_form)
            form: Any = stage_form
            services.device_fitting_advance(
                actor=request.user,
                record=found,
                stage=request.POST.get("stage", ""),
                on=stage_form.cleaned_data["on"],
                notes=stage_form.cleaned_data["notes"],
            )
        elif action == "end":
            form = PlacementEndForm(request.POST)
            if not form.is_valid():
                return _record_page(request, found, 400, end_form=form)
            services.placement_end(
                actor=request.user, record=found, period_end=form.cleaned_data["period_end"]
            )
        elif action == "result":
            form = ResultForm(request.POST)
            if not form.is_valid():
                return _record_page(request, found, 400, result_form=form)
            services.service_result_set(actor=request.user, record=found, result=form.cleaned_data["result"])
        else:
            raise Http404("未知的操作")
    except services.CareError as error:
        show_problems(form, error)
        key = {"stage": "stage_form", "end": "end_form", "result": "result_form"}[action]
        return _record_page(request, found, 400, **{key: form})
    messages.success(request, _("已保存。"))
    return redirect_to_message("care:record", record_id=found.pk)


@require_can("record_services")
@require_POST
def assignment_add(request: HttpRequest, person_id: int) -> HttpResponse:
    subject = selectors.access_care_person_by_id(request.user, person_id)
    form = AssignmentForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_add(
                actor=request.user, person=subject, organisation=form.cleaned_data["organisation"]
            )
        except services.CareError as error:
            show_problems(form, error)
        else:
            messages.success(request, _("已分派给 %(org)s。") % {"org": form.cleaned_data["organisation"]})
            return redirect_to_message("care:person", person_id=subject.pk)
    return _person_page(request, subject, form, status=400)


@require_can("record_services")
@require_POST
def assignment_remove(request: HttpRequest, person_id: int, assignment_id: int) -> HttpResponse:
    subject = selectors.access_care_person_by_id(request.user, person_id)
    try:
        services.assignment_remove(actor=request.user, person=subject, assignment_id=assignment_id)
    except services.CareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已取消分派。"))
    return redirect_to_message("care:person", person_id=subject.pk)
