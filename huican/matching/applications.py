"""A finding that a subsidy is not received (`living_subsidy_not_covered`,
`nursing_subsidy_not_covered`) starts an application on the person's behalf with one action
(主动发现, 代为申请; ``benefits.services.application_from_finding``); the finding then shows the
application it led to."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huican.accounts.access import can
from huican.benefits.selectors import applications_for, open_applications_for
from huican.benefits.services import (
    FINDING_BENEFITS,
    ApplicationError,
    application_from_finding,
    may_use_window,
)
from huican.matching.models import Finding
from huican.matching.selectors import access_finding_by_id


def finding_applications(user: Any, finding: Finding) -> dict[str, Any]:
    """For the finding's page: the applications it led to (that the user may see), and whether the
    user may start one now (a window in the person's region, no open application for that subsidy)."""
    led_to = list(applications_for(user).filter(finding=finding).order_by("-id"))
    benefit = FINDING_BENEFITS.get(finding.code)
    may_apply = (
        benefit is not None
        and may_use_window(user, person=finding.person)
        and not open_applications_for(user).filter(person_id=finding.person_id, benefit=benefit).exists()
    )
    return {"finding_applications": led_to, "may_apply": may_apply}


@login_required
@require_POST
def apply_for_finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    """代为申请: one POST on the finding; back to the finding with the error, or on to the application."""
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
