"""The 无障碍改造 project page: its stages with dates, cost and photos (stored encrypted)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huican.accounts.decorators import client_ip, require_can
from huican.care import renovation as renovation_services
from huican.care import selectors
from huican.care.forms import PhotoForm, RenovationStageForm
from huican.care.models import RenovationProject
from huican.care.services import CareError
from huican.care.views import show_problems
from huican.core import documents
from huican.core.audit import audit_record
from huican.core.redirects import redirect_to_message


def _next_stage(project: RenovationProject) -> RenovationProject.Stage | None:
    stages = list(RenovationProject.Stage)
    position = stages.index(RenovationProject.Stage(project.stage))
    return stages[position + 1] if position + 1 < len(stages) else None


def _page(request: HttpRequest, project: RenovationProject, status: int = 200, **forms: Any) -> HttpResponse:
    photos = project.photos.order_by("uploaded_at", "pk")
    stages = [
        {
            "code": stage.value,
            "label": stage.label,
            "date": {
                "application": project.applied_on,
                "assessment": project.assessed_on,
                "construction": project.construction_started_on,
                "acceptance": project.accepted_on,
            }[stage.value],
            "photos": [p for p in photos if p.stage == stage.value],
        }
        for stage in RenovationProject.Stage
    ]
    context = {
        "project": project,
        "record": project.record,
        "person": project.record.person,
        "stages": stages,
        "next_stage": _next_stage(project),
        "stage_form": forms.get("stage_form") or RenovationStageForm(initial={"on": timezone.localdate()}),
        "photo_form": forms.get("photo_form") or PhotoForm(),
    }
    return render(request, "care/renovation.html", context, status=status)


@require_can("record_services")
@require_GET
def renovation(request: HttpRequest, project_id: int) -> HttpResponse:
    return _page(request, selectors.access_renovation_by_id(request.user, project_id))


@require_can("record_services")
@require_POST
def renovation_stage(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.access_renovation_by_id(request.user, project_id)
    form = RenovationStageForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            renovation_services.renovation_advance(
                actor=request.user,
                project=project,
                stage=request.POST.get("stage", ""),
                on=data["on"],
                notes=data["notes"],
                contractor=data["contractor"],
                cost=data["cost"],
            )
        except CareError as error:
            show_problems(form, error)
        else:
            messages.success(request, _("已保存该阶段。"))
            return redirect_to_message("care:renovation", project_id=project.pk)
    return _page(request, project, 400, stage_form=form)


@require_can("record_services")
@require_POST
def renovation_photo_upload(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.access_renovation_by_id(request.user, project_id)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            renovation_services.renovation_photo_add(
                actor=request.user,
                project=project,
                data=upload.read(),
                name=upload.name or "",
                caption=form.cleaned_data["caption"],
            )
        except CareError as error:
            show_problems(form, error)
        else:
            messages.success(request, _("照片已上传（加密保存）。"))
            return redirect_to_message("care:renovation", project_id=project.pk)
    return _page(request, project, 400, photo_form=form)


@require_can("record_services")
@require_GET
def renovation_photo(request: HttpRequest, project_id: int, photo_id: int) -> HttpResponse:
    project = selectors.access_renovation_by_id(request.user, project_id)
    photo = get_object_or_404(project.photos, pk=photo_id)
    data = documents.read(renovation_services.PHOTO_AREA, photo.stored_name)
    audit_record(
        actor=request.user,
        action="care.renovation_photo_view",
        object_type="care.ServiceRecord",
        object_id=project.record_id,
        region_code=project.record.person.region_id,
        detail={"photo": photo.pk},
        ip_address=client_ip(request),
    )
    response = HttpResponse(data, content_type=photo.content_type)
    suffix = documents.SUFFIXES.get(photo.content_type, "")
    response["Content-Disposition"] = (
        f'attachment; filename="renovation-{project.pk}-photo-{photo.pk}{suffix}"'
    )
    response["Cache-Control"] = "no-store"
    return response
