"""Pages of the applications and their approval chain (thin: the rules are in ``services``).

- the work list (两项补贴申请待办): what waits at the user's step, overdue first, and every
  application of the user's region, filtered by status, subsidy and township;
- a new application at the window, for a person found by search or opened from the person page;
- an application: person, status, the decision of the day clause by clause, its history, its
  documents and the actions the user may take (each a POST form; errors next to their field);
- 代为申请 from a finding (the finding's page shows the button and the application through the
  ``benefits_applications`` template tags);
- the 不予批准通知书 and the 公示名单 are in ``views_papers`` (their URLs are mounted here).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip
from huican.benefits import letters, views_papers
from huican.benefits.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    DocumentForm,
    PassForm,
    PersonSearchForm,
    ReasonForm,
)
from huican.benefits.models import Application, ApplicationDocument
from huican.benefits.selectors import (
    Deadline,
    access_application_by_id,
    applications_for,
    deadline_of,
    waiting_for,
    with_deadlines,
)
from huican.benefits.services import (
    DOCUMENT_AREA,
    ApplicationError,
    application_create,
    application_from_finding,
    application_pass,
    application_reject,
    application_resubmit,
    application_return,
    application_withdraw,
    current_step,
    decision_on,
    document_attach,
    may_act,
    may_use_window,
    today,
)
from huican.benefits.workdays import all_step_limits, calendar_overrides, working_days_between
from huican.core import documents
from huican.core.audit import audit_record
from huican.matching.selectors import access_finding_by_id
from huican.registry import selectors as registry_selectors

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
ACTION_NAMES = {
    "create": "受理",
    "pass": "通过",
    "return": "退回补正",
    "reject": "不予批准",
    "withdraw": "撤回",
    "resubmit": "补正后重新提交",
}
DECISION_NAMES = {"eligible": "符合", "ineligible": "不符合", "unknown": "待核实"}


def _require_benefits(request: HttpRequest) -> Any:
    user: Any = request.user
    if not can(user, "view_benefits"):
        raise PermissionDenied(_("您的角色无权使用补贴经办"))
    return user


def deadline_view(
    deadline: Deadline | None, day: dt.date, overrides: dict[dt.date, bool]
) -> dict[str, Any] | None:
    """What a list shows of a step's deadline: the date, and the working days left or the days over."""
    if deadline is None:
        return None
    if deadline.step == "notice":
        text = _("公示至 {due}").format(due=f"{deadline.due:%Y-%m-%d}")
    elif deadline.overdue:
        over = working_days_between(deadline.due, day, overrides)
        text = _("已超期 {days} 天（{working} 个工作日）").format(days=-deadline.days_left, working=over)
    else:
        left = working_days_between(day, deadline.due, overrides)
        text = _("剩余 {working} 个工作日").format(working=left)
    return {"due": deadline.due, "overdue": deadline.overdue, "text": text}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The applications waiting at a step the user holds (overdue first), then all of the region."""
    user = _require_benefits(request)
    day = today()
    overrides = calendar_overrides()
    waiting = [
        (application, deadline_view(deadline, day, overrides))
        for application, deadline in with_deadlines(list(waiting_for(user)[:500]), today=day)
    ]
    form = ApplicationFilterForm(request.GET or None, prefix_code=region_prefix_for(user) or "")
    applications = applications_for(user)
    query = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            applications = applications.filter(status=data["status"])
        if data["benefit"]:
            applications = applications.filter(benefit=data["benefit"])
        if data["township"]:
            applications = applications.filter(township_code=data["township"])
        query = urlencode({k: v for k, v in data.items() if v})
    page = Paginator(applications.order_by("-applied_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    limits = all_step_limits()
    rows = [
        (a, deadline_view(deadline_of(a, today=day, limits=limits, overrides=overrides), day, overrides))
        for a in page.object_list
    ]
    context = {
        "waiting": waiting,
        "overdue_count": sum(1 for _a, d in waiting if d and d["overdue"]),
        "form": form,
        "page": page,
        "rows": rows,
        "query": query,
        "may_create": may_use_window(user),
    }
    return render(request, "benefits/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """A new application at the window: find the person (POSTed search), then the form."""
    user = _require_benefits(request)
    if not may_use_window(user):
        raise PermissionDenied(_("只有乡镇（街道）和县残联工作人员可以受理申请"))
    person_id = request.GET.get("person") or request.POST.get("person")
    if not person_id:
        return _find_person(request, user)
    try:
        person = registry_selectors.access_person_by_id(user, int(person_id))
    except ValueError:
        raise Http404(_("未找到该人员")) from None
    status = 200
    if request.method == "POST" and "benefit" in request.POST:
        form = ApplicationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = application_create(
                    actor=user,
                    person=person,
                    benefit=data["benefit"],
                    applicant_kind=data["applicant_kind"],
                    applicant_name=data["applicant_name"],
                    applied_on=data["applied_on"],
                    account_name=data["account_name"],
                    account_number=data["account_number"],
                    note=data["note"],
                )
            except ApplicationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("已受理申请，等待乡镇（街道）初审。"))
                return redirect("benefits:application", application_id=application.pk)
        status = 400
    else:
        form = ApplicationForm()
    open_applications = person.applications.filter(status__in=Application.OPEN).exclude(
        source=Application.Source.IMPORT
    )
    context = {"person": person, "form": form, "open_applications": open_applications}
    return render(request, "benefits/application_form.html", context, status=status)


def _find_person(request: HttpRequest, user: Any) -> HttpResponse:
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"search_form": form, "persons": None}
    if form.is_bound and form.is_valid():
        result = registry_selectors.search_persons(user, form.cleaned_data["q"])
        if result.problem:
            form.add_error("q", result.problem)
        else:
            persons = list(result.persons[:50])
            context["persons"] = persons
            audit_record(
                actor=user,
                action="registry.search",
                object_type="registry.Person",
                region_code=region_prefix_for(user) or "",
                detail={
                    "via": "benefits",
                    "mode": result.mode,
                    "query": result.audit_query,
                    "results": len(persons),
                },
                ip_address=client_ip(request),
            )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "benefits/application_find.html", context, status=status)


def _add_error(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _action_forms(
    application: Application, user: Any, bound: tuple[str, forms.Form] | None
) -> dict[str, Any]:
    """The forms of the actions the user may take on the application now."""
    found: dict[str, Any] = {}
    if may_act(user, application):
        found["pass"] = PassForm(prefix="pass")
        if application.status != Application.Status.IN_NOTICE:
            found["return"] = ReasonForm(action="return")
        found["reject"] = ReasonForm(action="reject")
    if may_use_window(user, application=application):
        if application.status == Application.Status.RETURNED:
            found["resubmit"] = ReasonForm(action="resubmit")
        if application.is_open:
            found["withdraw"] = ReasonForm(action="withdraw")
    if bound is not None:
        found[bound[0]] = bound[1]
    return found


def _detail(
    request: HttpRequest,
    application: Application,
    *,
    bound: tuple[str, forms.Form] | None = None,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    day = today()
    try:
        decision: dict[str, Any] | None = decision_on(application, day)
    except Exception:  # one person's explanation must not take the page down
        logger.exception("decision_on failed for application %s", application.pk)
        decision = None
    overrides = calendar_overrides()
    deadline = deadline_view(deadline_of(application, today=day, overrides=overrides), day, overrides)
    events = [
        {
            "event": event,
            "action": ACTION_NAMES.get(event.action, event.action),
            "from": Application.Status(event.from_status).label if event.from_status else "",
            "to": Application.Status(event.to_status).label,
            "decision": DECISION_NAMES.get(event.decision, ""),
        }
        for event in application.events.all()
    ]
    notice_wait = (
        application.status == Application.Status.IN_NOTICE
        and application.notice_until is not None
        and day <= application.notice_until
    )
    names = letters.region_names({application.county_code, application.township_code})
    context = {
        "application": application,
        "person": application.person,
        "county_name": names.get(application.county_code, ""),
        "township_name": names.get(application.township_code, ""),
        "decision": decision,
        "override_needed": decision is not None and decision["decision"] != "eligible",
        "deadline": deadline,
        "step": current_step(application),
        "events": events,
        "documents": application.documents.order_by("uploaded_at", "id"),
        "document_form": document_form or (DocumentForm() if _may_attach(user, application) else None),
        "actions": _action_forms(application, user, bound),
        "notice_wait": notice_wait,
        "may_link_person": can(user, "browse_registry"),
        "finding_id": application.finding_id if can(user, "view_findings") else None,
        "may_create": may_use_window(user),
    }
    return render(request, "benefits/application_detail.html", context, status=status)


def _may_attach(user: Any, application: Application) -> bool:
    return application.is_open and (
        may_use_window(user, application=application) or may_act(user, application)
    )


@login_required
@require_GET
def detail(request: HttpRequest, application_id: int) -> HttpResponse:
    user = _require_benefits(request)
    application = access_application_by_id(user, application_id)
    audit_record(
        actor=user,
        action="benefits.application_view",
        object_type="benefits.Application",
        object_id=application.pk,
        region_code=application.township_code or application.county_code,
        ip_address=client_ip(request),
    )
    return _detail(request, application)


ACTIONS: dict[str, Callable[..., Application]] = {
    "pass": application_pass,
    "return": application_return,
    "reject": application_reject,
    "withdraw": application_withdraw,
    "resubmit": application_resubmit,
}
DONE_MESSAGES = {
    "pass": "已办理：{status}。",
    "return": "已退回补正。",
    "reject": "已不予批准，可打印不予批准通知书。",
    "withdraw": "已登记撤回。",
    "resubmit": "已重新提交，回到退回它的环节。",
}


@login_required
@require_POST
def act(request: HttpRequest, application_id: int) -> HttpResponse:
    """One action on the application (pass, return, reject, withdraw, resubmit)."""
    user = _require_benefits(request)
    application = access_application_by_id(user, application_id)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        messages.error(request, _("不认识的操作"))
        return redirect("benefits:application", application_id=application.pk)
    form: forms.Form = (
        PassForm(request.POST, prefix="pass") if action == "pass" else ReasonForm(request.POST, action=action)
    )
    if form.is_valid():
        kwargs: dict[str, Any] = {"reason": form.cleaned_data["reason"]}
        if action == "pass":
            kwargs["override_reason"] = form.cleaned_data["override_reason"]
        try:
            done = ACTIONS[action](actor=user, application=application, **kwargs)
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _(DONE_MESSAGES[action]).format(status=done.get_status_display()))
            return redirect("benefits:application", application_id=application.pk)
    return _detail(request, application, bound=(action, form), status=400)


@login_required
@require_POST
def document_upload(request: HttpRequest, application_id: int) -> HttpResponse:
    user = _require_benefits(request)
    application = access_application_by_id(user, application_id)
    if not _may_attach(user, application):
        raise PermissionDenied(_("无权为该申请上传材料"))
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        limit = int(settings.HUICAN_DOCUMENT_MAX_BYTES)
        data = upload.read(limit + 1)  # enough to tell a file over the limit, never more
        try:
            document_attach(
                actor=user,
                application=application,
                data=data,
                name=upload.name,
                kind=form.cleaned_data["kind"],
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("已上传材料（加密保存）。"))
            return redirect("benefits:application", application_id=application.pk)
    return _detail(request, application, document_form=form, status=400)


@login_required
@require_GET
def document_download(request: HttpRequest, application_id: int, document_id: int) -> HttpResponse:
    """The document decrypted, for a user who may see the application (audited)."""
    user = _require_benefits(request)
    application = access_application_by_id(user, application_id)
    try:
        document = application.documents.get(pk=document_id)
    except ApplicationDocument.DoesNotExist:
        raise Http404(_("未找到该材料")) from None
    data = documents.read(DOCUMENT_AREA, document.stored_name)
    audit_record(
        actor=user,
        action="benefits.document_download",
        object_type="benefits.Application",
        object_id=application.pk,
        region_code=application.township_code or application.county_code,
        detail={"document": document.pk, "kind": document.kind, "size": document.size},
        ip_address=client_ip(request),
    )
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.original_name)}"
    return response


@login_required
@require_POST
def apply_for_finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    """代为申请: one POST on a `*_not_covered` finding (``services.application_from_finding``); on to
    the application, or back to the finding with the reason it was refused."""
    user: Any = request.user
    if not can(user, "view_findings"):
        raise Http404(_("未找到该比对发现"))
    finding = access_finding_by_id(user, finding_id)
    try:
        application = application_from_finding(actor=user, finding=finding)
    except ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("matching:detail", finding_id=finding.pk)
    messages.success(request, _("已代为申请，等待乡镇（街道）初审。比对发现已转为“已核实-需处理”。"))
    return redirect("benefits:application", application_id=application.pk)


urlpatterns = [
    path("", index, name="index"),
    path("applications/new/", create, name="application_create"),
    path("applications/<int:application_id>/", detail, name="application"),
    path("findings/<int:finding_id>/apply/", apply_for_finding, name="apply_for_finding"),
    path("applications/<int:application_id>/actions/", act, name="application_act"),
    path("applications/<int:application_id>/documents/", document_upload, name="document_upload"),
    path(
        "applications/<int:application_id>/documents/<int:document_id>/",
        document_download,
        name="document_download",
    ),
    *views_papers.urlpatterns,
]
