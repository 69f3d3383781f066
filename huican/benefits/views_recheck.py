"""Pages of the annual re-check (年度复核): start a run, list its items per township, follow them up."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.access import can, region_prefix_for
from huican.benefits.forms_rolls import RecheckItemForm, RecheckStartForm
from huican.benefits.models import RecheckItem, RecheckRun
from huican.benefits.recheck import REASON_NAMES, RECHECK_JOB, recheck_item_update, start_recheck
from huican.benefits.roll_display import BENEFIT_NAMES, region_names
from huican.benefits.services import today
from huican.core.models import Job


def _prefix(user: Any) -> str:
    if not can(user, "view_benefits"):
        raise PermissionDenied("您的角色无权查看年度复核")
    prefix = region_prefix_for(user)
    if prefix is None:
        raise PermissionDenied("您的账号没有可查看的地区")
    return prefix


def scope_q(prefix: str) -> Q:
    """Items of the user's region (the county and township recorded by the run)."""
    if len(prefix) <= 4:
        return Q()
    if len(prefix) == 6:
        return Q(county_code=prefix)
    return Q(township_code=prefix[:9])


def items_for(user: Any, run: RecheckRun) -> QuerySet[RecheckItem]:
    """The run's items of persons in the user's region."""
    return run.items.filter(scope_q(_prefix(user))).select_related("person")


@login_required
@require_http_methods(["GET", "POST"])
def recheck_index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    prefix = _prefix(user)
    form = RecheckStartForm(request.POST or None, initial={"on": today()})
    if request.method == "POST" and form.is_valid():
        job = start_recheck(actor=user, on=form.cleaned_data["on"])
        return redirect("benefits:recheck_job", job_id=job.pk)
    runs = list(RecheckRun.objects.all()[:20])
    counts = dict(
        RecheckItem.objects.filter(scope_q(prefix), run__in=runs).values_list("run").annotate(n=Count("id"))
    )
    rows = [(run, counts.get(run.pk, 0)) for run in runs]
    return render(request, "benefits/recheck.html", {"form": form, "rows": rows})


@login_required
@require_GET
def recheck_job(request: HttpRequest, job_id: int) -> HttpResponse:
    _prefix(request.user)
    job = Job.objects.filter(pk=job_id, kind=RECHECK_JOB).first()
    if job is None:
        raise Http404("未找到该复核任务")
    run_id = (job.result or {}).get("run_id")
    if job.status == Job.Status.DONE and run_id:
        messages.success(request, "年度复核已完成。")
        return redirect("benefits:recheck_run", run_id=run_id)
    return render(request, "benefits/roll_progress.html", {"job": job, "title": "年度复核进度"})


@login_required
@require_GET
def recheck_run_view(request: HttpRequest, run_id: int) -> HttpResponse:
    user: Any = request.user
    run = RecheckRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404("未找到该次复核")
    items = items_for(user, run)
    townships = list(items.values_list("township_code").annotate(n=Count("id")).order_by("township_code"))
    names = region_names({code for code, _ in townships})
    township = request.GET.get("township", "")
    status = request.GET.get("status", "")
    if township:
        items = items.filter(township_code=township)
    if status in RecheckItem.Status.values:
        items = items.filter(status=status)
    page = Paginator(items.order_by("township_code", "person_id", "benefit"), 100).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "item": item,
            "benefit": BENEFIT_NAMES.get(item.benefit, item.benefit),
            "reasons": [REASON_NAMES.get(code, code) for code in item.reasons],
            "township": names.get(item.township_code, item.township_code),
        }
        for item in page
    ]
    context = {
        "run": run,
        "rows": rows,
        "page": page,
        "townships": [(code, names.get(code, code or "（未知）"), n) for code, n in townships],
        "township": township,
        "status": status,
        "statuses": RecheckItem.Status.values,
        "query": urlencode({k: v for k, v in (("township", township), ("status", status)) if v}),
        "next": request.get_full_path(),
    }
    return render(request, "benefits/recheck_run.html", context)


@login_required
@require_POST
def recheck_item(request: HttpRequest, item_id: int) -> HttpResponse:
    user: Any = request.user
    prefix = _prefix(user)
    item = RecheckItem.objects.filter(scope_q(prefix), pk=item_id).first()
    if item is None:
        raise Http404("未找到该复核对象")
    form = RecheckItemForm(request.POST)
    if form.is_valid():
        recheck_item_update(
            actor=user, item=item, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
        messages.success(request, "已保存核实情况。")
    else:
        messages.error(request, "处理状态不正确，未保存。")
    target = request.POST.get("next", "")
    if target.startswith("/benefits/recheck/") and "//" not in target:
        return redirect(target)
    return redirect("benefits:recheck_run", run_id=item.run_id)


urlpatterns: list[URLPattern] = [
    path("recheck/", recheck_index, name="recheck"),
    path("recheck/jobs/<int:job_id>/", recheck_job, name="recheck_job"),
    path("recheck/<int:run_id>/", recheck_run_view, name="recheck_run"),
    path("recheck/items/<int:item_id>/", recheck_item, name="recheck_item"),
]
