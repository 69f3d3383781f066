"""The export pages: check the filters (and, for full ID numbers, the permission and a reason),
submit the export job, follow its progress, and download the file (its owner only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huican.accounts.access import can
from huican.accounts.decorators import client_ip, require_can
from huican.core import documents
from huican.core.audit import audit_record
from huican.core.models import Job
from huican.core.tasks import submit
from huican.matching.export import (
    EXPORT_AREA,
    EXPORT_KIND,
    MAX_ROWS,
    TOO_LARGE,
    findings_export_job,
    run_export_job,
)
from huican.matching.forms import ExportReasonForm, filtered_findings
from huican.matching.models import FindingRun
from huican.matching.selectors import run_findings_for

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _too_large(request: HttpRequest) -> HttpResponse:
    return render(request, "matching/problem.html", {"message": TOO_LARGE.format(limit=MAX_ROWS)}, status=400)


def _start_export(request: HttpRequest, *, full: bool, reason: str = "") -> HttpResponse:
    user: Any = request.user
    form, findings = filtered_findings(user, request.GET)
    if findings is None:
        return render(request, "matching/problem.html", {"form": form}, status=400)
    if findings.count() > MAX_ROWS:
        return _too_large(request)
    job = submit(
        kind=EXPORT_KIND,
        actor=user,
        func=findings_export_job,
        user_id=user.pk,
        filters=form.described(),
        full_ids=full,
        reason=reason,
        ip_address=client_ip(request),
    )
    return redirect("matching:export_progress", job_id=job.pk)


@require_can("view_findings")
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The work list under the current filters, ID numbers masked (made in the background)."""
    return _start_export(request, full=False)


@require_can("view_findings")
@require_http_methods(["GET", "POST"])
def export_full(request: HttpRequest) -> HttpResponse:
    """The same export with full ID numbers, after a reason (users who may see full IDs only)."""
    if not can(request.user, "view_full_id"):
        raise PermissionDenied(_("您的账户无权导出完整身份证号。"))
    form = ExportReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _start_export(request, full=True, reason=form.cleaned_data["reason"])
    filters, _unused = filtered_findings(request.user, request.GET)
    status = 400 if request.method == "POST" or not filters.is_valid() else 200
    context = {"form": form, "filters": filters, "query": request.GET.urlencode()}
    return render(request, "matching/export_full.html", context, status=status)


def _read_only_run(run_id: int) -> FindingRun:
    run = FindingRun.objects.filter(pk=run_id, status=FindingRun.Status.DONE).first()
    if run is None or run.reconciles:
        raise Http404(_("未找到该次只读查看的比对结果"))
    return run


def _start_run_export(request: HttpRequest, run: FindingRun, *, full: bool, reason: str = "") -> HttpResponse:
    user: Any = request.user
    if run_findings_for(user, run).count() > MAX_ROWS:
        return _too_large(request)
    job = submit(
        kind=EXPORT_KIND,
        actor=user,
        func=run_export_job,
        user_id=user.pk,
        run_id=run.pk,
        full_ids=full,
        reason=reason,
        ip_address=client_ip(request),
    )
    return redirect("matching:export_progress", job_id=job.pk)


@require_can("view_findings")
@require_GET
def run_export(request: HttpRequest, run_id: int) -> HttpResponse:
    """A read-only run's findings (in the user's scope), ID numbers masked."""
    return _start_run_export(request, _read_only_run(run_id), full=False)


@require_can("view_findings")
@require_http_methods(["GET", "POST"])
def run_export_full(request: HttpRequest, run_id: int) -> HttpResponse:
    """The same export with full ID numbers, after a reason (users who may see full IDs only)."""
    if not can(request.user, "view_full_id"):
        raise PermissionDenied(_("您的账户无权导出完整身份证号。"))
    run = _read_only_run(run_id)
    form = ExportReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _start_run_export(request, run, full=True, reason=form.cleaned_data["reason"])
    status = 400 if request.method == "POST" else 200
    return render(request, "matching/run_export_full.html", {"form": form, "run": run}, status=status)


def own_export_job(user: Any, job_id: int) -> Job:
    """The user's own export job; Http404 for anyone else's, and once the user may no longer see
    what it holds (findings at all, or full ID numbers)."""
    job = Job.objects.filter(pk=job_id, kind=EXPORT_KIND, created_by=user).first() if user.pk else None
    if job is None or not can(user, "view_findings"):
        raise Http404(_("未找到该导出任务"))
    if job.arguments.get("full_ids") and not can(user, "view_full_id"):
        raise Http404(_("未找到该导出任务"))
    return job


@login_required
@require_GET
def export_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = own_export_job(request.user, job_id)
    return render(request, "matching/export_progress.html", {"job": job, "result": job.result or {}})


@login_required
@require_GET
def export_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = own_export_job(request.user, job_id)
    result = job.result or {}
    if job.status != Job.Status.DONE or not result.get("stored_name"):
        raise Http404(_("导出文件尚未生成"))
    try:
        content = documents.read(EXPORT_AREA, str(result["stored_name"]))
    except FileNotFoundError:
        raise Http404(_("导出文件已超过保存期限被删除，请重新导出")) from None
    audit_record(
        actor=request.user,
        action="export.download",
        object_type="Job",
        object_id=job.pk,
        detail={
            "file": result.get("file_name", ""),
            "rows": result.get("rows"),
            "full_id_numbers": bool(result.get("full_id_numbers")),
        },
        ip_address=client_ip(request),
    )
    response = HttpResponse(content, content_type=XLSX_TYPE)
    file_name = str(result.get("file_name") or "比对发现.xlsx")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    return response
