"""REST API for subsidy applications (两项补贴申请): list and read them in the user's region, receive
one, and act on the step it waits at. The same services as the web pages decide (``services``); a
refusal of theirs (``ApplicationError``) is a 422 in the API's one error shape, naming the field.
Reads of one application are audited with ``"via": "api"``, as the registry's are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from huican.accounts.access import can
from huican.accounts.decorators import client_ip
from huican.benefits.models import Application
from huican.benefits.selectors import access_application_by_id, applications_for, deadline_of
from huican.benefits.services import (
    ApplicationError,
    application_create,
    application_pass,
    application_reject,
    application_resubmit,
    application_return,
    application_withdraw,
    today,
)
from huican.core.audit import audit_record
from huican.registry.selectors import access_person_by_id

router = Router(tags=["两项补贴申请"])


class ApiProblem(HttpError):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.details = details


def _refused(exc: ApplicationError) -> ApiProblem:
    return ApiProblem(422, "application_refused", str(exc), [{"field": exc.field, "problem": str(exc)}])


class ApplicationOut(Schema):
    id: int
    person_id: int
    name: str
    id_masked: str = Field(description="身份证号（脱敏）")
    benefit: str = Field(description="living_subsidy | nursing_subsidy")
    benefit_name: str
    status: str = Field(
        description="submitted | township_passed | federation_passed | in_notice | approved | …"
    )
    status_name: str
    source: str
    applicant_kind: str
    applicant_name: str
    applied_on: dt.date
    county_code: str
    township_code: str
    step_started_on: dt.date | None = Field(description="当前环节收件日期（办理期限自此起算）")
    due_on: dt.date | None = Field(description="当前环节的办理期限（工作日计算）")
    overdue: bool
    notice_until: dt.date | None
    decided_on: dt.date | None
    reject_reason: str
    account_name: str
    account_masked: str
    finding_id: int | None


class EventOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    reason: str
    override_reason: str
    decision: str = Field(description="当时的判定：eligible | ineligible | unknown（撤回等为空）")
    clauses: list[dict[str, Any]]


class ApplicationDetailOut(ApplicationOut):
    events: list[EventOut]


class ApplicationQuery(Schema):
    status: Application.Status | None = Field(None, description="按状态筛选")
    benefit: Literal["living_subsidy", "nursing_subsidy"] | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ApplicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: int
    benefit: Literal["living_subsidy", "nursing_subsidy"]
    applicant_kind: Application.Applicant = Application.Applicant.SELF
    applicant_name: str = Field("", max_length=64)
    applied_on: dt.date | None = Field(None, description="申请日期，默认今天")
    account_name: str = Field("", max_length=64)
    account_number: str = Field("", max_length=40)
    note: str = Field("", max_length=500)


class ActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["pass", "return", "reject", "withdraw", "resubmit"]
    reason: str = Field("", max_length=2000)
    override_reason: str = Field("", max_length=1000, description="判定为不符合或待核实时通过须填写")


def application_out(application: Application, *, day: dt.date) -> dict[str, Any]:
    deadline = deadline_of(application, today=day)
    return {
        "id": application.pk,
        "person_id": application.person_id,
        "name": application.person.name,
        "id_masked": application.person.id_masked,
        "benefit": application.benefit,
        "benefit_name": application.get_benefit_display(),
        "status": application.status,
        "status_name": application.get_status_display(),
        "source": application.source,
        "applicant_kind": application.applicant_kind,
        "applicant_name": application.applicant_name,
        "applied_on": application.applied_on,
        "county_code": application.county_code,
        "township_code": application.township_code,
        "step_started_on": application.step_started_on,
        "due_on": deadline.due if deadline else None,
        "overdue": bool(deadline and deadline.overdue),
        "notice_until": application.notice_until,
        "decided_on": application.decided_on,
        "reject_reason": application.reject_reason,
        "account_name": application.account_name,
        "account_masked": application.account_masked,
        "finding_id": application.finding_id,
    }


def _detail_out(application: Application) -> dict[str, Any]:
    events = [
        {
            "at": e.at,
            "actor": e.actor_name,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "reason": e.reason,
            "override_reason": e.override_reason,
            "decision": e.decision,
            "clauses": e.clauses,
        }
        for e in application.events.all()
    ]
    return {**application_out(application, day=today()), "events": events}


def _require_benefits(request: HttpRequest) -> Any:
    user: Any = request.user
    if not can(user, "view_benefits"):
        raise ApiProblem(403, "forbidden", "您的角色无权使用补贴经办")
    return user


@router.get("", response=list[ApplicationOut], summary="本辖区的补贴申请")
def list_applications(request: HttpRequest, query: Query[ApplicationQuery]) -> list[dict[str, Any]]:
    user = _require_benefits(request)
    applications = applications_for(user)
    if query.status:
        applications = applications.filter(status=query.status)
    if query.benefit:
        applications = applications.filter(benefit=query.benefit)
    day = today()
    page = applications.order_by("-applied_on", "-id")[query.offset : query.offset + query.limit]
    return [application_out(a, day=day) for a in page]


@router.get("/{application_id}", response=ApplicationDetailOut, summary="一件申请及其办理记录")
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    user = _require_benefits(request)
    application = access_application_by_id(user, application_id)
    audit_record(
        actor=user,
        action="benefits.application_view",
        object_type="benefits.Application",
        object_id=application.pk,
        region_code=application.township_code or application.county_code,
        detail={"via": "api"},
        ip_address=client_ip(request),
    )
    return _detail_out(application)


@router.post("", response={201: ApplicationDetailOut}, summary="受理一件申请（窗口受理）")
def create_application(request: HttpRequest, payload: ApplicationIn) -> Status[dict[str, Any]]:
    user = _require_benefits(request)
    person = access_person_by_id(user, payload.person_id)
    try:
        application = application_create(
            actor=user,
            person=person,
            benefit=payload.benefit,
            applicant_kind=payload.applicant_kind,
            applicant_name=payload.applicant_name,
            applied_on=payload.applied_on,
            source=Application.Source.API,
            account_name=payload.account_name,
            account_number=payload.account_number,
            note=payload.note,
        )
    except ApplicationError as exc:
        raise _refused(exc) from None
    return Status(201, _detail_out(application))


ACTIONS: dict[str, Callable[..., Application]] = {
    "pass": application_pass,
    "return": application_return,
    "reject": application_reject,
    "withdraw": application_withdraw,
    "resubmit": application_resubmit,
}


@router.post("/{application_id}/actions", response=ApplicationDetailOut, summary="办理当前环节")
def act_on_application(request: HttpRequest, application_id: int, payload: ActionIn) -> dict[str, Any]:
    """pass（通过；判定不符合或待核实时须 override_reason）、return（退回补正）、reject（不予批准）、
    withdraw（撤回）、resubmit（补正后重新提交）；后四项须填写 reason（resubmit 除外）。"""
    user = _require_benefits(request)
    application = access_application_by_id(user, application_id)
    kwargs: dict[str, Any] = {"reason": payload.reason}
    if payload.action == "pass":
        kwargs["override_reason"] = payload.override_reason
    try:
        done = ACTIONS[payload.action](actor=user, application=application, **kwargs)
    except ApplicationError as exc:
        raise _refused(exc) from None
    return _detail_out(done)
