"""Pages for editing what a report says (叙述部分) and the 专栏 project figures staff enter.

Thin: the rules and the audit are in ``huican.monitoring.narratives``; drafts come from the report's
figures (``reports.drafts``). Only the city staff who publish reports see these pages.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.decorators import client_ip, require_can
from huican.core.redirects import redirect_to_message
from huican.monitoring import narratives as service
from huican.monitoring.plan import Plan, plan_for_year
from huican.monitoring.reports.build import build_report, progress_reports
from huican.monitoring.reports.drafts import NEEDS_FIGURES, TASK_PREFIX, Section, draft, simple_draft
from huican.monitoring.selectors import plan_years

KINDS = {"annual": False, "final": True}


class NarrativeForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("内容"), required=False)

    def __init__(self, *args: Any, section: Section, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service checks lengths and dates (one place for the rules); the form only shows them.
        field = self.fields["text"]
        field.label = section.title
        field.help_text = section.help_text
        if section.kind == "text":
            field.widget = forms.Textarea(attrs={"rows": 12})
        elif section.kind == "date":
            field.widget = forms.DateInput(attrs={"type": "date"})
        else:
            field.widget = forms.TextInput(attrs={"maxlength": service.MAX_LINE})


class ProjectFigureForm(forms.Form):
    target = forms.ChoiceField(label=gettext_lazy("专栏项目目标"))
    year = forms.TypedChoiceField(label=gettext_lazy("数据年度"), coerce=int)
    value = forms.DecimalField(label=gettext_lazy("完成值"), max_digits=14, decimal_places=2, min_value=0)
    source = forms.CharField(
        label=gettext_lazy("数据来源"),
        max_length=200,
        help_text=gettext_lazy("如部门报送的文件名称和文号"),
    )

    def __init__(self, *args: Any, plan: Plan, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = [
            (target.code, f"{target.name}（单位：{target.unit}）")
            for target in service.enterable_targets(plan)
        ]
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [(y, f"{y} 年") for y in reversed(years)]


def _report(request: HttpRequest, year: int, kind: str) -> tuple[Plan, bool]:
    if not service.may_edit_narratives(request.user):
        raise PermissionDenied(_("只有市级工作人员可以编辑报告"))
    if kind not in KINDS:
        raise Http404(_("没有该报告"))
    plan = plan_for_year(year)
    if year not in plan_years(plan, timezone.localdate()):
        raise Http404(_("没有该年度"))
    return plan, KINDS[kind]


def _section(plan: Plan, final: bool, key: str) -> Section:
    try:
        return service.find_section(plan, final=final, section=key)
    except service.NarrativeError:
        raise Http404(_("报告中没有该部分")) from None


def _label(year: int, final: bool) -> str:
    return _("%(year)s 年终期评估") % {"year": year} if final else _("%(year)s 年度监测报告") % {"year": year}


def _draft(plan: Plan, year: int, final: bool, section: str) -> str:
    """The draft of a part: 存在的问题 and 下一步建议 from the whole report computed on current data;
    the others from the plan and the progress reports only (cheap)."""
    if section in NEEDS_FIGURES:
        return draft(build_report(year=year, final=final), section)
    progress = progress_reports(plan, year) if section.startswith(TASK_PREFIX) else []
    return simple_draft(plan, year=year, section=section, progress=progress, issued=timezone.localdate())


@require_can("view_aggregates")
@require_GET
def narrative_index(request: HttpRequest) -> HttpResponse:
    """The reports whose parts may be edited: each year's annual report and final evaluation."""
    if not service.may_edit_narratives(request.user):
        raise PermissionDenied(_("只有市级工作人员可以编辑报告"))
    today = timezone.localdate()
    plan = plan_for_year(today.year)
    years = list(reversed(plan_years(plan, today)))
    return render(request, "monitoring/narrative_index.html", {"years": years, "plan": plan})


@require_can("view_aggregates")
@require_GET
def narrative_list(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    """Every editable part of a report, with the text in force or the draft."""
    plan, final = _report(request, year, kind)
    in_force = service.narratives_in_force(plan_code=plan.code, year=year, final=final)
    sections = service.editable_sections(plan, final=final)
    drafted = [section.key for section in sections if section.key not in in_force]
    # The whole report is computed only when a part that needs its figures has no text yet.
    data = build_report(year=year, final=final) if set(drafted) & set(NEEDS_FIGURES) else None
    progress = progress_reports(plan, year) if final else []
    today = timezone.localdate()
    parts = []
    for section in sections:
        entry = in_force.get(section.key)
        if entry:
            text = entry["text"]
        elif section.key in NEEDS_FIGURES:
            text = draft(data, section.key) if data else ""
        else:
            text = simple_draft(plan, year=year, section=section.key, progress=progress, issued=today)
        parts.append(
            {
                "section": section,
                "entry": entry,
                "text": text,
                "url": reverse("monitoring:narrative_edit", args=[year, kind, section.key]),
            }
        )
    context = {
        "year": year,
        "kind": kind,
        "final": final,
        "label": _label(year, final),
        "parts": parts,
        "figures_url": reverse("monitoring:project_figures", args=[year]) if final else "",
    }
    return render(request, "monitoring/narratives.html", context)


@require_can("view_aggregates")
@require_http_methods(["GET", "POST"])
def narrative_edit(request: HttpRequest, year: int, kind: str, section: str) -> HttpResponse:
    """Edit one part: the form starts from the text in force (or the draft); each save is a version."""
    plan, final = _report(request, year, kind)
    part = _section(plan, final, section)
    history = service.narrative_history(plan=plan, year=year, final=final, section=section)
    if request.method == "POST":
        form = NarrativeForm(request.POST, section=part)
        if form.is_valid():
            try:
                saved = service.narrative_save(
                    plan=plan,
                    year=year,
                    final=final,
                    section=section,
                    text=form.cleaned_data["text"],
                    actor=request.user,
                    ip_address=client_ip(request),
                )
            except service.NarrativeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("已保存“%(title)s”第 %(version)s 版。")
                    % {"title": part.title, "version": saved.version},
                )
                return redirect_to_message("monitoring:narrative_edit", year, kind, section)
    else:
        text = history[0].text if history else _draft(plan, year, final, section)
        form = NarrativeForm(initial={"text": text}, section=part)
    context = {
        "year": year,
        "kind": kind,
        "label": _label(year, final),
        "part": part,
        "form": form,
        "history": history,
        "is_draft": not history,
    }
    return render(request, "monitoring/narrative_edit.html", context, status=400 if form.is_bound else 200)


@require_can("view_aggregates")
@require_GET
def narrative_version(request: HttpRequest, year: int, kind: str, section: str, version: int) -> HttpResponse:
    """An older version of a part, read-only, with the button that restores it."""
    plan, final = _report(request, year, kind)
    part = _section(plan, final, section)
    try:
        old = service.narrative_version(plan=plan, year=year, final=final, section=section, version=version)
    except service.NarrativeError:
        raise Http404(_("没有该版本")) from None
    context = {"year": year, "kind": kind, "label": _label(year, final), "part": part, "old": old}
    return render(request, "monitoring/narrative_version.html", context)


@require_can("view_aggregates")
@require_POST
def narrative_restore(request: HttpRequest, year: int, kind: str, section: str, version: int) -> HttpResponse:
    plan, final = _report(request, year, kind)
    part = _section(plan, final, section)
    try:
        saved = service.narrative_restore(
            plan=plan,
            year=year,
            final=final,
            section=section,
            version=version,
            actor=request.user,
            ip_address=client_ip(request),
        )
    except service.NarrativeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已将“%(title)s”第 %(old)s 版恢复为第 %(version)s 版。")
            % {"title": part.title, "old": version, "version": saved.version},
        )
    return redirect_to_message("monitoring:narrative_edit", year, kind, section)


@require_can("view_aggregates")
@require_http_methods(["GET", "POST"])
def project_figures(request: HttpRequest, year: int) -> HttpResponse:
    """The 专栏 project targets the data cannot compute: staff enter their figures (audited)."""
    plan, _final = _report(request, year, "final")
    years = plan_years(plan, timezone.localdate())
    form = ProjectFigureForm(
        request.POST if request.method == "POST" else None,
        plan=plan,
        years=years,
        initial={"year": year},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.project_figure_set(
                plan=plan,
                target_code=data["target"],
                year=int(data["year"]),
                value=data["value"],
                source=data["source"],
                actor=request.user,
                ip_address=client_ip(request),
            )
        except service.NarrativeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存专栏项目数据。"))
            return redirect_to_message("monitoring:project_figures", year)
    names = {target.code: target for target in service.enterable_targets(plan)}
    entries = [
        {"figure": figure, "target": names.get(figure.target_code)}
        for figure in service.project_figure_list(plan)
    ]
    context = {
        "year": year,
        "form": form,
        "entries": entries,
        "targets": list(names.values()),
    }
    return render(request, "monitoring/project_figures.html", context, status=400 if form.is_bound else 200)
