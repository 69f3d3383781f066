"""Pages of the monthly rolls (thin: the rules are in ``roll``/``rolls``, the jobs in ``drafts``).

The roll page: pick a month and a region, the draft is computed in the background (progress page),
then shown with its lines (masked ID numbers unless the user may see full ones), statuses and
reasons in Chinese, arrears, recoveries and the totals per county, township and subsidy. The county
civil-affairs officer approves their county's draft after a confirmation naming its totals; an
approved roll is shown from what was stored and exported as .xlsx and as the bank file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip
from huican.benefits import drafts, roll_display, views_entitlements, views_overview, views_recheck
from huican.benefits.exports import export_roll, may_download_bank_file
from huican.benefits.forms_rolls import ApproveForm, RollForm
from huican.benefits.selectors import access_roll_by_id, rolls_for
from huican.core.models import Job
from huican.regions.divisions import CITY_CODE, CITY_NAME, COUNTIES
from huican.regions.models import Region


def _require_benefits(user: Any) -> None:
    if not can(user, "view_benefits"):
        raise PermissionDenied("您的角色无权查看补贴发放")


def roll_regions(user: Any) -> list[tuple[str, str]]:
    """Regions whose roll the user may draft: the city and its counties for city staff, a county and
    its townships for county staff and the civil-affairs officer, a township for its staff."""
    prefix = region_prefix_for(user) or ""
    if len(prefix) <= 4:
        return [(CITY_CODE, f"{CITY_NAME}（全市）"), *[(code, name) for code, name, _ in COUNTIES]]
    own = [(prefix, roll_display.region_label(prefix))]
    if len(prefix) == 6:
        townships = Region.objects.filter(code__startswith=prefix, level=Region.Level.TOWNSHIP).order_by(
            "code"
        )
        own += [(r.code, f"　{r.name}") for r in townships]
    return own


@login_required
@require_http_methods(["GET", "POST"])
def roll_index(request: HttpRequest) -> HttpResponse:
    """Start a draft; list the approved rolls the user may see."""
    user: Any = request.user
    _require_benefits(user)
    regions = roll_regions(user)
    form = RollForm(request.POST or None, regions=regions, initial={"region": regions[0][0]})
    if request.method == "POST" and form.is_valid():
        job = drafts.start_draft(
            actor=user, month=form.cleaned_data["month"], region=form.cleaned_data["region"]
        )
        return redirect("benefits:roll_draft", job_id=job.pk)
    recent = Job.objects.filter(kind=drafts.DRAFT_JOB, created_by=user).order_by("-id")[:5]
    context = {
        "form": form,
        "rolls": rolls_for(user)[:60],
        "recent": recent,
        "names": roll_display.region_names({r.region_code for r in rolls_for(user)[:60]}),
    }
    return render(
        request, "benefits/rolls.html", context, status=400 if form.is_bound and not form.is_valid() else 200
    )


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("status", "")
    return status if status in roll_display.STATUS_NAMES else ""


@login_required
@require_GET
def roll_draft(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress of a draft, then the draft itself."""
    user: Any = request.user
    _require_benefits(user)
    job = drafts.draft_job_for(user, job_id)
    if job is None:
        raise Http404("未找到该发放名册草稿")
    if job.status != Job.Status.DONE:
        return render(request, "benefits/roll_progress.html", {"job": job, "title": "发放名册草稿计算进度"})
    draft = drafts.load_draft(job)
    if draft is None:
        messages.warning(request, "该草稿已过期清理，请重新计算。")
        return redirect("benefits:rolls")
    status = _status_filter(request)
    full_ids = can(user, "view_full_id")
    page, lines = roll_display.draft_line_page(
        draft, status=status, page_number=request.GET.get("page"), full_ids=full_ids
    )
    summary = job.result
    context = {
        "job": job,
        "summary": summary,
        "region_name": roll_display.region_label(draft.region),
        "page": page,
        "lines": lines,
        "status": status,
        "statuses": roll_display.STATUS_NAMES,
        "query": urlencode({"status": status}) if status else "",
        "recoveries": roll_display.draft_recoveries(draft, full_ids=full_ids),
        "county_totals": roll_display.totals_rows(summary["totals"], "county"),
        "township_totals": roll_display.totals_rows(summary["township_totals"], "township"),
        "benefit_totals": roll_display.benefit_totals(summary["totals"]),
        "may_approve": drafts.may_approve(user, draft.region),
        "full_ids": full_ids,
    }
    return render(request, "benefits/roll_draft.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def roll_approve(request: HttpRequest, job_id: int) -> HttpResponse:
    """The confirmation step naming the totals, then the approval (a background job)."""
    user: Any = request.user
    _require_benefits(user)
    job = drafts.draft_job_for(user, job_id)
    if job is None or job.status != Job.Status.DONE:
        raise Http404("未找到该发放名册草稿")
    summary = job.result
    if not drafts.may_approve(user, summary["region"]):
        raise PermissionDenied("只有本县（市、区）民政部门审定人员可以审批本县的发放名册")
    form = ApproveForm(request.POST or None, initial={"expected_total": summary["paid_total"]})
    if request.method == "POST" and form.is_valid():
        approval = drafts.start_approval(
            actor=user,
            month=drafts.parse_month(summary["month"]),
            region=summary["region"],
            expected_total=form.cleaned_data["expected_total"],
        )
        return redirect("benefits:roll_approval", job_id=approval.pk)
    context = {
        "job": job,
        "summary": summary,
        "form": form,
        "region_name": roll_display.region_label(summary["region"]),
        "county_totals": roll_display.totals_rows(summary["totals"], "county"),
        "benefit_totals": roll_display.benefit_totals(summary["totals"]),
    }
    return render(request, "benefits/roll_approve.html", context, status=400 if form.is_bound else 200)


@login_required
@require_GET
def roll_approval(request: HttpRequest, job_id: int) -> HttpResponse:
    """Progress of an approval; then the approved roll, or why it was refused."""
    job = drafts.approval_job_for(request.user, job_id)
    if job is None:
        raise Http404("未找到该审批任务")
    result = job.result or {}
    if job.status == Job.Status.DONE and result.get("roll_id"):
        messages.success(request, "发放名册已审批。")
        if result.get("changed"):
            messages.warning(
                request,
                f"审批时按最新数据重新计算，发放合计为 {result['paid_total']} 元，"
                f"与您核对的草稿（{result['expected_total']} 元）不同，请核对名册。",
            )
        return redirect("benefits:roll_detail", roll_id=result["roll_id"])
    return render(
        request,
        "benefits/roll_progress.html",
        {"job": job, "title": "发放名册审批进度", "error": result.get("error", "")},
    )


@login_required
@require_GET
def roll_detail(request: HttpRequest, roll_id: int) -> HttpResponse:
    """An approved roll, from the stored lines and recoveries."""
    user: Any = request.user
    _require_benefits(user)
    roll = access_roll_by_id(user, roll_id)
    status = _status_filter(request)
    full_ids = can(user, "view_full_id")
    page, lines = roll_display.approved_line_page(
        roll, status=status, page_number=request.GET.get("page"), full_ids=full_ids
    )
    context = {
        "roll": roll,
        "region_name": roll_display.region_label(roll.region_code),
        "page": page,
        "lines": lines,
        "status": status,
        "statuses": roll_display.STATUS_NAMES,
        "query": urlencode({"status": status}) if status else "",
        "recoveries": roll_display.approved_recoveries(roll, full_ids=full_ids),
        "county_totals": roll_display.totals_rows(roll.totals, "county"),
        "township_totals": roll_display.totals_rows(roll.township_totals, "township"),
        "benefit_totals": roll_display.benefit_totals(roll.totals),
        "may_bank": may_download_bank_file(user, roll),
        "full_ids": full_ids,
    }
    return render(request, "benefits/roll_detail.html", context)


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    from django.utils.encoding import escape_uri_path

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def roll_export(request: HttpRequest, roll_id: int, kind: str) -> HttpResponse:
    """Download the .xlsx roll or the bank file (POST: each download is an audited act)."""
    user: Any = request.user
    _require_benefits(user)
    if kind not in ("xlsx", "bank"):
        raise Http404("没有这种导出格式")
    roll = access_roll_by_id(user, roll_id)
    if kind == "bank" and not may_download_bank_file(user, roll):
        raise PermissionDenied(
            "银行代发文件含完整身份证号，只有民政审定人员或有权查看完整身份证号的工作人员可以下载"
        )
    full_ids = kind == "bank" or (request.POST.get("full") == "1" and can(user, "view_full_id"))
    content, name, content_type = export_roll(
        roll=roll, actor=user, kind=kind, full_ids=full_ids, ip_address=client_ip(request)
    )
    return _download(content, name, content_type)


urlpatterns: list[URLPattern | URLResolver] = [
    path("rolls/", roll_index, name="rolls"),
    path("rolls/draft/<int:job_id>/", roll_draft, name="roll_draft"),
    path("rolls/draft/<int:job_id>/approve/", roll_approve, name="roll_approve"),
    path("rolls/approval/<int:job_id>/", roll_approval, name="roll_approval"),
    path("rolls/<int:roll_id>/", roll_detail, name="roll_detail"),
    path("rolls/<int:roll_id>/export/<str:kind>/", roll_export, name="roll_export"),
    *views_entitlements.urlpatterns,
    *views_recheck.urlpatterns,
    *views_overview.urlpatterns,
]
