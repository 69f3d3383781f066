"""Writes of a household's 无障碍改造 project: its application, its stages in order (申请 → 入户评估
→ 施工 → 验收) and photos of each stage (stored encrypted). The project's service record is 进行中
until the acceptance and 完成, dated at the acceptance, after it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from huican.care.models import RENOVATION, RenovationPhoto, RenovationProject, Result, ServiceRecord
from huican.care.selectors import is_service_org, organisation_of
from huican.care.services import CareError, _audit, _check_date, _check_scope, _locked
from huican.core import documents
from huican.core.actors import user_of
from huican.registry.models import Person

PHOTO_AREA = "care"
RENOVATION_STAGES = [s.value for s in RenovationProject.Stage]


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
    user = user_of(actor)
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
            uploaded_by=user_of(actor),
        )
        _audit(actor, "care.renovation_photo", record, photo=photo.pk, size=len(data), type=content_type)
    return photo
