"""Monitoring pages: the dashboard per region, the persons behind a figure, GDP growth entry, task
progress and the report download. Thin: the figures come from reports.summary/selectors, the writes
from services/tasks_progress, the files from report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip, require_can
from huican.core.audit import audit_record
from huican.core.models import Job
from huican.core.redirects import redirect_to_message
from huican.core.tasks import submit
from huican.monitoring import charts, comparison
from huican.monitoring.models import GdpGrowth
from huican.monitoring.plan import first_plan, plan_for_year
from huican.monitoring.publishing import may_publish, publication_checks, publications, publish_job
from huican.monitoring.reports.build import REPORT_KINDS, report_job, report_path
from huican.monitoring.reports.summary import build_summary
from huican.monitoring.selectors import (
    SIDES,
    check_region,
    default_year,
    evaluation_day,
    indicator_member_ids,
    indicator_rows,
    plan_years,
    region_choices_for,
    sees_whole_city,
)
from huican.monitoring.services import MonitoringError, gdp_growth_set
from huican.monitoring.tasks_progress import (
    TaskProgressError,
    find_task,
    may_report_progress,
    task_progress_submit,
    task_statuses,
    task_units,
)
from huican.monitoring.tasks_progress_forms import TaskProgressForm
from huican.monitoring.unit_targets import unit_targets
from huican.regions.divisions import CITY_CODE, COUNTY_CODES, COUNTY_NAMES
from huican.registry.selectors import persons_for

PAGE_SIZE = 50
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """The year (the first plan's first year … the current year) and, for the current year, the as-of date."""

    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    as_of = forms.DateField(
        label=gettext_lazy("截至日期（仅当年）"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy("当年的指标按截至日期计算，默认今天；往年按 12 月 31 日计算"),
    )

    def __init__(self, *args: Any, years: list[int], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [(y, f"{y} 年") for y in reversed(years)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        as_of, year = cleaned.get("as_of"), cleaned.get("year")
        if as_of is not None and year is not None:
            if year != self.today.year:
                cleaned["as_of"] = None  # past years are evaluated on 31 December
            elif not dt.date(year, 1, 1) <= as_of <= self.today:
                self.add_error("as_of", _("截至日期应在本年 1 月 1 日至今天之间"))
        return cleaned


class GdpGrowthForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    rate_percent = forms.DecimalField(
        label=gettext_lazy("全市地区生产总值增速（%）"),
        max_digits=6,
        decimal_places=2,
        min_value=-50,
        max_value=50,
    )
    source = forms.CharField(
        label=gettext_lazy("数据来源"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("例如：统计公报"),
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [(y, f"{y} 年") for y in reversed(years)]


class ReportForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    format = forms.ChoiceField(
        label=gettext_lazy("文件格式"), choices=[(k, v) for k, v in REPORT_KINDS.items()]
    )
    final = forms.BooleanField(label=gettext_lazy("终期评估（对照上一规划期基线）"), required=False)
    current = forms.BooleanField(
        label=gettext_lazy("按当前数据重新计算"),
        required=False,
        help_text=gettext_lazy("已发布的报告默认按发布时的数字生成，与发布时完全相同"),
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [(y, f"{y} 年") for y in reversed(years)]


class PublishForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    final = forms.BooleanField(label=gettext_lazy("终期评估"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [(y, f"{y} 年") for y in reversed(years)]


def _period(request: HttpRequest) -> tuple[PeriodForm, int, dt.date | None, dt.date]:
    """The year and as-of date asked for (falling back to the defaults when the form is invalid)."""
    today = timezone.localdate()
    plan = plan_for_year(today.year)  # the plan in force picks the default year
    years = plan_years(first_plan(), today)  # every plan's years can be looked at
    # Bound only when a year or date is asked for: the overview's other parameters (indicator, sort)
    # alone keep the default period.
    asked = "year" in request.GET or "as_of" in request.GET
    form = PeriodForm(request.GET if asked else None, years=years, today=today)
    year, as_of = default_year(plan, today), None
    if form.is_bound and form.is_valid():
        year, as_of = int(form.cleaned_data["year"]), form.cleaned_data.get("as_of")
    elif not form.is_bound:
        form = PeriodForm(initial={"year": year}, years=years, today=today)
    return form, year, as_of, today


@require_can("view_aggregates")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    choices = region_choices_for(request.user)
    if not choices:
        raise PermissionDenied(_("您的账号没有可查看的地区"))
    return dashboard(request, choices[0][0])


@require_can("view_aggregates")
@require_GET
def dashboard(request: HttpRequest, region: str) -> HttpResponse:
    region = check_region(request.user, region)
    form, year, as_of, today = _period(request)
    whole_city = sees_whole_city(request.user)
    summary = build_summary(region=region, year=year, today=today, as_of=as_of, show_ranking=whole_city)
    charts.decorate_summary(summary)
    if region in COUNTY_CODES:  # a county's own targets (县级实施方案) on its tiles
        own_targets = {target.indicator: target for target in unit_targets(summary.plan.code, region=region)}
        for item in summary.items:
            item.view["unit_target"] = own_targets.get(item.code)
    period = {"year": year, **({"as_of": as_of.isoformat()} if as_of else {})}
    context = {
        "summary": summary,
        # The tiles in the plan's order (numbered 1..11); the summary puts binding misses first.
        "tiles": sorted(summary.items, key=lambda item: item.indicator.number),
        "form": form,
        "regions": region_choices_for(request.user) if whole_city else [],
        "query": urlencode(period),
        "period": period,
        "may_list": can(request.user, "browse_registry"),
        "may_download": whole_city,
        "current_year": today.year,
        # Published reports and whether current data would change their figures (city page only).
        "publication_checks": publication_checks() if whole_city and region == CITY_CODE else [],
        **_comparison(request, summary, period),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "monitoring/dashboard.html", context, status=status)


def _comparison(request: HttpRequest, summary: Any, period: dict[str, Any]) -> dict[str, Any]:
    """The county comparison of the overview: the chosen indicator (``indicator``, default the first
    the summary lists: a binding one not met, else number 1), its tile map and its table sorted by
    ``sort``/``order`` with the header links. A county user (no ranking of the others) gets the map
    with their own county's square only and no table."""
    items = {item.code: item for item in summary.items}
    chosen = items.get(request.GET.get("indicator", ""), summary.items[0])
    if not summary.show_ranking:
        if summary.region not in COUNTY_NAMES:
            return {"chosen": None}
        own = comparison.tile_map(chosen, highlight=summary.region, own_only=True)
        return {"chosen": chosen, "own_only": True, "tile_map": own, "county_rows": []}
    sorting = comparison.Sorting.from_query(request.GET.get("sort"), request.GET.get("order"))
    base = {**period, "indicator": chosen.code}
    headers = {
        column: {
            "query": urlencode({**base, "sort": column, "order": sorting.link_order(column)}),
            "aria_sort": sorting.aria_sort(column),
        }
        for column in comparison.SORT_COLUMNS
    }
    return {
        "chosen": chosen,
        "tile_map": comparison.tile_map(chosen, highlight=summary.region),
        "county_rows": comparison.table_rows(chosen, sorting),
        "sorting": sorting,
        "headers": headers,
    }


@require_can("browse_registry")
@require_GET
def persons(request: HttpRequest, region: str, code: str, side: str) -> HttpResponse:
    """The persons behind a figure (masked, scoped); evaluators see counts only (no such page)."""
    region = check_region(request.user, region)
    _form, year, as_of, today = _period(request)
    plan = plan_for_year(year)
    if side not in SIDES or code not in plan.indicator_codes:
        raise Http404(_("没有这个指标"))
    indicator = plan.indicator(code)
    on = evaluation_day(year, today=today, as_of=as_of)
    numerator_ids, denominator_ids = indicator_member_ids(code=code, year=year, on=on, region=region)
    ids = numerator_ids if side == "numerator" else denominator_ids
    if ids is None:
        raise Http404(_("该指标没有分母"))
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {
        p.pk: p
        for p in persons_for(request.user).filter(pk__in=list(page.object_list)).select_related("region")
    }
    rows = [shown[pk] for pk in page.object_list if pk in shown]
    row = next((r for r in indicator_rows(year=year, on=on, region=region) if r["code"] == code), None)
    audit_record(
        actor=request.user,
        action="monitoring.indicator_persons",
        object_type="registry.Person",
        region_code=region,
        detail={"indicator": code, "side": side, "year": year, "on": on.isoformat(), "page": page.number},
        ip_address=client_ip(request),
    )
    query = urlencode({"year": year, **({"as_of": as_of.isoformat()} if as_of else {})})
    context = {
        "indicator": indicator,
        "side": side,
        "region": region,
        "region_name": dict(region_choices_for(request.user))[region],
        "year": year,
        "on": on,
        "page": page,
        "rows": rows,
        "row": row,
        "query": query,
        "hidden": len(page.object_list) - len(rows),
    }
    return render(request, "monitoring/persons.html", context)


@require_can("view_aggregates")
@require_http_methods(["GET", "POST"])
def gdp(request: HttpRequest) -> HttpResponse:
    """The city's GDP growth per year (the target of indicator 1); city staff enter it."""
    may_enter = can(request.user, "manage_standards")
    if request.method == "POST" and not may_enter:
        raise PermissionDenied(_("无权录入地区生产总值增速"))
    form = GdpGrowthForm(
        request.POST if request.method == "POST" else None,
        years=plan_years(first_plan(), timezone.localdate()),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            gdp_growth_set(
                year=int(data["year"]),
                rate_percent=data["rate_percent"],
                actor=request.user,
                source=data["source"],
            )
        except MonitoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存 {year} 年的地区生产总值增速。").format(year=data["year"]))
            return redirect_to_message("monitoring:gdp")
    context = {
        "form": form if may_enter else None,
        "entries": GdpGrowth.objects.select_related("entered_by"),
        "may_download": _may_download(request.user),
    }
    return render(request, "monitoring/gdp.html", context, status=400 if form.is_bound else 200)


@require_can("view_aggregates")
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    form, year, _as_of, _today = _period(request)
    statuses = task_statuses(year)
    context = {
        "form": form,
        "year": year,
        "plan": plan_for_year(year),
        "statuses": statuses,
        "missing": [s.task for s in statuses if not s.reported],
        "may_report": may_report_progress(request.user),
        "may_download": _may_download(request.user),
    }
    return render(request, "monitoring/tasks.html", context)


@require_can("view_aggregates")
@require_http_methods(["GET", "POST"])
def task_report(request: HttpRequest, code: str, year: int) -> HttpResponse:
    if not may_report_progress(request.user):
        raise PermissionDenied(_("无权填报任务进展"))
    plan = plan_for_year(year)
    try:
        task = find_task(plan, code)
    except TaskProgressError:
        raise Http404(_("规划中没有该任务")) from None
    if year not in plan_years(plan, timezone.localdate()):
        raise Http404(_("没有该年度"))
    form = TaskProgressForm(request.POST if request.method == "POST" else None, units=task_units(task))
    if request.method == "POST" and form.is_valid():
        try:
            task_progress_submit(
                task_code=task.code,
                year=year,
                unit=form.cleaned_data["unit"],
                text=form.cleaned_data["text"],
                figures=form.figures(),
                actor=request.user,
                ip_address=client_ip(request),
            )
        except TaskProgressError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("已保存任务 {code} 的 {year} 年进展。").format(code=task.code, year=year)
            )
            return redirect(reverse("monitoring:tasks") + f"?year={year}#task-{task.code}")
    context = {"form": form, "task": task, "year": year}
    return render(request, "monitoring/task_report.html", context, status=400 if form.is_bound else 200)


def _may_download(user: Any) -> bool:
    return can(user, "view_aggregates") and len(region_prefix_for(user) or "99999") <= 4


@require_can("view_aggregates")
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The annual monitoring report (or the final evaluation) built in the background."""
    if not _may_download(request.user):
        raise PermissionDenied(_("年度监测报告覆盖全市各县，仅限全市范围的账号生成"))
    today = timezone.localdate()
    form = ReportForm(
        request.POST if request.method == "POST" else None, years=plan_years(first_plan(), today)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = submit(
            kind="monitoring_report",
            actor=request.user,
            func=report_job,
            year=int(data["year"]),
            suffix=data["format"],
            final=bool(data["final"]),
            current=bool(data.get("current")),
        )
        audit_record(
            actor=request.user,
            action="monitoring.report",
            object_type="Job",
            object_id=job.pk,
            detail={
                "year": data["year"],
                "format": data["format"],
                "final": bool(data["final"]),
                "current": bool(data.get("current")),
            },
            ip_address=client_ip(request),
        )
        return redirect("monitoring:report_job", job_id=job.pk)
    status = 400 if form.is_bound else 200
    context = {
        "form": form,
        "kinds": REPORT_KINDS,
        "publications": publications(),
        "may_publish": may_publish(request.user),
        "publish_form": PublishForm(years=plan_years(first_plan(), today), prefix="publish"),
    }
    return render(request, "monitoring/report.html", context, status=status)


@require_can("view_aggregates")
@require_POST
def report_publish(request: HttpRequest) -> HttpResponse:
    """Publish (发布) an annual report or final evaluation: its figures are frozen (city staff only)."""
    if not may_publish(request.user):
        raise PermissionDenied(_("只有市级工作人员可以发布报告"))
    form = PublishForm(request.POST, years=plan_years(first_plan(), timezone.localdate()), prefix="publish")
    if not form.is_valid():
        messages.error(request, _("请选择要发布的年度"))
        return redirect_to_message("monitoring:report")
    year, final = int(form.cleaned_data["year"]), bool(form.cleaned_data["final"])
    user: Any = request.user
    job = submit(
        kind="monitoring_publish", actor=user, func=publish_job, year=year, final=final, actor_id=user.pk
    )
    if job.status == Job.Status.FAILED:
        messages.error(request, _("发布失败：%(message)s") % {"message": job.message})
    elif job.status == Job.Status.DONE:
        messages.success(request, _("已发布 %(year)s 年报告，数字已按发布时的数据固定") % {"year": year})
    else:
        messages.info(request, _("报告正在后台计算，完成后列在本页“已发布的报告”中"))
    return redirect_to_message("monitoring:report")


def _own_job(request: HttpRequest, job_id: int) -> Job:
    if not _may_download(request.user):
        raise PermissionDenied(_("年度监测报告覆盖全市各县，仅限全市范围的账号生成"))
    user: Any = request.user
    job = Job.objects.filter(pk=job_id, kind="monitoring_report", created_by=user).first()
    if job is None:
        raise Http404(_("未找到该报告任务"))
    return job


@require_can("view_aggregates")
@require_GET
def report_job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    return render(request, "monitoring/report_job.html", {"job": job})


@require_can("view_aggregates")
@require_GET
def report_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    name = (job.result or {}).get("file_name", "")
    path = report_path(str(name))
    if job.status != Job.Status.DONE or path is None or not Path(path).is_file():
        raise Http404(_("报告尚未生成"))
    audit_record(
        actor=request.user,
        action="monitoring.report_download",
        object_type="Job",
        object_id=job.pk,
        detail={"file": name},
        ip_address=client_ip(request),
    )
    response: Any = FileResponse(  # streamed; the decorators' type says HttpResponse
        open(path, "rb"), as_attachment=True, filename=str(job.result.get("download_name", name))
    )
    return response
