"""Writes of service records: each kind's rules, the staged kinds' stages, photos, assignments.

Every write is keyword-only, atomic, checked against the actor's scope (``care.selectors``) and
audited. A service organisation's records always carry its own organisation. The 无障碍改造
projects are written by ``care.renovation``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from huican.accounts.access import can
from huican.care.models import (
    CARE,
    DEVICE,
    RENOVATION,
    VISIT,
    Assignment,
    CarePlacement,
    DeviceFitting,
    Result,
    ServiceKind,
    ServiceRecord,
    Visit,
)
from huican.care.selectors import care_persons_for, is_service_org, organisation_of
from huican.core.actors import user_of
from huican.core.audit import audit_record
from huican.registry.models import Person

DEVICE_STAGES = [s.value for s in DeviceFitting.Stage]


class CareError(Exception):
    """A service cannot be recorded as asked: field → message (Chinese), "" for the whole form."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = problems


def today() -> dt.date:
    return timezone.localdate()


def _check_scope(actor: Any, person: Person) -> None:
    if not can(actor, "record_services") or not care_persons_for(actor).filter(pk=person.pk).exists():
        raise CareError({"": "该人员不在您可服务的范围内"})


def _check_date(
    problems: dict[str, str],
    field: str,
    day: dt.date | None,
    *,
    after: dt.date | None = None,
    after_label: str = "",
) -> None:
    if day is None:
        return
    if day > today():
        problems[field] = "日期不能晚于今天"
    elif after is not None and day < after:
        problems[field] = f"日期不能早于{after_label}（{after:%Y-%m-%d}）"


def _audit(actor: Any, action: str, record: ServiceRecord, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="care.ServiceRecord",
        object_id=record.pk,
        region_code=record.person.region_id,
        detail={"person": record.person_id, "kind": record.kind, **detail},
    )


def service_record_create(
    *,
    actor: Any,
    person: Person,
    kind: str,
    service_date: dt.date,
    organisation: str = "",
    project: str = "",
    result: str = Result.DONE,
    amount: Decimal | None = None,
    notes: str = "",
    device: str = "",
    care_mode: str = "",
    period_end: dt.date | None = None,
    visitor: str = "",
    found: str = "",
    follow_up_needed: bool = False,
) -> ServiceRecord:
    """Record one service of `kind` (a 服务类型) for `person`.

    辅具适配 starts at its assessment (dated `service_date`, 进行中 until the follow-up); 托养服务 is a
    placement from `service_date` (进行中 until its period has ended); 走访探视 is done on its day;
    无障碍改造 is a household project (``renovation_create``), not a record of its own.
    """
    _check_scope(actor, person)
    if kind not in ServiceKind.values or kind == RENOVATION:
        raise CareError({"kind": "请选择服务类型（无障碍改造请按项目登记）"})
    problems: dict[str, str] = {}
    _check_date(problems, "service_date", service_date, after=person.birth_date, after_label="出生日期")
    if amount is not None and amount < 0:
        problems["amount"] = "金额不能为负数"
    if result not in Result.values:
        problems["result"] = "结果只能是完成或进行中"
    if kind == DEVICE and not device.strip():
        problems["device"] = "请填写辅具名称"
    if kind == CARE:
        if care_mode not in CarePlacement.Mode.values:
            problems["care_mode"] = "请选择托养方式"
        if period_end is not None and period_end < service_date:
            problems["period_end"] = "托养终止日期不能早于起始日期"
    if kind == VISIT:
        if not visitor.strip():
            problems["visitor"] = "请填写走访人"
        if not found.strip():
            problems["found"] = "请填写走访发现的情况"
    if problems:
        raise CareError(problems)
    if is_service_org(actor):
        organisation = organisation_of(actor)
    stage = ""
    if kind == DEVICE:
        result, stage = Result.IN_PROGRESS, DeviceFitting.Stage.ASSESSMENT
    elif kind == CARE:
        result = Result.DONE if period_end is not None and period_end <= today() else Result.IN_PROGRESS
    elif kind == VISIT:
        result = Result.DONE
    user = user_of(actor)
    with transaction.atomic():
        record = ServiceRecord.objects.create(
            person=person,
            kind=kind,
            service_date=service_date,
            organisation=organisation.strip(),
            project=project.strip(),
            result=result,
            amount=amount,
            notes=notes.strip(),
            stage=stage,
            recorded_by=user,
            recorded_by_name=getattr(user, "username", "") or str(actor or ""),
        )
        if kind == DEVICE:
            DeviceFitting.objects.create(record=record, device=device.strip(), assessed_on=service_date)
        elif kind == CARE:
            CarePlacement.objects.create(
                record=record, mode=care_mode, period_start=service_date, period_end=period_end
            )
        elif kind == VISIT:
            Visit.objects.create(
                record=record, visitor=visitor.strip(), found=found.strip(), follow_up_needed=follow_up_needed
            )
        _audit(
            actor,
            "care.service_create",
            record,
            date=service_date.isoformat(),
            organisation=record.organisation,
            result=record.result,
        )
    return record


def _locked(record: ServiceRecord) -> ServiceRecord:
    return ServiceRecord.objects.select_for_update().select_related("person").get(pk=record.pk)


def service_result_set(*, actor: Any, record: ServiceRecord, result: str, notes: str = "") -> ServiceRecord:
    """Mark a plain service (康复服务, 职业技能培训, 法律援助) 完成 or 进行中."""
    _check_scope(actor, record.person)
    if record.kind in (DEVICE, CARE, RENOVATION, VISIT):
        raise CareError({"result": "该类服务的结果随其阶段变化"})
    if result not in Result.values:
        raise CareError({"result": "结果只能是完成或进行中"})
    with transaction.atomic():
        record = _locked(record)
        before = record.result
        record.result = result
        if notes.strip():
            record.notes = (record.notes + "\n" + notes.strip()).strip()
        record.save(update_fields=["result", "notes", "updated_at"])
        _audit(actor, "care.service_result", record, before=before, after=result)
    return record


def device_fitting_advance(
    *, actor: Any, record: ServiceRecord, stage: str, on: dt.date, notes: str = ""
) -> ServiceRecord:
    """Move a device fitting to its next stage (评估 → 适配 → 回访); the follow-up completes it."""
    _check_scope(actor, record.person)
    if record.kind != DEVICE:
        raise CareError({"stage": "这不是辅具适配记录"})
    with transaction.atomic():
        record = _locked(record)
        fitting = DeviceFitting.objects.select_for_update().get(record=record)
        current = DEVICE_STAGES.index(record.stage or DeviceFitting.Stage.ASSESSMENT)
        if stage not in DEVICE_STAGES or DEVICE_STAGES.index(stage) != current + 1:
            raise CareError({"stage": "只能进入下一阶段（评估 → 适配 → 回访）"})
        previous = fitting.fitted_on if stage == DeviceFitting.Stage.FOLLOW_UP else fitting.assessed_on
        problems: dict[str, str] = {}
        _check_date(problems, "on", on, after=previous, after_label="上一阶段")
        if problems:
            raise CareError(problems)
        if stage == DeviceFitting.Stage.FITTING:
            fitting.fitted_on = on
        else:
            fitting.followed_up_on = on
            fitting.follow_up_notes = notes.strip()
            record.result = Result.DONE
        fitting.save()
        record.stage = stage
        record.save(update_fields=["stage", "result", "updated_at"])
        _audit(actor, "care.device_stage", record, stage=stage, date=on.isoformat())
    return record


def placement_end(*, actor: Any, record: ServiceRecord, period_end: dt.date) -> ServiceRecord:
    """Record the end of a 托养 placement (完成 once the period has ended)."""
    _check_scope(actor, record.person)
    if record.kind != CARE:
        raise CareError({"period_end": "这不是托养服务记录"})
    with transaction.atomic():
        record = _locked(record)
        placement = CarePlacement.objects.select_for_update().get(record=record)
        if period_end < placement.period_start:
            raise CareError({"period_end": "托养终止日期不能早于起始日期"})
        placement.period_end = period_end
        placement.save(update_fields=["period_end"])
        record.result = Result.DONE if period_end <= today() else Result.IN_PROGRESS
        record.save(update_fields=["result", "updated_at"])
        _audit(actor, "care.placement_end", record, period_end=period_end.isoformat())
    return record


def assignment_add(*, actor: Any, person: Person, organisation: str) -> Assignment:
    """Hand `person` to a service organisation (staff only): its staff then see the person."""
    if is_service_org(actor):
        raise CareError({"": "服务机构人员不能分派服务对象"})
    _check_scope(actor, person)
    organisation = organisation.strip()
    if not organisation:
        raise CareError({"organisation": "请填写服务机构名称"})
    with transaction.atomic():
        assignment, created = Assignment.objects.get_or_create(
            person=person, organisation=organisation, defaults={"assigned_by": user_of(actor)}
        )
        if created:
            audit_record(
                actor=actor,
                action="care.assignment_add",
                object_type="registry.Person",
                object_id=person.pk,
                region_code=person.region_id,
                detail={"organisation": organisation},
            )
    return assignment


def assignment_remove(*, actor: Any, person: Person, assignment_id: int) -> None:
    if is_service_org(actor):
        raise CareError({"": "服务机构人员不能取消分派"})
    _check_scope(actor, person)
    with transaction.atomic():
        assignment = Assignment.objects.filter(person=person, pk=assignment_id).first()
        if assignment is None:
            raise CareError({"": "未找到该分派"})
        assignment.delete()
        audit_record(
            actor=actor,
            action="care.assignment_remove",
            object_type="registry.Person",
            object_id=person.pk,
            region_code=person.region_id,
            detail={"organisation": assignment.organisation},
        )
