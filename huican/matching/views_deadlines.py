"""处理期限: how many working days staff have for each kind of finding (city staff set them)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huican.accounts.access import can
from huican.accounts.models import Role
from huican.core.audit import audit_record
from huican.core.redirects import redirect_to_message
from huican.matching.inbox import DEFAULT_DAYS, deadline_days, tier
from huican.matching.models import FindingCode, FindingDeadline
from huican.matching.urgency import by_urgency


class DeadlinesForm(forms.Form):
    def __init__(self, *args: object, current: dict[str, int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        names = dict(FindingCode.choices)
        for code in by_urgency(FindingCode.values):
            self.fields[code] = forms.IntegerField(
                label=names[code],
                min_value=1,
                max_value=365,
                initial=current[code],
                help_text=_("默认 %(n)d 个工作日") % {"n": DEFAULT_DAYS[tier(code)]},
            )


@login_required
@require_http_methods(["GET", "POST"])
def deadlines(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_change = can(user, "view_findings") and getattr(user, "role", None) == Role.CITY_STAFF
    if not can(user, "view_findings"):
        raise PermissionDenied(_("您的角色无权查看处理期限"))
    current = deadline_days()
    form = DeadlinesForm(request.POST or None, current=current)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("处理期限由市残联工作人员设置"))
        if form.is_valid():
            changed = {c: d for c, d in form.cleaned_data.items() if d != current[c]}
            for code, days in changed.items():
                FindingDeadline.objects.update_or_create(code=code, defaults={"working_days": days})
            if changed:
                audit_record(
                    actor=user,
                    action="finding.deadlines",
                    object_type="matching.FindingDeadline",
                    detail={"before": {c: current[c] for c in changed}, "after": changed},
                )
            messages.success(request, _("已保存处理期限。"))
            return redirect_to_message("matching:deadlines")
    return render(
        request,
        "matching/deadlines.html",
        {"form": form, "may_change": may_change},
        status=400 if request.method == "POST" else 200,
    )
