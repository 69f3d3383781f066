"""Findings pages (政策找人): the work list, one finding's follow-up, export, runs and their history.

Reads go through ``huican.matching.selectors`` (region and department scope); a finding outside
the user's scope is a 404. Evaluators see counts only. Every page that shows personal data, every
follow-up and every export is audited.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip
from huican.accounts.models import User
from huican.core.audit import audit_record
from huican.core.models import AuditEntry, Job
from huican.core.redirects import redirect_to_message
from huican.matching import history, services
from huican.matching.forms import FollowUpForm, RunForm, WorkListFilterForm, filtered_findings
from huican.matching.models import Finding, FindingCode, FindingRun
from huican.matching.runs import job_for, may_start_run, open_job, start_findings_run
from huican.matching.selectors import access_finding_by_id, findings_for, latest_run, run_findings_for
from huican.matching.services import FindingError, finding_update, run_mode
from huican.matching.urgency import urgency_order, urgency_rank

PAGE_SIZE = 50
RUNS_PAGE_SIZE = 20
CHART_RUNS = 12
STATUSES = [value for value, _label in Finding.Status.choices]


def _may_see_runs(user: Any) -> bool:
    return can(user, "view_findings") or can(user, "view_aggregates")


def _common(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "may_run": may_start_run(user),
        "reconciles_today": run_mode(actor=user, on=services.today()) == FindingRun.Mode.RECONCILE,
        "run_form": RunForm(initial={"on": timezone.localdate()}),
        "open_job": open_job() if may_start_run(user) else None,
        "latest": latest_run(),
    }


def _filtered(request: HttpRequest) -> tuple[WorkListFilterForm, QuerySet[Finding] | None]:
    """The filter form and the user's findings under it (None when the filters are invalid)."""
    return filtered_findings(request.user, request.GET)


def _code_summary(findings: QuerySet[Finding]) -> list[dict[str, Any]]:
    """Findings per code and status (most urgent code first)."""
    counted = findings.order_by().values("code", "status").annotate(n=Count("id"))
    table: dict[str, dict[str, int]] = {}
    for row in counted:
        table.setdefault(row["code"], {})[row["status"]] = row["n"]
    return [
        {
            "code": code,
            "name": label,
            "by_status": [table[code].get(status, 0) for status in STATUSES],
            "total": sum(table[code].values()),
        }
        for code, label in sorted(FindingCode.choices, key=lambda choice: urgency_rank(choice[0]))
        if code in table
    ]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not can(user, "view_findings"):
        if can(user, "view_aggregates"):
            return _counts_only(request)
        raise PermissionDenied(_("您的角色无权查看比对发现"))
    form, findings = _filtered(request)
    context: dict[str, Any] = {"form": form, **_common(request)}
    if findings is None:
        return render(request, "matching/index.html", context, status=400)
    query = urlencode({k: v for k, v in form.cleaned_data.items() if v})
    without_code = {k: v for k, v in form.cleaned_data.items() if v and k != "code"}
    ordered = findings.select_related("first_seen_run", "last_seen_run").order_by(
        urgency_order(), "county_code", "township_code", "id"
    )
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    names = history.place_names({f.county_code for f in page} | {f.township_code for f in page})
    rows = [
        {"finding": f, "county": names.get(f.county_code, ""), "township": names.get(f.township_code, "")}
        for f in page
    ]
    summary_base = WorkListFilterForm(without_code, user=user)
    summary_base.is_valid()
    context.update(
        page=page,
        rows=rows,
        query=query,
        summary=_code_summary(summary_base.apply(findings_for(user))),
        summary_query=urlencode(without_code),
        statuses=STATUSES,
        may_link_person=can(user, "browse_registry"),
        may_export_full=can(user, "view_full_id"),
    )
    audit_record(
        actor=user,
        action="finding.list",
        object_type="Finding",
        region_code=region_prefix_for(user) or "",
        detail={
            "via": "web",
            "filters": form.described(),
            "results": page.paginator.count,
            "page": page.number,
        },
        ip_address=client_ip(request),
    )
    return render(request, "matching/index.html", context)


def _counts_only(request: HttpRequest) -> HttpResponse:
    """Evaluators: the latest run's counts in their region, never a person."""
    latest = latest_run()
    context: dict[str, Any] = {**_common(request), "run": latest}
    if latest is not None:
        context["changes"] = history.comparison(request.user, latest, history.previous_done_run(latest))
    return render(request, "matching/counts.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, finding_id: int) -> HttpResponse:
    user: Any = request.user
    if not can(user, "view_findings"):
        raise Http404(_("未找到该比对发现"))
    finding = access_finding_by_id(user, finding_id)
    status = 200
    if request.method == "POST":
        form = FollowUpForm(request.POST, finding=finding, actor=user)
        if form.is_valid():
            if not form.changed_anything():
                messages.info(request, _("没有需要保存的修改。"))
                return redirect_to_message("matching:detail", finding_id=finding.pk)
            try:
                finding_update(
                    finding=finding,
                    actor=user,
                    status=form.cleaned_data["status"],
                    assigned_to=form.cleaned_data["assignee"],
                    note=form.cleaned_data["note"],
                )
            except FindingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已保存核实处理情况。"))
                return redirect_to_message("matching:detail", finding_id=finding.pk)
        status = 400
    else:
        form = FollowUpForm(
            initial={
                "status": finding.status,
                "assigned_to": finding.assigned_to_id or "",
                "note": "",  # a new note is added to the history below
            },
            finding=finding,
            actor=user,
        )
        audit_record(
            actor=user,
            action="finding.view",
            object_type="Finding",
            object_id=finding.pk,
            region_code=finding.township_code or finding.county_code,
            ip_address=client_ip(request),
        )
    finding = Finding.objects.select_related("person", "assigned_to", "first_seen_run", "last_seen_run").get(
        pk=finding.pk
    )
    names = history.place_names({finding.county_code, finding.township_code})
    context = {
        "finding": finding,
        "form": form,
        "county": names.get(finding.county_code, finding.county_code),
        "township": names.get(finding.township_code, finding.township_code),
        "may_link_person": can(user, "browse_registry"),
        "others": findings_for(user)
        .filter(person_id=finding.person_id)
        .exclude(pk=finding.pk)
        .order_by(urgency_order(), "id"),
        "log": _follow_up_log(finding),
    }
    return render(request, "matching/detail.html", context, status=status)


def _follow_up_log(finding: Finding) -> list[dict[str, Any]]:
    entries = list(
        AuditEntry.objects.filter(action="finding.update", object_type="Finding", object_id=str(finding.pk))
        .order_by("sequence")
        .values("at", "actor_name", "detail")
    )
    ids = {(e["detail"] or {}).get("after", {}).get("assigned_to") for e in entries} - {None}
    users = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)}
    log = []
    for entry in entries:
        before = (entry["detail"] or {}).get("before", {})
        after = (entry["detail"] or {}).get("after", {})
        log.append(
            {
                "at": entry["at"],
                "who": entry["actor_name"] or "—",
                "before": before.get("status", ""),
                "after": after.get("status", ""),
                "assignee": users.get(after.get("assigned_to"), ""),
                "note": after.get("note", ""),
            }
        )
    return log


@login_required
@require_http_methods(["GET", "POST"])
def run_start(request: HttpRequest) -> HttpResponse:
    """「立即比对」: start a run in the background and follow its progress."""
    if not may_start_run(request.user):
        raise PermissionDenied(_("您的角色无权发起比对"))
    form = RunForm(request.POST if request.method == "POST" else None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        job = start_findings_run(actor=request.user, on=form.cleaned_data["on"], automatic=False)
        return redirect("matching:run_progress", job_id=job.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "run_form": form,
        "reconciles_today": run_mode(actor=request.user, on=services.today()) == FindingRun.Mode.RECONCILE,
    }
    return render(request, "matching/run_start.html", context, status=status)


@login_required
@require_GET
def run_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_for(request.user, job_id)
    if job is None:
        raise Http404(_("未找到该比对任务"))
    run_id = (job.result or {}).get("run_id")
    if job.status == Job.Status.DONE and run_id:
        messages.success(request, _("比对已完成。"))
        return redirect_to_message("matching:run_detail", run_id=run_id)
    return render(request, "matching/run_progress.html", {"job": job})


@login_required
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not _may_see_runs(user):
        raise PermissionDenied(_("您的角色无权查看比对记录"))
    all_runs = FindingRun.objects.select_related("triggered_by").order_by("-id")
    reconciling = FindingRun.objects.filter(status=FindingRun.Status.DONE, mode=FindingRun.Mode.RECONCILE)
    page = Paginator(all_runs, RUNS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for run in page:
        change = None
        if run.status == FindingRun.Status.DONE:
            previous = history.previous_done_run(run)
            before = history.scope_total(user, previous) if previous else None
            change = history.Change("", history.scope_total(user, run), before)
        rows.append({"run": run, "change": change})
    done = reconciling.order_by("-id")[:CHART_RUNS]  # the work list's trend: read-only views left out
    chart_rows = [(run, history.scope_total(user, run)) for run in reversed(list(done))]
    bars = [(f"{run.on_date:%m-%d}", total) for run, total in chart_rows]
    title = _("最近各次比对的发现数（您的范围内）")
    context = {
        **_common(request),
        "page": page,
        "rows": rows,
        "chart_rows": chart_rows,
        "chart_title": title,
        "chart": history.bar_chart(chart_id="runs-chart", title=title, bars=bars) if bars else None,
    }
    return render(request, "matching/runs.html", context)


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    user: Any = request.user
    if not _may_see_runs(user):
        raise PermissionDenied(_("您的角色无权查看比对记录"))
    run = FindingRun.objects.select_related("triggered_by").filter(pk=run_id).first()
    if run is None:
        raise Http404(_("未找到该次比对"))
    previous = history.previous_done_run(run)
    context: dict[str, Any] = {
        "run": run,
        "previous": previous,
        "changes": history.comparison(user, run, previous) if run.status == FindingRun.Status.DONE else None,
        "snapshots": history.snapshots(run),
        "city_wide": len(region_prefix_for(user) or "") <= 4,
        "missing": run.missing,
    }
    if not run.reconciles and run.status == FindingRun.Status.DONE and can(user, "view_findings"):
        found = run_findings_for(user, run)
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        names = history.place_names({f.county_code for f in page} | {f.township_code for f in page})
        context.update(
            read_only_list=True,
            page=page,
            rows=[
                {
                    "finding": f,
                    "county": names.get(f.county_code, ""),
                    "township": names.get(f.township_code, ""),
                }
                for f in page
            ],
            may_link_person=can(user, "browse_registry"),
            may_export_full=can(user, "view_full_id"),
        )
        audit_record(
            actor=user,
            action="finding.list",
            object_type="FindingRun",
            object_id=run.pk,
            region_code=region_prefix_for(user) or "",
            detail={"via": "web", "run": run.pk, "results": page.paginator.count, "page": page.number},
            ip_address=client_ip(request),
        )
    return render(request, "matching/run_detail.html", context)
