"""Writes of service records: each kind's rules, the staged kinds' stages, photos, assignments.

Every write is keyword-only, atomic, checked against the actor's scope (``care.selectors``) and
audited. A service organisation's records always carry its own organisation.
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
    RenovationPhoto,
    RenovationProject,
    Result,
    ServiceKind,
    ServiceRecord,
    Visit,
)
from huican.care.selectors import care_persons_for, is_service_org, organisation_of
from huican.core import documents
from huican.core.audit import audit_record
from huican.registry.models import Person

PHOTO_AREA = "care"
DEVICE_STAGES = [s.value for s in DeviceFitting.Stage]
RENOVATION_STAGES = [s.value for s in RenovationProject.Stage]


class CareError(Exception):
    """A service cannot be recorded as asked: field → message (Chinese), "" for the whole form."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = problems


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


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
    user = _user(actor)
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


def renovation_create(
    *,
    actor: Any,
    person: Person,
    applied_on: dt.date,
    organisation: str = "",
    project: str = "",
    notes: str = "",
) -> RenovationProject:
    """Open a 无障碍改造 project for `person`'s household at its application (one open project per
    household)."""
    _check_scope(actor, person)
    problems: dict[str, str] = {}
    _check_date(problems, "applied_on", applied_on, after=person.birth_date, after_label="出生日期")
    open_projects = RenovationProject.objects.filter(household_number=person.household_number).exclude(
        stage=RenovationProject.Stage.ACCEPTANCE
    )
    if open_projects.exists():
        problems[""] = "该户已有未验收的无障碍改造项目"
    if problems:
        raise CareError(problems)
    if is_service_org(actor):
        organisation = organisation_of(actor)
    user = _user(actor)
    with transaction.atomic():
        record = ServiceRecord.objects.create(
            person=person,
            kind=RENOVATION,
            service_date=applied_on,
            organisation=organisation.strip(),
            project=project.strip(),
            result=Result.IN_PROGRESS,
            notes=notes.strip(),
            stage=RenovationProject.Stage.APPLICATION,
            recorded_by=user,
            recorded_by_name=getattr(user, "username", "") or str(actor or ""),
        )
        renovation = RenovationProject.objects.create(
            record=record, household_number=person.household_number, applied_on=applied_on
        )
        _audit(
            actor,
            "care.renovation_create",
            record,
            household=person.household_number,
            date=applied_on.isoformat(),
        )
    return renovation


def renovation_advance(
    *,
    actor: Any,
    project: RenovationProject,
    stage: str,
    on: dt.date,
    notes: str = "",
    contractor: str = "",
    cost: Decimal | None = None,
) -> RenovationProject:
    """Move a project to its next stage (申请 → 入户评估 → 施工 → 验收). The acceptance needs the cost
    and completes the 无障碍改造 service, dated at the acceptance."""
    record = project.record
    _check_scope(actor, record.person)
    with transaction.atomic():
        record = _locked(record)
        project = RenovationProject.objects.select_for_update().get(pk=project.pk)
        current = RENOVATION_STAGES.index(project.stage)
        if stage not in RENOVATION_STAGES or RENOVATION_STAGES.index(stage) != current + 1:
            raise CareError({"stage": "只能进入下一阶段（申请 → 入户评估 → 施工 → 验收）"})
        previous = {
            RenovationProject.Stage.ASSESSMENT: project.applied_on,
            RenovationProject.Stage.CONSTRUCTION: project.assessed_on,
            RenovationProject.Stage.ACCEPTANCE: project.construction_started_on,
        }[RenovationProject.Stage(stage)]
        problems: dict[str, str] = {}
        _check_date(problems, "on", on, after=previous, after_label="上一阶段")
        if cost is not None and cost < 0:
            problems["cost"] = "费用不能为负数"
        if stage == RenovationProject.Stage.ACCEPTANCE and cost is None and project.cost is None:
            problems["cost"] = "验收时须填写改造费用"
        if stage == RenovationProject.Stage.CONSTRUCTION and not (contractor.strip() or project.contractor):
            problems["contractor"] = "请填写施工单位"
        if problems:
            raise CareError(problems)
        if stage == RenovationProject.Stage.ASSESSMENT:
            project.assessed_on, project.assessment_notes = on, notes.strip()
        elif stage == RenovationProject.Stage.CONSTRUCTION:
            project.construction_started_on = on
            project.contractor = contractor.strip() or project.contractor
        else:
            project.accepted_on = on
            record.result, record.service_date = Result.DONE, on
        if cost is not None:
            project.cost = cost
            record.amount = cost
        project.stage = stage
        project.save()
        record.stage = stage
        record.save(update_fields=["stage", "result", "service_date", "amount", "updated_at"])
        _audit(
            actor,
            "care.renovation_stage",
            record,
            stage=stage,
            date=on.isoformat(),
            cost=str(project.cost) if project.cost is not None else None,
        )
    return project


def renovation_photo_add(
    *, actor: Any, project: RenovationProject, data: bytes, name: str, caption: str = ""
) -> RenovationPhoto:
    """Keep a photo of the project's current stage (encrypted at rest)."""
    record = project.record
    _check_scope(actor, record.person)
    try:
        content_type = documents.sniff(data)
    except documents.DocumentRefused as refused:
        raise CareError({"file": str(refused)}) from None
    with transaction.atomic():
        photo = RenovationPhoto.objects.create(
            project=project,
            stage=project.stage,
            caption=caption.strip()[:200],
            original_name=name[-200:] or "照片",
            content_type=content_type,
            size=len(data),
            stored_name=documents.store(PHOTO_AREA, data),
            uploaded_by=_user(actor),
        )
        _audit(actor, "care.renovation_photo", record, photo=photo.pk, size=len(data), type=content_type)
    return photo


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
            person=person, organisation=organisation, defaults={"assigned_by": _user(actor)}
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
