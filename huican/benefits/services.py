"""The approval chain of an application (BENEFITS.md "States of an application"), and the writes
around it: documents, entitlements stopped, 择高 choices. Views, the API and the CLI call these.

    submitted ─初审(乡镇)→ township_passed ─审核(县残联)→ federation_passed ─审定(县民政)→ in_notice
    ─公示期满无异议(县民政)→ approved (entitlement created)

At any review step the reviewer may return the file (退回补正: back to the window, which resubmits it
to the same step, whose clock restarts) or refuse it (不予批准, with a written reason and a notice
letter); the applicant may withdraw before approval (撤回, recorded by the window). Every
transition records who, when, the RULES.md decision of the day clause by clause and the reason,
and is audited. Passing a step while the decision is `ineligible` or `unknown` needs a written
override reason. One open application per person and subsidy.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from huican.accounts.access import region_prefix_for
from huican.accounts.models import Role
from huican.benefits.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Benefit,
    BenefitChoice,
    Entitlement,
    StepLimit,
)
from huican.benefits.workdays import add_working_days, calendar_overrides, step_limits
from huican.core import documents
from huican.core.actors import actor_name, user_of
from huican.core.audit import audit_record
from huican.core.crypto import encrypt
from huican.registry.models import Person

S = Application.Status
STEP_OF_STATUS: dict[str, str] = {
    S.SUBMITTED: StepLimit.Step.TOWNSHIP,
    S.TOWNSHIP_PASSED: StepLimit.Step.FEDERATION,
    S.FEDERATION_PASSED: StepLimit.Step.CIVIL_AFFAIRS,
    S.IN_NOTICE: StepLimit.Step.NOTICE,
}
NEXT_STATUS: dict[str, str] = {
    S.SUBMITTED: S.TOWNSHIP_PASSED,
    S.TOWNSHIP_PASSED: S.FEDERATION_PASSED,
    S.FEDERATION_PASSED: S.IN_NOTICE,
    S.IN_NOTICE: S.APPROVED,
}
ROLE_OF_STEP: dict[str, str] = {
    StepLimit.Step.TOWNSHIP: Role.TOWNSHIP_STAFF,
    StepLimit.Step.FEDERATION: Role.COUNTY_STAFF,
    StepLimit.Step.CIVIL_AFFAIRS: Role.CIVIL_AFFAIRS_OFFICER,
    StepLimit.Step.NOTICE: Role.CIVIL_AFFAIRS_OFFICER,
}
PASS_NAMES: dict[str, str] = {
    StepLimit.Step.TOWNSHIP: "乡镇初审通过",
    StepLimit.Step.FEDERATION: "县残联审核通过",
    StepLimit.Step.CIVIL_AFFAIRS: "县民政审定通过，进入公示",
    StepLimit.Step.NOTICE: "公示期满无异议，批准",
}
# The window (受理): creates, resubmits after 退回补正, records a withdrawal.
WINDOW_ROLES = frozenset({Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF})
FINDING_BENEFITS = {
    "living_subsidy_not_covered": Benefit.LIVING,
    "nursing_subsidy_not_covered": Benefit.NURSING,
}


def mask_account(number: str) -> str:
    """A bank account number as shown to staff without full rights: its last four digits."""
    return f"****{number[-4:]}" if len(number) > 4 else "****"


class ApplicationError(Exception):
    """An action the chain does not allow; ``field`` names the input at fault ("" = none)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def today() -> dt.date:
    return timezone.localdate()


def in_scope(user: Any, application: Application) -> bool:
    prefix = region_prefix_for(user)
    return prefix is not None and application.person.region_id.startswith(prefix)


def current_step(application: Application) -> str | None:
    return STEP_OF_STATUS.get(application.status)


def may_act(user: Any, application: Application) -> bool:
    """Whether `user` holds the step the application is waiting at (role and region)."""
    step = current_step(application)
    if step is None or user_of(user) is None:
        return False
    return user.role == ROLE_OF_STEP[step] and in_scope(user, application)


def may_use_window(user: Any, application: Application | None = None, person: Person | None = None) -> bool:
    """Whether `user` works at a window (township or county staff) whose region holds the person."""
    if user_of(user) is None or user.role not in WINDOW_ROLES:
        return False
    prefix = region_prefix_for(user)
    subject = application.person if application is not None else person
    return prefix is not None and (subject is None or subject.region_id.startswith(prefix))


def decision_on(application: Application, on: dt.date) -> dict[str, Any]:
    """The RULES.md decision of the application's subsidy on `on`, clause by clause (as the person page)."""
    from huican.policy.rules import explain_person

    for row in explain_person(application.person_id, on):
        if row["benefit"] == application.benefit:
            return {
                "decision": row["decision"],
                "decision_name": row["decision_name"],
                "amount": row["amount"],
                "flags": list(row["flags"]),
                "clauses": [
                    {
                        "clause": str(r["clause"]),
                        "label": str(r["label"]),
                        "passed": r["passed"],
                        "detail": r["detail"],
                        "basis": str(r["basis"]),
                    }
                    for r in row["reasons"]
                ],
            }
    raise ApplicationError(f"未知的补贴类型：{application.benefit}")


def _record(
    application: Application,
    *,
    actor: Any,
    action: str,
    before: str,
    reason: str = "",
    override: str = "",
    decision: dict[str, Any] | None = None,
) -> ApplicationEvent:
    event = ApplicationEvent.objects.create(
        application=application,
        actor=user_of(actor),
        actor_name=actor_name(actor),
        action=action,
        from_status=before,
        to_status=application.status,
        reason=reason,
        override_reason=override,
        decision=(decision or {}).get("decision", ""),
        clauses=(decision or {}).get("clauses", []),
    )
    audit_record(
        actor=actor,
        action=f"benefits.application_{action}",
        object_type="benefits.Application",
        object_id=application.pk,
        region_code=application.township_code or application.county_code,
        reason=reason or override,
        detail={
            "person_id": application.person_id,
            "benefit": application.benefit,
            "from": before,
            "to": application.status,
            "decision": event.decision,
            "override_reason": override,
        },
    )
    return event


def application_create(
    *,
    actor: Any,
    person: Person,
    benefit: str,
    applicant_kind: str = Application.Applicant.SELF,
    applicant_name: str = "",
    applied_on: dt.date | None = None,
    source: str = Application.Source.WINDOW,
    finding: Any = None,
    account_name: str = "",
    account_number: str = "",
    note: str = "",
) -> Application:
    """Receive an application at the window (or from a finding, or the API): status 已提交, the
    township's 初审 clock starts today."""
    if benefit not in Benefit.values:
        raise ApplicationError("补贴类型不正确", "benefit")
    if applicant_kind not in Application.Applicant.values:
        raise ApplicationError("申请人类型不正确", "applicant_kind")
    if applicant_kind != Application.Applicant.SELF and not applicant_name.strip():
        raise ApplicationError("代为申请时请填写代办人（监护人、村委会经办人等）姓名", "applicant_name")
    if user_of(actor) is not None and not may_use_window(actor, person=person):
        raise ApplicationError("只有该人所在乡镇（街道）或县残联的工作人员可以受理申请")
    day = today()
    applied_on = applied_on or day
    if applied_on > day:
        raise ApplicationError("申请日期不能晚于今天", "applied_on")
    account_number = "".join(account_number.split())
    if account_number and not account_number.isdigit():
        raise ApplicationError("银行账号只能包含数字", "account_number")
    region = person.region_id
    application = Application(
        person=person,
        benefit=benefit,
        applied_on=applied_on,
        status=S.SUBMITTED,
        source=source,
        applicant_kind=applicant_kind,
        applicant_name=applicant_name.strip(),
        county_code=region[:6],
        township_code=region[:9] if len(region) >= 9 else "",
        step_started_on=day,
        finding=finding,
        account_name=account_name.strip(),
        account_encrypted=encrypt(account_number) if account_number else "",
        account_masked=mask_account(account_number) if account_number else "",
        created_by=user_of(actor),
    )
    try:
        with transaction.atomic():
            application.save()
            decision = decision_on(application, day)
            _record(application, actor=actor, action="create", before="", reason=note, decision=decision)
            if finding is not None:
                _follow_finding(finding, application, actor)
    except IntegrityError:
        raise ApplicationError(
            f"{person.name}已有一件在办的{Benefit(benefit).label}申请，同一补贴同时只能有一件在办申请",
            "benefit",
        ) from None
    return application


def application_from_finding(
    *,
    actor: Any,
    finding: Any,
    applicant_kind: str = Application.Applicant.VILLAGE,
    applicant_name: str = "",
    note: str = "",
) -> Application:
    """主动发现，代为申请: one action on a `*_not_covered` finding; the finding follows the application."""
    benefit = FINDING_BENEFITS.get(finding.code)
    if benefit is None:
        raise ApplicationError("这类比对发现不能直接发起补贴申请")
    return application_create(
        actor=actor,
        person=finding.person,
        benefit=benefit,
        applicant_kind=applicant_kind,
        applicant_name=applicant_name or actor_name(actor),
        source=Application.Source.FINDING,
        finding=finding,
        note=note or "比对发现应补未补，工作人员代为申请",
    )


def _follow_finding(finding: Any, application: Application, actor: Any) -> None:
    """The finding follows the application: confirmed, with a line in its note naming it."""
    line = f"已代为申请{application.get_benefit_display()}（申请编号 {application.pk}，{today():%Y-%m-%d}）"
    finding.status = "已核实-需处理"
    finding.note = f"{finding.note}\n{line}".strip()
    finding.save(update_fields=["status", "note", "updated_at"])


def _check_actor(actor: Any, application: Application) -> None:
    step = current_step(application)
    if step is None:
        raise ApplicationError(f"该申请目前为“{application.get_status_display()}”，没有等待审核的步骤")
    if user_of(actor) is not None and not may_act(actor, application):
        raise ApplicationError(f"该申请正在等待“{Role(ROLE_OF_STEP[step]).label}”办理，您无权办理这一步")


def application_pass(
    *, actor: Any, application: Application, reason: str = "", override_reason: str = ""
) -> Application:
    """Pass the step the application waits at (初审/审核/审定; after the notice: approve)."""
    _check_actor(actor, application)
    step = current_step(application)
    assert step is not None  # _check_actor refuses an application waiting at no step
    day = today()
    if step == StepLimit.Step.NOTICE and application.notice_until and day <= application.notice_until:
        raise ApplicationError(f"公示期至 {application.notice_until:%Y-%m-%d} 止，期满后才能批准")
    decision = decision_on(application, day)
    override_reason = override_reason.strip()
    if decision["decision"] != "eligible" and not override_reason:
        raise ApplicationError(
            f"按现有数据判定为“{decision['decision_name']}”：如材料能证明符合条件，请填写通过理由（将记入审计日志）",
            "override_reason",
        )
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != application.status:
            raise ApplicationError("该申请已被他人办理，请刷新后再试")
        before = locked.status
        locked.status = NEXT_STATUS[before]
        locked.step_started_on = day
        if locked.status == S.IN_NOTICE:
            limits = step_limits(locked.county_code)
            locked.notice_until = add_working_days(day, limits[StepLimit.Step.NOTICE], calendar_overrides())
        if locked.status == S.APPROVED:
            locked.decided_on = day
            locked.step_started_on = None
        locked.save()
        if locked.status == S.APPROVED:
            Entitlement.objects.create(
                person_id=locked.person_id,
                benefit=locked.benefit,
                start_month=locked.applied_on.replace(day=1),
                effective_from=day,
                source=Entitlement.Source.APPLICATION,
                application=locked,
            )
        _record(
            locked,
            actor=actor,
            action="pass",
            before=before,
            reason=reason,
            override=override_reason,
            decision=decision,
        )
    return locked


def _close(
    *, actor: Any, application: Application, status: str, action: str, reason: str, field: str = "reason"
) -> Application:
    if not reason.strip():
        raise ApplicationError("请填写理由", field)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != application.status:
            raise ApplicationError("该申请已被他人办理，请刷新后再试")
        before = locked.status
        locked.status = status
        if status == S.RETURNED:
            locked.returned_from = before
            locked.step_started_on = None
        elif status == S.REJECTED:
            locked.decided_on = today()
            locked.reject_reason = reason.strip()
            locked.step_started_on = None
        elif status == S.WITHDRAWN:
            locked.step_started_on = None
        locked.save()
        decision = decision_on(locked, today()) if status != S.WITHDRAWN else None
        _record(locked, actor=actor, action=action, before=before, reason=reason.strip(), decision=decision)
    return locked


def application_return(*, actor: Any, application: Application, reason: str) -> Application:
    """退回补正: back to the window with what is missing."""
    _check_actor(actor, application)
    if application.status == S.IN_NOTICE:
        raise ApplicationError("公示中的申请不能退回补正；有异议的请不予批准")
    return _close(actor=actor, application=application, status=S.RETURNED, action="return", reason=reason)


def application_reject(*, actor: Any, application: Application, reason: str) -> Application:
    """不予批准, with a written reason (the notice letter is printed from it)."""
    _check_actor(actor, application)
    return _close(actor=actor, application=application, status=S.REJECTED, action="reject", reason=reason)


def application_withdraw(*, actor: Any, application: Application, reason: str) -> Application:
    """撤回 at the applicant's request, recorded by the window; only before approval."""
    if not application.is_open:
        raise ApplicationError("只有在办的申请可以撤回")
    if user_of(actor) is not None and not may_use_window(actor, application=application):
        raise ApplicationError("撤回须由受理窗口（乡镇或县残联工作人员）登记")
    return _close(actor=actor, application=application, status=S.WITHDRAWN, action="withdraw", reason=reason)


def application_resubmit(*, actor: Any, application: Application, reason: str = "") -> Application:
    """After 退回补正: the papers are complete; the file goes back to the step that returned it."""
    if application.status != S.RETURNED:
        raise ApplicationError("只有退回补正的申请可以重新提交")
    if user_of(actor) is not None and not may_use_window(actor, application=application):
        raise ApplicationError("重新提交须由受理窗口（乡镇或县残联工作人员）办理")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = locked.status
        locked.status = locked.returned_from or S.SUBMITTED
        locked.returned_from = ""
        locked.step_started_on = today()
        locked.save()
        _record(locked, actor=actor, action="resubmit", before=before, reason=reason.strip() or "材料已补正")
    return locked


def document_attach(
    *, actor: Any, application: Application, data: bytes, name: str, kind: str
) -> ApplicationDocument:
    """Attach a scan, photo or PDF: the type is read from the bytes, the size limited, the file
    stored encrypted (``core.filecrypt``) and owner-only."""
    if user_of(actor) is not None and not (
        in_scope(actor, application) and actor.role in (*WINDOW_ROLES, Role.CIVIL_AFFAIRS_OFFICER)
    ):
        raise ApplicationError("无权为该申请上传材料")
    if kind not in ApplicationDocument.Kind.values:
        raise ApplicationError("材料类型不正确", "kind")
    try:
        content_type = documents.sniff(data)
    except documents.DocumentRefused as refused:
        raise ApplicationError(str(refused), "file") from None
    stored = documents.store(DOCUMENT_AREA, data)
    document = ApplicationDocument.objects.create(
        application=application,
        kind=kind,
        original_name=name[-200:] or "材料",
        content_type=content_type,
        size=len(data),
        stored_name=stored,
        uploaded_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="benefits.document_attach",
        object_type="benefits.Application",
        object_id=application.pk,
        region_code=application.township_code or application.county_code,
        detail={"document": document.pk, "kind": kind, "size": len(data), "type": content_type},
    )
    return document


DOCUMENT_AREA = "benefits"


def entitlement_stop(
    *, actor: Any, entitlement: Entitlement, end_month: dt.date, reason: str, note: str = ""
) -> Entitlement:
    """Stop an entitlement from the month after `end_month` (its last paid month), recording why."""
    if reason not in Entitlement.StopReason.values:
        raise ApplicationError("请选择停发原因", "reason")
    end_month = end_month.replace(day=1)
    if end_month < entitlement.start_month:
        raise ApplicationError("终止月份不能早于起始月份", "end_month")
    if user_of(actor) is not None and not (
        actor.role in (Role.COUNTY_STAFF, Role.CIVIL_AFFAIRS_OFFICER)
        and (region_prefix_for(actor) or "-")
        and entitlement.person.region_id.startswith(region_prefix_for(actor) or "-")
    ):
        raise ApplicationError("只有本县残联或民政审定人员可以停发")
    before = {"end_month": f"{entitlement.end_month}" if entitlement.end_month else None}
    entitlement.end_month = end_month
    entitlement.stop_reason = reason
    entitlement.stop_note = note.strip()
    entitlement.stopped_by = user_of(actor)
    entitlement.stopped_at = timezone.now()
    entitlement.save()
    audit_record(
        actor=actor,
        action="benefits.entitlement_stop",
        object_type="benefits.Entitlement",
        object_id=entitlement.pk,
        region_code=entitlement.person.region_id,
        reason=note,
        detail={"before": before, "end_month": f"{end_month:%Y-%m}", "stop_reason": reason},
    )
    return entitlement


def choice_record(*, actor: Any, person: Person, chosen: str, note: str = "") -> BenefitChoice:
    """The person's 择高 choice between the nursing subsidy and elderly care, recorded by staff."""
    if chosen not in BenefitChoice.Chosen.values:
        raise ApplicationError("请选择本人选择的待遇", "chosen")
    choice = BenefitChoice.objects.create(
        person=person, chosen=chosen, recorded_on=today(), note=note.strip(), recorded_by=user_of(actor)
    )
    audit_record(
        actor=actor,
        action="benefits.choice_record",
        object_type="registry.Person",
        object_id=person.pk,
        region_code=person.region_id,
        reason=note,
        detail={"chosen": chosen},
    )
    return choice


def documents_root() -> Path:
    """Where application documents are stored (encrypted; ``core.documents`` reads and writes them)."""
    return Path(settings.MEDIA_ROOT) / DOCUMENT_AREA
