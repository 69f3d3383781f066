"""Papers printed from the applications: the 不予批准通知书 (PDF) of a rejected application and the
公示名单 (printable page and CSV) of a county's applications in notice — names and ID numbers
masked (``letters``). Every download is audited."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip
from huican.benefits import letters
from huican.benefits.models import Application
from huican.benefits.selectors import access_application_by_id, applications_for
from huican.benefits.services import may_use_window, today
from huican.core.audit import audit_record
from huican.regions.models import Region


def _require_benefits(request: HttpRequest) -> Any:
    user: Any = request.user
    if not can(user, "view_benefits"):
        raise PermissionDenied(_("您的角色无权使用补贴经办"))
    return user


@login_required
@require_GET
def rejection_notice(request: HttpRequest, application_id: int) -> HttpResponse:
    """不予批准通知书 (PDF) of a rejected application (audited)."""
    user = _require_benefits(request)
    application = access_application_by_id(user, application_id)
    if application.status != Application.Status.REJECTED or application.decided_on is None:
        raise Http404(_("只有不予批准的申请有不予批准通知书"))
    pdf = letters.rejection_notice_pdf(application)
    audit_record(
        actor=user,
        action="benefits.rejection_notice",
        object_type="benefits.Application",
        object_id=application.pk,
        region_code=application.township_code or application.county_code,
        detail={"person_id": application.person_id, "benefit": application.benefit},
        ip_address=client_ip(request),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = quote(f"不予批准通知书-{application.pk}.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def _notice_scope(request: HttpRequest, user: Any) -> tuple[str, list[tuple[str, str]]]:
    """The county whose 公示名单 is shown, and the counties the user may choose from."""
    prefix = region_prefix_for(user) or ""
    counties = [
        (code, name)
        for code, name in Region.objects.filter(
            level=Region.Level.COUNTY, code__startswith=prefix[:6]
        ).values_list("code", "name")
    ]
    wanted = request.GET.get("county", "")
    if len(prefix) >= 6:
        return prefix[:6], [(c, n) for c, n in counties if c == prefix[:6]]
    return (wanted if wanted in dict(counties) else ""), counties


def _notice_applications(user: Any, county: str) -> list[Application]:
    return list(
        applications_for(user)
        .filter(status=Application.Status.IN_NOTICE, county_code=county)
        .order_by("township_code", "notice_until", "id")
    )


@login_required
@require_GET
def public_notice(request: HttpRequest) -> HttpResponse:
    """公示名单 of one county: applications in notice, names and ID numbers masked (printable)."""
    user = _require_benefits(request)
    county, counties = _notice_scope(request, user)
    rows = letters.notice_rows(_notice_applications(user, county)) if county else []
    context = {
        "county": county,
        "county_name": dict(counties).get(county, ""),
        "counties": counties,
        "rows": rows,
        "today": today(),
        "may_create": may_use_window(user),
    }
    return render(request, "benefits/public_notice.html", context)


@login_required
@require_GET
def public_notice_csv(request: HttpRequest) -> HttpResponse:
    user = _require_benefits(request)
    county, _counties = _notice_scope(request, user)
    if not county:
        raise Http404(_("请先选择县（市、区）"))
    rows = letters.notice_rows(_notice_applications(user, county))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(letters.NOTICE_HEADER)
    writer.writerows(letters.notice_csv_rows(rows))
    audit_record(
        actor=user,
        action="benefits.public_notice_export",
        object_type="benefits.Application",
        region_code=county,
        detail={"rows": len(rows)},
        ip_address=client_ip(request),
    )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    name = quote(f"公示名单-{county}-{today():%Y%m%d}.csv")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


urlpatterns = [
    path("applications/<int:application_id>/notice.pdf", rejection_notice, name="rejection_notice"),
    path("notice/", public_notice, name="public_notice"),
    path("notice.csv", public_notice_csv, name="public_notice_csv"),
]
