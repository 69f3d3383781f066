"""The audit log page: browse, filter and verify (audit administrator only — 三员分立)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huican.accounts.decorators import client_ip, require_can
from huican.accounts.models import AuditVerification
from huican.accounts.oversight import record_verification
from huican.core import selectors
from huican.core.audit import audit_record, audit_verify, checkpoint_verified
from huican.core.audit_labels import action_label, detail_lines, object_label
from huican.core.forms import AuditFilterForm
from huican.core.redirects import redirect_to_message

PAGE_SIZE = 50


@require_can("read_audit")
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actions=selectors.audit_actions())
    status = 200
    if form.is_bound and not form.is_valid():
        entries = selectors.audit_entries().none()
        status = 400
    else:
        filters = selectors.filters_from(form.cleaned_data if form.is_bound else {})
        entries = selectors.audit_entries(**filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    audit_record(
        actor=request.user,
        action="audit.view",
        detail={"filters": {k: v for k, v in request.GET.items() if k != "page"}, "page": page.number},
        ip_address=client_ip(request),
    )
    rows = [
        {
            "entry": e,
            "action": action_label(e.action),
            "object": object_label(e.object_type) if e.object_type else "",
            "details": detail_lines(e.detail),
        }
        for e in page
    ]
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    return render(request, "accounts/audit_log.html", context, status=status)


@require_can("read_audit")
@require_http_methods(["GET", "POST"])
def audit_verify_view(request: HttpRequest) -> HttpResponse:
    """GET: the button and the last outcome (a bookmarked or reloaded address is a page, not a 405);
    POST: verify now."""
    if request.method == "GET":
        context = {"last_verify": AuditVerification.objects.first()}
        return render(request, "accounts/audit_verify.html", context)
    result = audit_verify()
    if result.intact:
        checkpoint_verified(result)
        messages.success(request, _("审计日志完整，共 %(n)d 条。") % {"n": result.checked})
    elif result.first_broken is None:
        messages.error(request, _("审计日志无法确认完整：%(problem)s。") % {"problem": result.problem})
    else:
        messages.error(
            request,
            _("审计日志第 %(seq)d 条记录有问题：%(problem)s（之前的 %(n)d 条完好）。")
            % {"seq": result.first_broken, "problem": result.problem, "n": result.checked},
        )
    record_verification(result, actor=request.user, ip_address=client_ip(request))
    return redirect_to_message("audit:log")
